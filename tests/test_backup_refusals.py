"""A damaged or crafted archive, or a site that already has content, is refused and nothing is half-restored."""

import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from articles.models import Article, ArticleRevision, Photo, Section, WorkflowEvent
from tests.backups import (
    create_database,
    drop_database,
    execute,
    fetch_value,
    file_digests,
    manage,
    scratch_name,
    site_environment,
    table_rows,
)
from tests.factories import ArticleFactory, UserFactory, jpeg_file

# The restores run in child processes on databases of their own; the mark has the test database set up for the
# archive made from it.
pytestmark = pytest.mark.django_db


@dataclass
class Site:
    database: str
    media: Path
    env: dict

    def state(self):
        return table_rows(self.database), file_digests(self.media)

    def restore(self, archive, *options):
        return manage(self.env, "restore", str(archive), *options)


@pytest.fixture(scope="module")
def small_archive(django_db_setup, django_db_blocker, tmp_path_factory):
    """An archive of a small site: a journalist's story with a revision, a workflow event and a cover photo.

    Made from the test database, committed (pg_dump reads from a connection of its own), then removed from it.
    """
    folder = tmp_path_factory.mktemp("small-site")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=folder / "media"):
        author = UserFactory(username="backup-author", is_staff=True)
        article = ArticleFactory(
            author=author,
            title="Форум в Петропавловске",
            cover=jpeg_file("forum.jpg", size=(640, 400)),
            cover_alt="Зал форума",
        )
        try:
            ArticleRevision.objects.create(article=article, data={"title": article.title}, version=1, created_by=author)
            WorkflowEvent.objects.create(
                article=article, transition="submit", from_status="draft", to_status="review", actor=author
            )
            call_command("backup", directory=folder / "backups", keep=1, stdout=io.StringIO())
        finally:
            Article.objects.filter(pk=article.pk).delete()
            Photo.objects.filter(pk=article.cover_photo_id).delete()
            Section.objects.filter(pk=article.section_id).delete()
            author.delete()
    [archive] = (folder / "backups").glob("newsroom-*.tar")
    return archive


@pytest.fixture(scope="module")
def site(small_archive, tmp_path_factory):
    """A site (a database of its own on the test server, a media folder) restored from the small archive."""
    database = scratch_name()
    create_database(database)
    media = tmp_path_factory.mktemp("site") / "media"
    site = Site(database, media, site_environment(database, media))
    try:
        result = site.restore(small_archive)
        assert result.returncode == 0, result.stderr
        assert len(file_digests(media)) > 1  # the cover and its renditions
        yield site
    finally:
        drop_database(database)


def members(archive):
    """[(name, bytes)] of every member, in order."""
    with tarfile.open(archive) as tar:
        return [(member.name, tar.extractfile(member).read()) for member in tar]


