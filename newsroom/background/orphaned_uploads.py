"""Photos and uploads that nothing refers to any more: library photos no story uses, and stray files.

First the library: a photo older than NEWSROOM_UPLOAD_GRACE_HOURS (a story being written may use a picture it
has not saved yet) that nothing uses (articles.models.PhotoQuerySet.in_use: no cover, no text naming it, no
revision's snapshot naming it as a cover) is deleted with its file and renditions. Then the files: one older
than the grace period is removed when no row of the content apps names it: no file field (a library photo's
included), and no text, rich text or JSON column (an article's body, a revision's snapshot, a party's
description). Everything goes through the storage API, so it works the same on the local disk and on S3.
"""

import logging
import posixpath
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from articles.models import Photo
from articles.models.photos import FOLDER as PHOTOS
from newsroom.references import family, referenced_names

logger = logging.getLogger(__name__)

COVERS = "covers"  # the covers from before the photo library (migration 0026 made them library photos in place)


@dataclass
class Sweep:
    removed: list = field(default_factory=list)
    kept: int = 0
    photos_removed: int = 0


def upload_folders():
    """Where people's photos are stored: the library, and older covers and editor pictures with their thumbnails."""
    return [PHOTOS, COVERS, settings.CKEDITOR_UPLOAD_PATH.strip("/")]


def stored_files(storage, folder):
    """Every file under `folder` (a path inside `storage`), in every subfolder."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield posixpath.join(folder, name)
    for name in folders:
        yield from stored_files(storage, posixpath.join(folder, name))


def renditions_of(storage, name):
    """The responsive renditions imagekit made of photo `name` (renditions/<name without extension>/)."""
    folder = posixpath.join(settings.IMAGEKIT_CACHEFILE_DIR, posixpath.splitext(name)[0])
    return list(stored_files(storage, folder))


def remove_orphaned_uploads(now=None, storage=None):
    """Delete the library photos and the uploads older than the grace period that nothing uses, with their
    renditions."""
    storage = storage or default_storage
    now = now or timezone.now()
    older_than = now - timedelta(hours=settings.NEWSROOM_UPLOAD_GRACE_HOURS)
    sweep = Sweep()
    for photo in Photo.objects.unused().filter(uploaded_at__lt=older_than):
        photo.delete()  # its file and renditions go once the deletion is committed (articles/signals.py)
        sweep.photos_removed += 1
    folders = upload_folders()
    # Listed before the references are read: a file saved into a story meanwhile is seen as referenced.
    candidates = [
        name
        for folder in folders
        for name in stored_files(storage, folder)
        if storage.get_modified_time(name) < older_than
    ]
    referenced = referenced_names(folders)
    for name in candidates:
        if family(name) in referenced:
            sweep.kept += 1
            continue
        for path in [name, *renditions_of(storage, name)]:
            storage.delete(path)
        sweep.removed.append(name)
    logger.info(
        "Unused photos removed: %s, orphaned uploads removed: %s, old uploads still in use: %s",
        sweep.photos_removed,
        len(sweep.removed),
        sweep.kept,
    )
    return sweep
