"""`manage.py backup`: the database and the uploads into one archive, written atomically; old ones rotated."""

import os
import stat
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import django
from django.conf import settings
from django.db import connection, transaction

from newsroom.backups import archive, contents, postgres


@dataclass
class Backup:
    path: Path
    manifest: dict
    removed: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def make_backup(directory, keep):
    """Write a new archive into `directory`, then delete the oldest beyond the newest `keep`."""
    directory = Path(directory)
    warnings = prepare_directory(directory)
    stamp = datetime.now(UTC)
    temporary = []
    try:
        dump = temporary_file(directory, ".dump.tmp", temporary)
        manifest = {
            "format": archive.FORMAT,
            "format_version": archive.FORMAT_VERSION,
            "created_at": stamp.isoformat(timespec="seconds"),
            "newsroom": newsroom_version(),
            "django": django.get_version(),
        }
        manifest.update(dump_database(dump))
        members = [(archive.DUMP, dump)]
        manifest["media"] = media_description()
        if manifest["media"]["included"]:
            files = contents.media_files(settings.MEDIA_ROOT)
            members += [(f"{archive.MEDIA}/{name}", path) for name, path in files.items()]
            manifest["media"]["files"] = len(files)
        tar = temporary_file(directory, ".tar.tmp", temporary)
        archive.write(tar, members, manifest)
        written = publish(tar, directory, stamp)
    finally:
        for leftover in temporary:
            leftover.unlink(missing_ok=True)
    backup = Backup(path=written, manifest=manifest, warnings=warnings)
    try:
        backup.removed = rotate(directory, keep, written)
    except OSError as error:
        backup.warnings.append(f"Could not remove old archives: {error}")
    return backup


def prepare_directory(directory):
    """Create the backup folder readable by its owner only; warn when an existing one is open to others."""
    if not directory.exists():
        directory.mkdir(parents=True, mode=0o700)
        directory.chmod(0o700)
        return []
    if stat.S_IMODE(directory.stat().st_mode) & 0o077:
        return [f"{directory} can be read by other users of this machine: `chmod 700 {directory}`."]
    return []


def temporary_file(directory, suffix, temporary):
    """A new file in the backup folder, mode 0600, hidden from rotation until it is complete."""
    descriptor, name = tempfile.mkstemp(prefix=".newsroom-", suffix=suffix, dir=directory)
    os.close(descriptor)
    temporary.append(Path(name))
    return Path(name)


def dump_database(path):
    """pg_dump the database into `path` and count its rows, both from one snapshot of it."""
    # This first query also runs Django's connection health check, which must not be the snapshot's first statement.
    version = postgres.server_version()
    pg_dump, pg_dump_version = postgres.find_program("pg_dump", version)
    if connection.in_atomic_block:
        raise transaction.TransactionManagementError("a backup takes its own snapshot: run it outside any transaction")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts = contents.row_counts()
        postgres.run(
            [str(pg_dump), "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={path}"],
            "pg_dump",
        )
    return {
        "postgresql": version,
        "pg_dump": pg_dump_version,
        "database": {
            "name": connection.settings_dict["NAME"],
            "embedded": connection.settings_dict["ENGINE"] == "newsroom.embedded_postgres",
            "member": archive.DUMP,
        },
        "counts": counts,
    }


def media_description():
    if contents.media_in_bucket():
        bucket = settings.STORAGES["default"]["OPTIONS"]["bucket_name"]
        return {"storage": "s3", "bucket": bucket, "included": False}
    return {"storage": "filesystem", "included": True}


def newsroom_version():
    """The project's version and, in a git checkout, the commit it runs."""
    with open(settings.BASE_DIR / "pyproject.toml", "rb") as file:
        found = {"version": tomllib.load(file)["project"]["version"], "git": None}
    if (settings.BASE_DIR / ".git").exists():
        try:
            result = subprocess.run(
                ["git", "-C", str(settings.BASE_DIR), "describe", "--always", "--dirty"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return found
        if result.returncode == 0 and result.stdout.strip():
            found["git"] = result.stdout.strip()
    return found


def publish(temporary, directory, stamp):
    """Give the finished archive its name in one step, never replacing an archive already there."""
    for attempt in range(1000):
        final = directory / archive.archive_name(stamp, attempt)
        try:
            os.link(temporary, final)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links
            if final.exists():
                continue
            os.replace(temporary, final)
        fsync_directory(directory)
        return final
    raise FileExistsError(f"too many archives named {archive.archive_name(stamp)} in {directory}")


def fsync_directory(directory):
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def archives(directory):
    """The archives `manage.py backup` wrote into `directory` (known by their names), oldest first."""
    found = [
        path
        for path in Path(directory).iterdir()
        if archive.NAME.match(path.name) and path.is_file() and not path.is_symlink()
    ]
    return sorted(found, key=archive.sort_key)


def rotate(directory, keep, current):
    """Delete the oldest archives beyond the newest `keep`; never `current`, never a file of another name."""
    removed = []
    for path in archives(directory)[: -keep or None]:
        if path != current:
            path.unlink()
            removed.append(path)
    return removed
