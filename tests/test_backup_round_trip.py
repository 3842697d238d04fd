"""A backup restores to the same site: every article, revision, workflow event, organisation and photo."""

import io
import json
import tarfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from articles.models import Article, ArticleRevision, Photo, WorkflowEvent
from parties.models import PrimaryOrganisation
from tests.backups import (
    create_database,
    drop_database,
    file_digests,
    manage,
    scratch_name,
    site_environment,
    table_rows,
)
from tests.factories import jpeg_file

# pg_dump reads what is committed, from a connection of its own.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def scratch_database(django_db_setup):
    """An empty database on the same server, the target of the restore."""
    name = scratch_name()
    create_database(name)
    yield name
    drop_database(name)


def seed_site():
    """The demo site with cover photos on two stories and a picture uploaded through the editor."""
    call_command("seed_demo", force=True, stdout=io.StringIO())
    journalist = get_user_model().objects.get(username="journalist")
    colours = [(200, 40, 40), (40, 160, 90)]
    for number, (article, colour) in enumerate(zip(Article.objects.order_by("pk")[:2], colours, strict=True)):
        article.cover_photo = Photo.objects.create(
            file=jpeg_file(f"cover-{number}.jpg", size=(900, 600), color=colour),
            alt_text="Участники форума в зале",
            uploaded_by=journalist,
        )
        article.save()
    default_storage.save(f"uploads/{journalist.pk}/editor-photo.jpg", jpeg_file(size=(400, 300)))


def read_manifest(archive):
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_restore_gives_back_every_row_and_photo(scratch_database, media_root, tmp_path):
    seed_site()
    assert Article.objects.count() >= 30 and ArticleRevision.objects.exists() and WorkflowEvent.objects.exists()
    assert PrimaryOrganisation.objects.count() >= 244
    with_cover = Article.objects.exclude(cover_photo=None).select_related("cover_photo")
    covers = {article.cover_photo.file.name: article.cover_photo.file.read() for article in with_cover}
    assert len(covers) == 2
    photos = file_digests(media_root)
    assert len(photos) > len(covers)  # the editor's picture and the covers' renditions too

    output = io.StringIO()
    call_command("backup", directory=tmp_path / "backups", keep=3, stdout=output)
    [archive] = (tmp_path / "backups").glob("newsroom-*.tar")
    assert f"Backup written: {archive}" in output.getvalue()
    manifest = read_manifest(archive)
    assert manifest["counts"]["articles"] == Article.objects.count()
    assert manifest["counts"]["revisions"] == ArticleRevision.objects.count()
    assert manifest["counts"]["workflow_events"] == WorkflowEvent.objects.count()
    assert manifest["counts"]["organisations"] == PrimaryOrganisation.objects.count()
    assert manifest["counts"]["cover_photos"] == 2
    assert manifest["media"] == {"storage": "filesystem", "included": True, "files": len(photos)}
    assert {name.removeprefix("media/") for name in manifest["members"]} == {"database.dump", *photos}
    assert manifest["postgresql"] and manifest["pg_dump"] and manifest["django"]

    restored_media = tmp_path / "restored-media"
    result = manage(site_environment(scratch_database, restored_media), "restore", str(archive))
    assert result.returncode == 0, result.stderr

    assert table_rows(scratch_database) == table_rows(connection.settings_dict["NAME"])
    assert file_digests(restored_media) == photos
    for name, content in covers.items():
        assert (restored_media / name).read_bytes() == content
    assert f"articles         {Article.objects.count():>8}  (archive: {Article.objects.count()})" in result.stdout
    assert "differs" not in result.stdout
