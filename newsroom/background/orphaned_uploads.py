"""Uploads that nothing refers to any more: replaced cover photos and editor pictures no story uses.

A file is removed only when it is older than NEWSROOM_UPLOAD_GRACE_HOURS (a story being written may use a
picture it has not saved yet) and no row of the content apps names it: no file field, and no text, rich
text or JSON column (an article's body, a revision's snapshot, a party's description). A cover photo a
revision still names is kept, so restoring that revision brings it back. Everything goes through the
storage API, so it works the same on the local disk and on S3.
"""

import logging
import posixpath
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from newsroom.references import family, referenced_names

logger = logging.getLogger(__name__)

COVERS = "covers"


@dataclass
class Sweep:
    removed: list = field(default_factory=list)
    kept: int = 0


def upload_folders():
    """Where people's photos are stored: cover photos, and the editor's pictures with their thumbnails."""
    return [COVERS, settings.CKEDITOR_UPLOAD_PATH.strip("/")]


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
    """The responsive renditions imagekit made of cover photo `name` (renditions/<name without extension>/)."""
    folder = posixpath.join(settings.IMAGEKIT_CACHEFILE_DIR, posixpath.splitext(name)[0])
    return list(stored_files(storage, folder))


def remove_orphaned_uploads(now=None, storage=None):
    """Delete the uploads older than the grace period that no row names, with their renditions."""
    storage = storage or default_storage
    now = now or timezone.now()
    older_than = now - timedelta(hours=settings.NEWSROOM_UPLOAD_GRACE_HOURS)
    folders = upload_folders()
    # Listed before the references are read: a file saved into a story meanwhile is seen as referenced.
    candidates = [
        name
        for folder in folders
        for name in stored_files(storage, folder)
        if storage.get_modified_time(name) < older_than
    ]
    referenced = referenced_names(folders)
    sweep = Sweep()
    for name in candidates:
        if family(name) in referenced:
            sweep.kept += 1
            continue
        doomed = [name, *renditions_of(storage, name)] if name.startswith(COVERS + "/") else [name]
        for path in doomed:
            storage.delete(path)
        sweep.removed.append(name)
    logger.info("Orphaned uploads removed: %s, old uploads still in use: %s", len(sweep.removed), sweep.kept)
    return sweep
