"""The nightly clean-up removes old uploads nothing names, and keeps every file a row names or that is recent."""

import os
from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage, InMemoryStorage, default_storage, storages
from django.utils import timezone

from articles.models import ArticleDraft, ArticleRevision, Photo
from newsroom.background.orphaned_uploads import remove_orphaned_uploads
from parties.models import Party
from tests.factories import ArticleFactory, jpeg_file

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(days=3)

OLD_FILES = {
    # cover photos
    "covers/2025/01/current.jpg": "kept",  # the story's cover
    "covers/2025/01/replaced.jpg": "kept",  # replaced, but a revision still names it
    "covers/2025/01/orphan.jpg": "removed",  # its story was deleted
    "renditions/covers/2025/01/orphan/8c1f.webp": "removed",  # the orphan's rendition goes with it
    "renditions/covers/2025/01/replaced/41d2.webp": "kept",
    # the editor's pictures and their thumbnails
    "uploads/5/in-body.jpg": "kept",
    "uploads/5/in-body_thumb.jpg": "kept",
    "uploads/5/%D1%84%D0%BE%D1%82%D0%BE.jpg": "removed",  # a name that only looks like an encoded link
    "uploads/5/фото.jpg": "kept",  # linked URL-encoded from a body
    "uploads/5/in-unapplied-revision.jpg": "kept",  # a colleague's unapplied edit still shows it
    "uploads/5/in-party.jpg": "kept",  # a party's description links it
    "uploads/5/never-used.jpg": "removed",
    "uploads/5/never-used_thumb.jpg": "removed",
    # not an upload folder: never touched
    "exports/report.jpg": "kept",
}
RECENT_FILES = {"uploads/5/being-written.jpg": "kept", "covers/2025/01/just-uploaded.jpg": "kept"}


def rows_that_name_files():
    ArticleFactory(
        cover_photo=Photo.objects.create(file="covers/2025/01/current.jpg", width=8, height=8, alt_text="Фото"),
        body=(
            '<p><img src="/media/uploads/5/in-body.jpg" alt="a"></p>'
            '<p><img src="https://media.example.kz/uploads/5/%D1%84%D0%BE%D1%82%D0%BE.jpg" alt="b"></p>'
        ),
    )
    revised = ArticleFactory(body="<p>Без фото.</p>")
    replaced = Photo.objects.create(file="covers/2025/01/replaced.jpg", width=8, height=8)
    ArticleRevision.objects.create(article=revised, version=1, data={"cover_photo": replaced.pk})
    ArticleRevision.objects.create(
        article=revised,
        version=2,
        is_applied=False,
        data={"body": '<figure><img src="/media/uploads/5/in-unapplied-revision.jpg?v=2"></figure>'},
    )
    Party.objects.create(name="Партия", slug="partiya", description="Логотип: /media/uploads/5/in-party.jpg")


def disk_storage(settings):
    """The default storage of the tests: the local disk under each test's MEDIA_ROOT."""
    storage = default_storage

    def put(name, age):
        storage.save(name, jpeg_file(size=(8, 8)))
        moment = (timezone.now() - age).timestamp()
        os.utime(storage.path(name), (moment, moment))

    return storage, put


def memory_storage(settings):
    """Another backend as the default storage: the clean-up uses the storage API only (as it must on S3)."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    assert isinstance(storages["default"], InMemoryStorage)
    storage = default_storage

    def put(name, age):
        with time_machine.travel(timezone.now() - age, tick=False):
            storage.save(name, jpeg_file(size=(8, 8)))

    return storage, put


@pytest.mark.parametrize("make_storage", [disk_storage, memory_storage], ids=["disk", "memory"])
def test_old_orphans_go_and_everything_named_or_recent_stays(settings, make_storage):
    settings.NEWSROOM_UPLOAD_GRACE_HOURS = 24
    storage, put = make_storage(settings)
    for name in OLD_FILES:
        put(name, LONG_AGO)
    for name in RECENT_FILES:
        put(name, timedelta(hours=2))
    rows_that_name_files()

    sweep = remove_orphaned_uploads()

    expected_gone = {name for name, fate in OLD_FILES.items() if fate == "removed"}
    assert set(sweep.removed) == expected_gone - {"renditions/covers/2025/01/orphan/8c1f.webp"}
    for name, fate in {**OLD_FILES, **RECENT_FILES}.items():
        assert storage.exists(name) is (fate == "kept"), name


def test_the_grace_period_protects_a_picture_not_saved_into_a_story_yet(settings):
    settings.NEWSROOM_UPLOAD_GRACE_HOURS = 24
    storage, put = disk_storage(settings)
    put("uploads/7/draft-picture.jpg", timedelta(hours=23))

    assert remove_orphaned_uploads(storage=storage).removed == []
    assert remove_orphaned_uploads(now=timezone.now() + timedelta(hours=2), storage=storage).removed == [
        "uploads/7/draft-picture.jpg"
    ]
    assert not storage.exists("uploads/7/draft-picture.jpg")


def test_nothing_to_do_without_an_upload_folder(settings):
    assert remove_orphaned_uploads(storage=FileSystemStorage(location=settings.MEDIA_ROOT)).removed == []


def test_library_photos_nothing_uses_go_with_their_files_after_the_grace_period(
    settings, journalist, media_root, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_UPLOAD_GRACE_HOURS = 24
    long_ago = timezone.now() - LONG_AGO

    def photo(uploaded_at=long_ago):
        made = Photo.objects.create_from_upload(jpeg_file(size=(900, 600)), journalist, alt_text="Фото")
        Photo.objects.filter(pk=made.pk).update(uploaded_at=uploaded_at)
        return made

    unused, recent = photo(), photo(uploaded_at=timezone.now())
    cover, in_body, in_revision, in_draft = photo(), photo(), photo(), photo()
    story = ArticleFactory(author=journalist, cover_photo=cover, body=f'<p><img src="/media/{in_body.file.name}"></p>')
    ArticleRevision.objects.create(article=story, version=1, data={"cover_photo": in_revision.pk})
    ArticleDraft.objects.create(
        user=journalist, article=story, key="k" * 32, data={"body": f'<img src="/media/{in_draft.file.name}">'}
    )
    rendition = unused.rendition_480_webp.name
    assert default_storage.exists(rendition)

    with django_capture_on_commit_callbacks(execute=True):
        sweep = remove_orphaned_uploads()

    assert sweep.photos_removed == 1
    assert set(Photo.objects.values_list("pk", flat=True)) == {
        p.pk for p in (recent, cover, in_body, in_revision, in_draft)
    }
    assert not default_storage.exists(unused.file.name) and not default_storage.exists(rendition)
    assert default_storage.exists(cover.file.name) and default_storage.exists(cover.rendition_480_webp.name)


def test_the_in_use_check_is_the_librarys(journalist):
    # The sweep and the delete refusal ask the same question (a gallery model will extend it in one place).
    used = Photo.objects.create_from_upload(jpeg_file(size=(64, 48)), journalist, alt_text="Фото")
    ArticleFactory(cover_photo=used)
    assert Photo.objects.in_use().get() == used and not Photo.objects.unused().exists()
    assert "cover_of" in Photo.USES
