"""Library photos in a story's body, shown as covers are: a <picture> with WebP and JPEG srcsets, width and height,
loaded lazily.

The sanitiser keeps an <img> to its src, alt, width and height (articles/sanitize.py); what a reader's browser needs
besides comes from the library's rows when the story's part is rendered (articles/story_parts.py), all of a body's
photos in one query, none for a body without any.
"""

import html
import re
from urllib.parse import unquote

from django.conf import settings
from django.template.loader import render_to_string

from articles.models import Photo

IMAGE = re.compile(r"<img\b[^>]*>")
ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')
# The column of the article page's text (static/css), then a phone's width.
SIZES = "(min-width: 47rem) 46rem, 100vw"


def attributes(tag):
    return {name: html.unescape(value) for name, value in ATTRIBUTE.findall(tag)}


def stored_name(src):
    """The storage name of a media URL as the editor writes it (MEDIA_URL and the name), else None."""
    if not src.startswith(settings.MEDIA_URL):
        return None
    return unquote(src.removeprefix(settings.MEDIA_URL).split("?", 1)[0]) or None


def photos_in(body) -> dict:
    """{storage name: Photo} of the library photos `body` shows, in one query (none without an image)."""
    names = {stored_name(attributes(tag).get("src", "")) for tag in IMAGE.findall(body or "")} - {None}
    if not names:
        return {}
    photos = Photo.objects.filter(file__in=names).only("file", "width", "height", "alt_text")
    return {photo.file.name: photo for photo in photos}


def with_photos(body, photos) -> str:
    """`body` (sanitised) with each <img> of a library photo in `photos` as a responsive, lazily loaded <picture>."""
    if not photos:
        return body

    def picture(found):
        shown = attributes(found.group())
        photo = photos.get(stored_name(shown.get("src", "")))
        if photo is None:
            return found.group()  # not a library photo: as the sanitiser left it
        context = {"cover": photo.renditions, "alt": shown.get("alt", ""), "sizes": SIZES, "lazy": True}
        return render_to_string("includes/picture.html", context).strip()

    return IMAGE.sub(picture, body)
