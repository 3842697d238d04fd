"""Write one archive of the whole site: the database (pg_dump) and the uploads, with a manifest.

Lives with seed_demo in the app at the top of the chain; the work is project-level, in newsroom/backups/.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from newsroom.backups import postgres
from newsroom.backups.create import make_backup


class Command(BaseCommand):
    help = (
        "Write one archive (database dump + uploads + manifest) into NEWSROOM_BACKUP_DIR and keep the newest "
        "NEWSROOM_BACKUP_KEEP. Restore it with `manage.py restore ARCHIVE`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep",
            type=int,
            default=settings.NEWSROOM_BACKUP_KEEP,
            help="How many archives to keep, the new one included (default NEWSROOM_BACKUP_KEEP: %(default)s).",
        )
        parser.add_argument(
            "--directory",
            default=settings.NEWSROOM_BACKUP_DIR,
            help="Where to write the archive (default NEWSROOM_BACKUP_DIR: %(default)s).",
        )

    def handle(self, *args, keep, directory, **options):
        if keep < 1:
            raise CommandError("--keep must be at least 1: the archive just written is always kept.")
        started = time.monotonic()
        try:
            backup = make_backup(Path(directory), keep)
        except (postgres.PostgresProgramError, DatabaseError, OSError) as error:
            raise CommandError(f"Backup failed, no archive was written: {error}") from error
        manifest = backup.manifest
        counts = manifest["counts"]
        size = backup.path.stat().st_size / 1024 / 1024
        media = manifest["media"]
        self.stdout.write(
            self.style.SUCCESS(f"Backup written: {backup.path} ({size:.1f} MB in {time.monotonic() - started:.1f} s)")
        )
        self.stdout.write(
            f"  {counts['articles']} articles, {counts['revisions']} revisions, {counts['workflow_events']} workflow "
            f"events, {counts['organisations']} organisations, {counts['users']} users; PostgreSQL "
            f"{manifest['postgresql']}, pg_dump {manifest['pg_dump']}"
        )
        if media["included"]:
            self.stdout.write(f"  {media['files']} media files from {settings.MEDIA_ROOT}")
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"  Media are NOT in this archive: they live in the S3 bucket {media['bucket']!r}; "
                    "keep that bucket versioned or copied (README, Backups)."
                )
            )
        for path in backup.removed:
            self.stdout.write(f"  Removed old archive {path.name}")
        for warning in backup.warnings:
            self.stderr.write(self.style.WARNING(warning))