def write_archive(path, entries):
    """Write `entries` as a tar: (name, bytes) for files, or ready TarInfo objects for links."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                tar.addfile(entry)
            else:
                name, data = entry
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def with_manifest(entries, change):
    """`entries` with the manifest rewritten by `change(manifest)`."""
    result = []
    for name, data in entries:
        if name == "manifest.json":
            manifest = json.loads(data)
            change(manifest)
            data = json.dumps(manifest).encode()
        result.append((name, data))
    return result


def listed(manifest, name, data):
    manifest["members"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def assert_refused_and_unchanged(site, archive, expected_message):
    before = site.state()
    result = site.restore(archive, "--force")
    assert result.returncode != 0
    assert expected_message in result.stderr and "Nothing was changed" in result.stderr, result.stderr
    assert site.state() == before
    assert not list(site.media.parent.glob(".media-restore-*")), "the unpacked archive was left behind"


def cut_inside(archive, member_name):
    """The archive cut in the middle of a member's data."""
    with tarfile.open(archive) as tar:
        member = tar.getmember(member_name)
    return archive.read_bytes()[: member.offset_data + member.size // 2]


@pytest.mark.parametrize("member", ["database.dump", "manifest.json"])
def test_a_truncated_archive_is_refused(site, small_archive, tmp_path, member):
    damaged = tmp_path / "truncated.tar"
    damaged.write_bytes(cut_inside(small_archive, member))
    assert_refused_and_unchanged(site, damaged, "truncated, damaged or not a tar file")


def test_an_archive_without_its_manifest_is_refused(site, small_archive, tmp_path):
    entries = [(name, data) for name, data in members(small_archive) if name != "manifest.json"]
    assert_refused_and_unchanged(site, write_archive(tmp_path / "bare.tar", entries), "it has no manifest.json")


def test_an_altered_checksum_is_refused(site, small_archive, tmp_path):
    def alter(manifest):
        manifest["members"]["database.dump"]["sha256"] = "0" * 64

    entries = with_manifest(members(small_archive), alter)
    damaged = write_archive(tmp_path / "altered.tar", entries)
    assert_refused_and_unchanged(site, damaged, "checksum mismatch for 'database.dump'")


def test_an_altered_photo_is_refused(site, small_archive, tmp_path):
    entries = members(small_archive)
    index, (name, data) = next((i, entry) for i, entry in enumerate(entries) if entry[0].startswith("media/photos/"))
    entries[index] = (name, data[:-1] + bytes([data[-1] ^ 0xFF]))
    damaged = write_archive(tmp_path / "altered.tar", entries)
    assert_refused_and_unchanged(site, damaged, f"checksum mismatch for {name!r}")


@pytest.mark.parametrize(
    "name",
    ["media/../../escaped.txt", "../escaped.txt", "media/covers/../../../escaped.txt", "/tmp/escaped.txt", "media//x"],
)
def test_a_member_path_out_of_the_media_folder_is_refused(site, small_archive, tmp_path, name):
    payload = b"written where it must not be"
    entries = with_manifest(members(small_archive), lambda manifest: listed(manifest, name, payload))
    entries.insert(1, (name, payload))
    crafted = write_archive(tmp_path / "crafted.tar", entries)
    assert_refused_and_unchanged(site, crafted, f"unsafe member name {name!r}")
    assert not any(path.name == "escaped.txt" for path in tmp_path.parent.rglob("escaped.txt"))
    assert not Path("/tmp/escaped.txt").exists()


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_a_link_in_the_archive_is_refused(site, small_archive, tmp_path, kind):
    link = tarfile.TarInfo("media/covers/passwd")
    link.type, link.linkname = kind, "/etc/passwd"
    entries = members(small_archive)
    crafted = write_archive(tmp_path / "crafted.tar", [*entries[:-1], link, entries[-1]])
    assert_refused_and_unchanged(site, crafted, "'media/covers/passwd' is a link or a special file")


def test_a_site_with_content_is_refused_without_force(site, small_archive):
    before = site.state()
    result = site.restore(small_archive)
    assert result.returncode != 0
    assert "not empty (articles: 1, users: 1, media files: " in result.stderr, result.stderr
    assert "pass --force to replace everything in them" in result.stderr
    assert site.state() == before


def test_force_replaces_the_site_with_the_archive(site, small_archive):
    before = site.state()
    execute(site.database, "UPDATE articles_article SET title = 'Изменено после копии'")
    execute(site.database, "SELECT setval('newsroom_content_generation', 1000)")
    (site.media / "stray.jpg").write_bytes(b"not in the archive")
    assert site.state() != before
    result = site.restore(small_archive, "--force")
    assert result.returncode == 0, result.stderr
    assert site.state() == before
    # Pages cached under the replaced site's generations must not come back.
    assert fetch_value(site.database, "SELECT last_value FROM newsroom_content_generation") > 1000


def test_a_failing_database_restore_changes_nothing(site, small_archive):
    """A table the archive does not know holds a reference to the articles: dropping them fails midway."""
    execute(
        site.database,
        "CREATE TABLE blocker (article_id bigint REFERENCES articles_article (id))",
        "INSERT INTO blocker SELECT id FROM articles_article",
    )
    try:
        before = site.state()
        result = site.restore(small_archive, "--force")
        assert result.returncode != 0
        assert "failed and was rolled back: nothing was changed" in result.stderr, result.stderr
        assert site.state() == before
        assert not list(site.media.parent.glob(".media-restore-*"))
    finally:
        execute(site.database, "DROP TABLE blocker")


def test_check_reads_the_whole_archive_and_changes_nothing(site, small_archive):
    before = site.state()
    result = site.restore(small_archive, "--check")
    assert result.returncode == 0, result.stderr
    assert "is sound: every checksum matches" in result.stdout
    assert site.state() == before
