"""Which stored uploads the content apps' rows name: file fields, and links in text, rich text and JSON columns.

Shared by the photo library's "in use" check (articles.models.photos) and the sweep of unused uploads
(newsroom/background/orphaned_uploads.py); it imports no app, so both may use it.
"""

import posixpath
import re
from urllib.parse import unquote

from django.apps import apps
from django.db import connection, models

# The apps whose rows may name an upload (the project's own; sessions and logs only mention files).
CONTENT_APPS = ("articles", "parties", "regions")
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def family(name):
    """An editor picture and its thumbnail (ckeditor_uploader's `<name>_thumb.<ext>`) are kept or go together."""
    stem, extension = posixpath.splitext(name)
    return stem.removesuffix("_thumb") + extension


def referenced_names(folders, *, file_fields=True):
    """Every upload under `folders` that a row of the content apps names, as a set of storage names.

    With file_fields=False only links in text count (the library asks whether a body or a snapshot names a photo;
    its own file field naming it is no use).
    """
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
                if file_fields:
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
