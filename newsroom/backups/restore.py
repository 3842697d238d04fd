"""`manage.py restore`: check the whole archive, then the database in one transaction, then the uploads."""

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from newsroom.backups import contents, postgres

# Rows that make a database worth refusing to overwrite: what the newsroom wrote, not what migrations ship.
CONTENT = ("articles", "users", "organisations")
# The content generation (newsroom/generation.py): cached pages are kept under its values.
GENERATION_SEQUENCE = "newsroom_content_generation"


@dataclass
class Target:
    """What the database and the media folder hold before a restore."""

    has_tables: bool
    counts: dict
    media_files: int

    def content(self):
        """What is there, in words ("articles: 3, users: 2, media files: 14"), or "" when nothing is."""
        held = [f"{name}: {self.counts[name]}" for name in CONTENT if self.counts.get(name)]
        if self.media_files:
            held.append(f"media files: {self.media_files}")
        return ", ".join(held)


def work_area():
    """A new private folder next to MEDIA_ROOT: the restored uploads then move in with one rename."""
    parent = Path(settings.VAR_DIR) if contents.media_in_bucket() else Path(settings.MEDIA_ROOT).parent
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{Path(settings.MEDIA_ROOT).name}-restore-", dir=parent))


def check_dump(dump):
    """Have pg_restore read the dump's table of contents: an archive it cannot list is not restored."""
    pg_restore, _ = postgres.find_program("pg_restore", postgres.server_version())
    listing = postgres.run([str(pg_restore), "--list", str(dump)], "pg_restore --list (reading the dump)")
    if "TABLE DATA" not in listing:
        raise postgres.PostgresProgramError("pg_restore --list shows no table data in the dump")


def target():
    tables = contents.existing_tables()
    counts = contents.row_counts() if tables else {}
    media = 0 if contents.media_in_bucket() else len(contents.media_files(settings.MEDIA_ROOT))
    return Target(has_tables=bool(tables), counts=counts, media_files=media)


def restore_database(dump, *, clean):
    """pg_restore in a single transaction: on any error nothing of it stays. `clean` drops what the dump brings."""
    pg_restore, _ = postgres.find_program("pg_restore", postgres.server_version())
    name = connection.get_connection_params()["dbname"]
    arguments = [str(pg_restore), "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
    arguments += ["--no-password", f"--dbname={name}"]
    if clean:
        arguments += ["--clean", "--if-exists"]
    connection.close()  # holds no lock, but keeps no cached view of the tables that are about to be replaced
    postgres.run([*arguments, str(dump)], "pg_restore")


def generation():
    """The content generation's last value, or None when the database has no such sequence (yet)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [GENERATION_SEQUENCE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT last_value FROM {GENERATION_SEQUENCE}")
        return cursor.fetchone()[0]


def retire_cached_pages(before):
    """Move the content generation past both its restored and its previous value, and empty this site's cache.

    Pages cached under the replaced site's generations (in Redis, say) must not come back under the restored
    site's, which starts from an older value.
    """
    cache.clear()
    restored = generation()
    if restored is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(%s, %s)", [GENERATION_SEQUENCE, max(restored, before or 0) + 1])


def put_media_in_place(extracted):
    """Swap the restored uploads in for MEDIA_ROOT (two renames on one file system), then drop the old ones."""
    media_root = Path(settings.MEDIA_ROOT)
    extracted.mkdir(exist_ok=True)
    for directory, _, _ in os.walk(extracted):
        os.chmod(directory, 0o755)
    previous = extracted.parent / "previous-media"
    if media_root.exists():
        os.rename(media_root, previous)
    try:
        os.rename(extracted, media_root)
    except OSError:
        if previous.exists():
            os.rename(previous, media_root)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def compare_counts(manifest, restored_counts, media_files):
    """Lines "name: restored (archive: n)" for every count of the manifest, and whether all are equal."""
    lines, equal = [], True
    expected = dict(manifest.get("counts", {}))
    actual = dict(restored_counts)
    if manifest["media"].get("included"):
        expected["media files"] = manifest["media"].get("files", 0)
        actual["media files"] = media_files
    for name in [*actual, *(name for name in expected if name not in actual)]:
        count = expected.get(name, "?")
        equal = equal and actual.get(name) == count
        mark = "" if actual.get(name) == count else "   <-- differs"
        lines.append(f"  {name.replace('_', ' '):<16} {actual.get(name, '?'):>8}  (archive: {count}){mark}")
    return lines, equal
