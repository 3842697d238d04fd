"""Responsive renditions of cover photos (and authors' portraits), made by django-imagekit when the photo is saved.

imagekit was chosen over sorl-thumbnail and easy-thumbnails because its renditions are declared on
the model and, with the Optimistic strategy, generated once when the photo is saved: rendering a page
then costs no query and no file check, which keeps public pages within their query budget.
"""

from imagekit.models import ImageSpecField
from imagekit.processors import ResizeToFill, ResizeToFit

WIDTHS = (480, 800, 1200)
OPEN_GRAPH_SIZE = (1200, 630)


def rendition(width, image_format, source="cover_image"):
    quality = 80 if image_format == "WEBP" else 85
    return ImageSpecField(
        source=source,
        processors=[ResizeToFit(width=width, upscale=False)],
        format=image_format,
        options={"quality": quality},
    )


def open_graph_rendition():
    return ImageSpecField(
        source="cover_image",
        processors=[ResizeToFill(*OPEN_GRAPH_SIZE)],
        format="JPEG",
        options={"quality": 85},
    )


class CoverRenditions:
    """`srcset` strings and fallbacks for one article's cover."""

    def __init__(self, article):
        self.article = article

    def srcset(self, image_format):
        suffix = "webp" if image_format == "WEBP" else "jpeg"
        parts = []
        for width in WIDTHS:
            if width > (self.article.cover_width or width) and width != WIDTHS[0]:
                break
            file = getattr(self.article, f"cover_{width}_{suffix}")
            parts.append(f"{file.url} {min(width, self.article.cover_width or width)}w")
        return ", ".join(parts)

    @property
    def webp_srcset(self):
        return self.srcset("WEBP")

    @property
    def jpeg_srcset(self):
        return self.srcset("JPEG")

    @property
    def fallback(self):
        return self.article.cover_800_jpeg

    @property
    def height_for_width(self):
        """Height and width attributes that keep the layout from jumping while the photo loads."""
        return self.article.cover_height, self.article.cover_width
