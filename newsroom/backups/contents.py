"""What a site holds, counted the same way in a backup's manifest and after a restore."""

import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

# The manifest's counts: name → model. Project-level code names the apps' models by label, importing none.
COUNTED = {
    "articles": "articles.Article",
    "revisions": "articles.ArticleRevision",
    "workflow_events": "articles.WorkflowEvent",
    "sections": "articles.Section",
    "parties": "parties.Party",
    "organisations": "parties.PrimaryOrganisation",
    "party_projects": "parties.PartyProject",
    "users": "auth.User",
}


def media_in_bucket():
    """True when uploads live in an S3 bucket (NEWSROOM_S3_BUCKET), outside any archive."""
    return "S3Storage" in settings.STORAGES["default"]["BACKEND"]


def existing_tables():
    return set(connection.introspection.table_names())


def row_counts():
    """Rows of each counted model (0 for a table that does not exist, as in an empty database)."""
    tables = existing_tables()
    counts = {}
    for name, label in COUNTED.items():
        model = apps.get_model(label)
        counts[name] = model._default_manager.count() if model._meta.db_table in tables else 0
    article = apps.get_model("articles.Article")
    has_articles = article._meta.db_table in tables
    counts["cover_photos"] = article._default_manager.exclude(cover_photo=None).count() if has_articles else 0
    return counts


def media_files(root):
    """Every regular file under `root` as {path relative to root, POSIX style: absolute Path}, sorted.

    Symbolic links are skipped: a link in the upload folder is not an upload, and following it could read
    (and archive) anything on the machine.
    """
    root = Path(root)
    found = {}
    if not root.is_dir():
        return found
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(name for name in subdirectories if not os.path.islink(os.path.join(directory, name)))
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(root).as_posix()] = path
    return found
