"""A tag page lists exactly the stories readers may see, newest first, whichever way a story changes.

The page reads the article's taggings (articles.ArticleTag), which carry copies of the article's status,
language and publication time; these tests change stories every way the newsroom does and look at the
page a reader gets (the page cache stays on, as in production).
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from taggit.models import Tag

from articles import revisions, workflow
from articles.models import Article, ArticleTag
from newsroom import pagination
from tests.articles.test_admin_workflow import form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def tag_page(client, name="посевная", language="ru"):
    with translation.override(language):
        path = reverse("articles:tag", args=[name])
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def listed(client, titles, **page):
    """Those of `titles` that the tag page shows, in the order it shows them."""
    content = tag_page(client, **page)
    return sorted((title for title in titles if title in content), key=content.index)


def staff_client(user):
    """A separate browser for the editor, so that the reader's client stays anonymous (and cached)."""
    browser = Client()
    browser.force_login(user)
    return browser


def story(title, hours_ago=1, **fields):
    return ArticleFactory(published=True, title=title, publish_at=timezone.now() - timedelta(hours=hours_ago), **fields)


def test_story_is_on_its_tag_page_once_published_and_leaves_it_when_unpublished(client, moderator):
    article = ArticleFactory(title="Посевная в Кызылжарском районе", tags=["посевная"])
    story("Другая новость о посевной", hours_ago=3, tags=["посевная"])
    assert article.title not in tag_page(client)

    workflow.apply(article, "publish", by=moderator)
    assert article.title in tag_page(client)

    workflow.apply(article, "unpublish", by=moderator)
    assert article.title not in tag_page(client)
    assert "Другая новость о посевной" in tag_page(client)


def test_scheduled_story_joins_its_tag_page_at_its_publication_time(client, journalist, moderator):
    article = ArticleFactory(author=journalist, title="Посевная начнётся в понедельник", tags=["посевная"])
    workflow.apply(article, "submit", by=journalist)
    at = timezone.now() + timedelta(hours=6)
    workflow.apply(article, "approve", by=moderator, publish_at=at)

    assert article.title not in tag_page(client)
    with time_machine.travel(at - timedelta(minutes=1), tick=False):
        assert article.title not in tag_page(client)
    with time_machine.travel(at + timedelta(minutes=1), tick=False):
        assert article.title in tag_page(client)


def test_kazakh_story_is_on_the_kazakh_tag_page_and_not_the_russian_one(client):
    kazakh = story("Егіс науқаны басталды", language="kk", tags=["посевная"])
    russian = story("Посевная началась", tags=["посевная"])
    titles = [kazakh.title, russian.title]

    assert listed(client, titles, language="kk") == [kazakh.title]
    assert listed(client, titles) == [russian.title]


def test_story_saved_in_the_other_language_moves_to_that_tag_page(client, moderator):
    article = story("Посевная началась", tags=["посевная"])
    assert article.title in tag_page(client)

    response = staff_client(moderator).post(
        reverse("admin:articles_article_change", args=[article.pk]), form_data(article, language="kk")
    )

    assert response.status_code == 302
    assert article.title not in tag_page(client)
    assert article.title in tag_page(client, language="kk")


def test_tag_added_in_the_admin_after_publication_shows_the_story_on_its_page(client, moderator):
    article = story("Посевная в Мамлютском районе", tags=["село"])
    story("Другая новость о посевной", hours_ago=3, tags=["посевная"])
    assert article.title not in tag_page(client)

    response = staff_client(moderator).post(
        reverse("admin:articles_article_change", args=[article.pk]), form_data(article, tags="село, посевная")
    )

    assert response.status_code == 302
    assert article.title in tag_page(client)
    assert article.title in tag_page(client, name="село")


def test_tag_added_in_code_after_publication_shows_the_story_on_its_page(client):
    article = story("Посевная в Тайыншинском районе")
    story("Другая новость о посевной", hours_ago=3, tags=["посевная"])
    assert article.title not in tag_page(client)

    article.tags.add("посевная")

    assert article.title in tag_page(client)


def test_removed_tag_takes_the_story_off_its_page(client):
    article = story("Посевная в Есильском районе", tags=["посевная", "село"])
    assert article.title in tag_page(client)

    article.tags.remove("посевная")

    assert article.title not in tag_page(client)


def test_new_publication_time_reorders_the_tag_page(client, moderator, monkeypatch):
    monkeypatch.setattr(pagination, "PAGE_SIZE", 1)
    first = story("Первая новость о посевной", hours_ago=1, tags=["посевная"])
    second = story("Вторая новость о посевной", hours_ago=2, tags=["посевная"])
    titles = [first.title, second.title]
    assert listed(client, titles) == [first.title]

    moved = timezone.localtime(timezone.now() - timedelta(minutes=10))
    response = staff_client(moderator).post(
        reverse("admin:articles_article_change", args=[second.pk]),
        form_data(second, publish_at_0=moved.strftime("%d.%m.%Y"), publish_at_1=moved.strftime("%H:%M:%S")),
    )

    assert response.status_code == 302
    assert listed(client, titles) == [second.title]


