"""Backups in tests: scratch databases on the test server, `manage.py` in a child process, rows and files read back."""

import contextlib
import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
from django.apps import apps
from django.db import connection
from psycopg import sql

from newsroom.backups.postgres import LIBPQ_ENVIRONMENT
from tests.processes import database_environment

ROOT = Path(__file__).resolve().parent.parent
# Every row of these is compared after a restore.
COMPARED_MODELS = [
    "articles.Article", "articles.ArticleRevision", "articles.WorkflowEvent", "articles.Section",
    "articles.ArticleTag", "taggit.Tag", "parties.Party", "parties.PrimaryOrganisation", "parties.PartyProject",
    "auth.User", "auth.Group", "regions.Region", "regions.City",
]  # fmt: skip


def connect(database):
    """A psycopg connection (autocommit) to `database` on the server the tests use."""
    params = {key: value for key, value in connection.get_connection_params().items() if key in LIBPQ_ENVIRONMENT}
    params["dbname"] = database
    return psycopg.connect(**params, autocommit=True)


def create_database(name):
    with contextlib.closing(connect("postgres")) as conn, conn.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name):
    with contextlib.closing(connect("postgres")) as conn, conn.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def scratch_name():
    return f"newsroom_restore_{uuid.uuid4().hex[:10]}"


def site_environment(database, media_root):
    """The environment of a Newsroom whose database is `database` on the same server and uploads `media_root`."""
    return dict(
        os.environ,
        MEDIA_ROOT=str(media_root),
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        **database_environment(database),
    )


def manage(env, *arguments, timeout=300):
    """Run `manage.py` in a child process, as an operator would."""
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def table_rows(database):
    """{table: every row, ordered by primary key} of the compared models in `database`."""
    found = {}
    with contextlib.closing(connect(database)) as conn, conn.cursor() as cursor:
        for label in COMPARED_MODELS:
            model = apps.get_model(label)
            table, key = model._meta.db_table, model._meta.pk.column
            cursor.execute(sql.SQL("SELECT * FROM {} ORDER BY {}").format(sql.Identifier(table), sql.Identifier(key)))
            found[table] = cursor.fetchall()
    return found


def file_digests(root):
    """{relative path: SHA-256} of every file under `root`."""
    root = Path(root)
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def execute(database, *statements):
    """Run SQL statements in `database`, each committed at once."""
    with contextlib.closing(connect(database)) as conn, conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def fetch_value(database, query):
    """The first column of the first row `query` returns in `database`."""
    with contextlib.closing(connect(database)) as conn, conn.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]
