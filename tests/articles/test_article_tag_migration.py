"""Migration 0008 moves the article taggings out of taggit's generic table, with the article's fields, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles.models import Article, ArticleTag
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

BEFORE, AFTER = ("articles", "0007_listing_indexes"), ("articles", "0008_article_tag")


def migrate(target):
    with connection.cursor() as cursor:
        # The test's own transaction holds deferred foreign-key checks that would block dropping the table.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    MigrationExecutor(connection).migrate([target])


def generic_taggings():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT item.object_id, tag.name FROM taggit_taggeditem item "
            "JOIN taggit_tag tag ON tag.id = item.tag_id "
            "JOIN django_content_type type ON type.id = item.content_type_id "
            "WHERE type.app_label = 'articles' AND type.model = 'article'"
        )
        return set(cursor.fetchall())


def test_migration_moves_article_taggings_with_the_article_fields_and_back():
    published = ArticleFactory(published=True, tags=["посевная", "село"])
    draft = ArticleFactory(language="kk", tags=["посевная"])
    ArticleFactory(published=True)

    migrate(BEFORE)

    assert generic_taggings() == {(published.pk, "посевная"), (published.pk, "село"), (draft.pk, "посевная")}

    migrate(AFTER)

    assert generic_taggings() == set()
    moved = set(ArticleTag.objects.values_list("content_object", "tag__name", *ArticleTag.COPIED_FIELDS))
    assert moved == {
        (published.pk, "посевная", Article.Status.PUBLISHED, "ru", published.publish_at),
        (published.pk, "село", Article.Status.PUBLISHED, "ru", published.publish_at),
        (draft.pk, "посевная", Article.Status.DRAFT, "kk", None),
    }
