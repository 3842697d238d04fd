"""Responsive renditions of library photos (and authors' portraits), made by django-imagekit when the photo is saved.

imagekit was chosen over sorl-thumbnail and easy-thumbnails because its renditions are declared on
the model and, with the Optimistic strategy, generated once when the photo is saved: rendering a page
then costs no query and no file check, which keeps public pages within their query budget.
"""

from imagekit.models import ImageSpecField
from imagekit.processors import ResizeToFill, ResizeToFit

WIDTHS = (480, 800, 1200)
OPEN_GRAPH_SIZE = (1200, 630)
SUFFIXES = {"WEBP": "webp", "JPEG": "jpeg"}


def rendition(width, image_format, source="file"):
    quality = 80 if image_format == "WEBP" else 85
    return ImageSpecField(
        source=source,
        processors=[ResizeToFit(width=width, upscale=False)],
        format=image_format,
        options={"quality": quality},
    )


def open_graph_rendition(source="file"):
    return ImageSpecField(
        source=source,
        processors=[ResizeToFill(*OPEN_GRAPH_SIZE)],
        format="JPEG",
        options={"quality": 85},
    )


class PhotoRenditions:
    """`srcset` strings, fallbacks and dimensions of one library photo (articles.models.Photo), wherever it appears."""

    def __init__(self, photo):
        self.photo = photo

    def srcset(self, image_format):
        suffix = SUFFIXES[image_format]
        width_of_photo = self.photo.width
        parts = []
        for width in WIDTHS:
            if width > (width_of_photo or width) and width != WIDTHS[0]:
                break
            file = getattr(self.photo, f"rendition_{width}_{suffix}")
            parts.append(f"{file.url} {min(width, width_of_photo or width)}w")
        return ", ".join(parts)

    @property
    def webp_srcset(self):
        return self.srcset("WEBP")

    @property
    def jpeg_srcset(self):
        return self.srcset("JPEG")

    @property
    def fallback(self):
        return self.photo.rendition_800_jpeg

    @property
    def width(self):
        return self.photo.width

    @property
    def height(self):
        return self.photo.height

    @property
    def height_for_width(self):
        """Height and width attributes that keep the layout from jumping while the photo loads."""
        return self.photo.height, self.photo.width