def test_restored_revision_puts_the_story_back_on_the_tag_page_it_had(client, moderator):
    article = story("Посевная в Жамбылском районе", tags=["посевная"])
    original = revisions.record(article, moderator)
    article.tags.set(["село"])
    assert article.title not in tag_page(client)

    revisions.restore(article, original, moderator)

    assert article.title in tag_page(client)


def copies(article):
    """The copied fields of every tagging of `article`, and what they must be."""
    rows = set(ArticleTag.objects.filter(content_object=article).values_list(*ArticleTag.COPIED_FIELDS))
    article.refresh_from_db()
    return rows, {tuple(getattr(article, name) for name in ArticleTag.COPIED_FIELDS)}


def save_fields(article, **values):
    for name, value in values.items():
        setattr(article, name, value)
    article.save()


def save_only(article, **values):
    for name, value in values.items():
        setattr(article, name, value)
    article.save(update_fields=list(values))


def update_queryset(article, **values):
    Article.objects.filter(pk=article.pk).update(**values)


def bulk_update(article, **values):
    for name, value in values.items():
        setattr(article, name, value)
    Article.objects.bulk_update([article], list(values))


def raw_sql(article, **values):
    columns = ", ".join(f"{name} = %s" for name in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE articles_article SET {columns} WHERE id = %s", [*values.values(), article.pk])


@pytest.mark.parametrize("write", [save_fields, save_only, update_queryset, bulk_update, raw_sql])
def test_taggings_copy_the_article_fields_however_they_are_written(write):
    article = story("Посевная", tags=["посевная", "село"])
    later = timezone.now() + timedelta(days=1)

    write(article, status=Article.Status.ARCHIVED, language="kk", publish_at=later)

    rows, expected = copies(article)
    assert rows == expected == {(Article.Status.ARCHIVED, "kk", later)}


def test_queryset_update_keeps_copies_of_rows_it_no_longer_matches():
    in_review = ArticleFactory(status=Article.Status.REVIEW, tags=["посевная"])

    Article.objects.filter(status=Article.Status.REVIEW).update(
        status=Article.Status.PUBLISHED, publish_at=timezone.now()
    )

    rows, expected = copies(in_review)
    assert rows == expected


def insert_in_sql(article, tag):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO articles_articletag (content_object_id, tag_id, status, language) VALUES (%s, %s, %s, %s)",
            [article.pk, tag.pk, Article.Status.DRAFT, "kk"],
        )


def bulk_create(article, tag):
    ArticleTag.objects.bulk_create([ArticleTag(content_object=article, tag=tag, status="", language="")])


@pytest.mark.parametrize("insert", [insert_in_sql, bulk_create])
def test_a_tagging_takes_the_fields_of_its_article_whatever_the_insert_says(insert):
    article = story("Посевная", tags=["село"])
    tag = Tag.objects.create(name="посевная", slug="posevnaia")

    insert(article, tag)

    rows, expected = copies(article)
    assert rows == expected == {(Article.Status.PUBLISHED, "ru", article.publish_at)}


def test_a_tagging_moved_to_another_story_takes_its_fields():
    draft = ArticleFactory(language="kk", tags=["посевная"])
    published = story("Посевная")

    ArticleTag.objects.filter(content_object=draft).update(content_object=published)

    rows, expected = copies(published)
    assert rows == expected == {(Article.Status.PUBLISHED, "ru", published.publish_at)}


def test_saving_other_fields_leaves_the_taggings_alone():
    article = story("Посевная", tags=["посевная"])

    with CaptureQueriesContext(connection) as queries:
        article.save(update_fields=["views_count"])
        Article.objects.filter(pk=article.pk).update(views_count=5)

    assert queries.captured_queries
    assert not [query for query in queries.captured_queries if "articles_articletag" in query["sql"]]


def test_a_partial_save_of_an_outdated_story_keeps_its_tag_copies_true_to_the_saved_row(client):
    story_ru = story("Посевная: итоги", tags=["посевная"])
    outdated = Article.objects.get(pk=story_ru.pk)
    Article.objects.filter(pk=story_ru.pk).update(language="kk")  # changed elsewhere since it was read

    outdated.is_featured = True
    outdated.save(update_fields=["is_featured", "status"])

    assert list(ArticleTag.objects.filter(content_object=story_ru).values_list("language", flat=True)) == ["kk"]
