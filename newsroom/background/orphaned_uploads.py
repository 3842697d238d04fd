"""Uploads that nothing refers to any more: replaced cover photos and editor pictures no story uses.

A file is removed only when it is older than NEWSROOM_UPLOAD_GRACE_HOURS (a story being written may use a
picture it has not saved yet) and no row of the content apps names it: no file field, and no text, rich
text or JSON column (an article's body, a revision's snapshot, a party's description). A cover photo a
revision still names is kept, so restoring that revision brings it back. Everything goes through the
storage API, so it works the same on the local disk and on S3.
"""

import logging
import posixpath
import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import unquote

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models
from django.utils import timezone

logger = logging.getLogger(__name__)

# The apps whose rows may name an upload (the project's own; sessions and logs only mention files).
CONTENT_APPS = ("articles", "parties", "regions")
COVERS = "covers"
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


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


def family(name):
    """An editor picture and its thumbnail (ckeditor_uploader's `<name>_thumb.<ext>`) are kept or go together."""
    stem, extension = posixpath.splitext(name)
    return stem.removesuffix("_thumb") + extension


def referenced_names(folders):
    """Every upload under `folders` that a row of the content apps names, as a set of storage names."""
    alternatives = "|".join(re.escape(folder) for folder in folders)
    # Up to the first character a link's path cannot hold unescaped (a JSON string's \" included).
    pattern = f"(?:{alternatives})/[^[:space:]\"'<>\\\\?#()]+"
    names = set()
    for model in apps.get_models():
        if model._meta.app_label not in CONTENT_APPS or model._meta.proxy:
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        for column_field in model._meta.concrete_fields:
            column = connection.ops.quote_name(column_field.column)
            if isinstance(column_field, models.FileField):
                names.update(
                    model._base_manager.exclude(**{column_field.name: ""}).values_list(column_field.name, flat=True)
                )
            elif isinstance(column_field, TEXT_FIELDS):
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT DISTINCT (regexp_matches({column}::text, %s, 'g'))[1] FROM {table}"
                        f" WHERE {column}::text ~ %s",
                        [f"({pattern})", pattern],
                    )
                    names.update(unquote(row[0]) for row in cursor.fetchall())
    # A link may carry MEDIA_URL's path or a bucket's address in front: the regular expression starts at the folder.
    return {family(name) for name in names if name}


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
