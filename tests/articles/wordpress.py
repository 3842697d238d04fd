"""The real WordPress export of tests/data/wordpress/ (WordPress 6.1.9's own), and running the import on it."""

import io
import shutil
from pathlib import Path

from django.core.management import call_command

from tests.factories import UserFactory

DATA = Path(__file__).resolve().parent.parent / "data" / "wordpress"
EXPORT = DATA / "export.xml"
UPLOADS = DATA / "uploads"


def run_import(export=EXPORT, media=UPLOADS):
    """Import `export` as the site's superuser would; return what the command printed."""
    UserFactory(username="chief", is_staff=True, is_superuser=True)
    out = io.StringIO()
    args = [str(export)] + (["--media", str(media)] if media else [])
    call_command("import_wordpress", *args, stdout=out)
    return out.getvalue()


def edited_export(tmp_path, *replacements):
    """A copy of the real export with each (old, new) text replaced once, and its uploads beside it."""
    text = EXPORT.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")
    media = tmp_path / "uploads"
    shutil.copytree(UPLOADS, media)
    return path, media
