"""Migration 0026 moves every cover into the photo library (the same file, not a copy), and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles.models import Article, ArticleRevision, Photo, RevisionPhoto
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BEFORE = ("articles", "0025_cover_photo")


def migrate(target):
    with connection.cursor() as cursor:
        # The test's own transaction holds deferred foreign-key checks that would block altering the table.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def latest():
    [leaf] = [node for node in MigrationExecutor(connection).loader.graph.leaf_nodes() if node[0] == "articles"]
    return leaf


def test_covers_and_the_covers_revisions_name_become_library_photos(media_root):
    author = UserFactory(username="aidos", is_staff=True)
    old = migrate(BEFORE)
    OldArticle, OldRevision = old.get_model("articles", "Article"), old.get_model("articles", "ArticleRevision")
    forum = OldArticle.objects.create(
        title="Форум",
        slug="forum",
        author_id=author.pk,
        cover_image="covers/2025/01/forum.jpg",
        cover_width=1600,
        cover_height=1000,
        cover_alt="Зал форума",
        cover_caption="Участники",
        cover_credit="Фото: Айдос Серик",
    )
    plain = OldArticle.objects.create(title="Без фото", slug="bez-foto", author_id=author.pk)
    earlier = {"title": "Форум", "cover_image": "covers/2025/01/earlier.jpg", "cover_alt": "Вход"}
    OldRevision.objects.create(article=forum, version=1, data=earlier)
    OldRevision.objects.create(article=forum, version=2, data={"cover_image": "covers/2025/01/forum.jpg"})
    kept = OldRevision.objects.create(
        article=forum, version=2, is_applied=False, data={"cover_image": "kept:ab12.jpg", "cover_alt": "Набережная"}
    )
    old.get_model("articles", "RevisionPhoto").objects.create(
        revision=kept, name="ab12.jpg", content_type="image/jpeg", content=b"x"
    )
    OldRevision.objects.create(article=plain, version=1, data={"title": "Без фото", "cover_image": ""})

    migrate(latest())

    forum = Article.objects.select_related("cover_photo").get(slug="forum")
    photo = forum.cover_photo
    assert photo.file.name == "covers/2025/01/forum.jpg"  # the same file: nothing copied
    assert (photo.width, photo.height) == (1600, 1000)
    assert (photo.alt_text, photo.caption, photo.credit) == ("Зал форума", "Участники", "Фото: Айдос Серик")
    assert photo.uploaded_by == author
    assert Article.objects.get(slug="bez-foto").cover_photo is None
    snapshots = {revision.pk: revision.data for revision in ArticleRevision.objects.all()}
    earlier = Photo.objects.get(file="covers/2025/01/earlier.jpg")
    assert earlier.alt_text == "Вход" and earlier.uploaded_by == author
    assert sorted(str(data.get("cover_photo")) for data in snapshots.values()) == sorted(
        [str(earlier.pk), str(photo.pk), "kept:ab12.jpg", "None"]
    )
    assert not any("cover_image" in data or "cover_alt" in data for data in snapshots.values())
    assert RevisionPhoto.objects.get(revision_id=kept.pk).alt_text == "Набережная"
    assert Photo.objects.count() == 2
    assert forum.cover.webp_srcset  # renditions of the moved file, as for any library photo

    old = migrate(BEFORE)
    OldArticle = old.get_model("articles", "Article")
    back = OldArticle.objects.get(slug="forum")
    assert (back.cover_image.name, back.cover_alt, back.cover_width) == ("covers/2025/01/forum.jpg", "Зал форума", 1600)
    data = old.get_model("articles", "ArticleRevision").objects.get(pk=kept.pk).data
    assert data["cover_image"] == "kept:ab12.jpg"

    migrate(latest())
    assert Photo.objects.count() == 2  # run again, the files already in the library keep their photos
