"""The pictures uploaded through the editor before the library (uploads/<user id>/…) become library photos in place.

The same files, not copies, so the stories' bodies keep their links; the editor's thumbnails (`*_thumb.*`) are no
photos of their own. Their renditions are made here, as an upload's are when it is saved (one pass over the old
pictures, once). Reversing removes those photos from the library (the files stay).
"""

import posixpath

from django.conf import settings
from django.core.files.images import get_image_dimensions
from django.core.files.storage import default_storage
from django.db import migrations
from django.utils import timezone

from articles.models.photos import Photo as LibraryPhoto

PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}


def stored_files(storage, folder):
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        yield posixpath.join(folder, name)
    for name in folders:
        yield from stored_files(storage, posixpath.join(folder, name))


def uploader(name, users):
    """The user of uploads/<user id>/…, if they still exist."""
    parts = name.split("/")
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() and int(parts[1]) in users else None


def move_uploads(apps, schema_editor):
    Photo = apps.get_model("articles", "Photo")
    users = set(apps.get_model(*settings.AUTH_USER_MODEL.split(".")).objects.values_list("pk", flat=True))
    known = set(Photo.objects.values_list("file", flat=True))
    folder = settings.CKEDITOR_UPLOAD_PATH.strip("/")
    for name in sorted(stored_files(default_storage, folder)):
        stem, extension = posixpath.splitext(name)
        if extension.lower() not in PHOTO_EXTENSIONS or stem.endswith("_thumb") or name in known:
            continue
        try:
            with default_storage.open(name) as file:
                width, height = get_image_dimensions(file)
            uploaded_at = default_storage.get_modified_time(name)
        except (OSError, NotImplementedError):
            width = height = None
            uploaded_at = timezone.now()
        # Created without its file, then given it by update(): no ImageField reads it a second time.
        photo = Photo.objects.create(
            width=width, height=height, uploaded_by_id=uploader(name, users), uploaded_at=uploaded_at
        )
        Photo.objects.filter(pk=photo.pk).update(file=name)
        if width:
            # The renditions the library shows instead of the file: declared on the model in Python, which the
            # migration's historical model has not; an unsaved instance makes them without touching the database.
            LibraryPhoto(file=name, width=width, height=height).make_renditions()


def forget_uploads(apps, schema_editor):
    folder = settings.CKEDITOR_UPLOAD_PATH.strip("/")
    # (one made a cover since stays: the story needs it)
    photos = apps.get_model("articles", "Photo").objects.filter(file__startswith=f"{folder}/", cover_of=None)
    photos.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0027_remove_article_cover_fields"),
    ]

    operations = [
        migrations.RunPython(move_uploads, forget_uploads),
    ]
