"""Restore an archive of `manage.py backup` into an empty database and media folder (or replace them: --force).

Nothing is touched until the whole archive has been read and checked; the database is restored in one
transaction, and the uploads are swapped in only after it succeeded.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsroom.backups import archive, contents, postgres, restore


class Command(BaseCommand):
    help = "Restore a backup archive (database + uploads) made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar file written by `manage.py backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database and media folder that already hold content (it is lost).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check the archive (checksums, a dump pg_restore can read); change nothing.",
        )

    def handle(self, *args, archive: str, force, check, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"No archive at {path}.")
        try:
            work = restore.work_area()
        except OSError as error:
            raise CommandError(f"Cannot make a folder to unpack the archive beside MEDIA_ROOT: {error}") from error
        keep_work = False
        try:
            manifest = self.verify(path, work)
            if check:
                self.stdout.write(self.style.SUCCESS(f"{path.name} is sound: every checksum matches. Nothing changed."))
                return
            keep_work = self.restore(path, manifest, work, force)
        finally:
            if not keep_work:
                shutil.rmtree(work, ignore_errors=True)

    def verify(self, path, work):
        try:
            manifest = archive.unpack(path, work)
            restore.check_dump(work / archive.DUMP)
        except (archive.DamagedArchive, postgres.PostgresProgramError) as error:
            raise CommandError(f"Refusing {path}: {error}. Nothing was changed.") from error
        except OSError as error:
            raise CommandError(f"Could not unpack {path} into {work}: {error}. Nothing was changed.") from error
        newsroom = manifest.get("newsroom") or {}
        self.stdout.write(
            f"{path.name}: made {manifest.get('created_at')} by Newsroom {newsroom.get('version')} "
            f"({newsroom.get('git') or 'no git commit'}), PostgreSQL {manifest.get('postgresql')}; "
            f"{len(manifest['members'])} members, checksums match."
        )
        if manifest["media"].get("included") and contents.media_in_bucket():
            raise CommandError(
                f"Refusing {path}: it carries the uploads, but this site keeps them in an S3 bucket "
                "(NEWSROOM_S3_BUCKET). Restore it with MEDIA_ROOT, then copy that folder into the bucket."
            )
        return manifest

    def restore(self, path, manifest, work, force):
        """Restore the checked archive; return True when the unpacked uploads must be kept for the operator."""
        before = restore.target()
        held = before.content()
        if held and not force:
            raise CommandError(
                f"Refusing to restore: the database and media folder are not empty ({held}). Restore into an "
                "empty database and media folder, or pass --force to replace everything in them. Nothing was changed."
            )
        generation = restore.generation() if before.has_tables else None
        try:
            restore.restore_database(work / archive.DUMP, clean=before.has_tables)
        except postgres.PostgresProgramError as error:
            raise CommandError(
                f"The database restore failed and was rolled back: nothing was changed. {error}"
            ) from error
        self.stdout.write("Database restored.")
        if manifest["media"].get("included"):
            try:
                restore.put_media_in_place(work / archive.MEDIA)
            except OSError as error:
                self.stderr.write(
                    f"The database is restored, but the uploads could not be moved into {settings.MEDIA_ROOT} "
                    f"({error}). They are unpacked in {work / archive.MEDIA}: move that folder there by hand."
                )
                return True
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"The uploads were not in the archive: they are in the S3 bucket "
                    f"{manifest['media'].get('bucket')!r}."
                )
            )
        restore.retire_cached_pages(generation)
        after = restore.target()
        lines, equal = restore.compare_counts(manifest, after.counts, after.media_files)
        self.stdout.write("\n".join(["Restored, compared with the archive's manifest:", *lines]))
        if not equal:
            raise CommandError("Some counts differ from the archive's manifest (marked above).")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restore of {path.name} complete. Run `manage.py migrate` if this "
                "archive comes from an older Newsroom, then restart the app."
            )
        )
        return False
