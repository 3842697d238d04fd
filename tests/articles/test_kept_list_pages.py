"""A list's pages kept by their keys per content generation (newsroom/pagination.py, BoundedPaginator.kept_page).

Once a page has been read, the next request for it reads only its own rows by key: no count, no OFFSET, no
ranking. What readers see stays as fresh as the content generation: the next request after a publication,
a correction or a withdrawal shows it.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from articles import workflow
from articles.models import Article
from newsroom import pagination
from newsroom.caching import forget_local_copies
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kept_from_the_first_miss(settings, monkeypatch):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # every request renders: what is measured is the list itself
    settings.NEWSROOM_PAGE_CACHE_STORE_AFTER = 1
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    forget_local_copies()


def story(title, hours_ago, **fields):
    return ArticleFactory(published=True, title=title, publish_at=timezone.now() - timedelta(hours=hours_ago), **fields)


def get(client, path, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode(), [query["sql"] for query in captured.captured_queries]


def shown(content, titles):
    return sorted((title for title in titles if title in content), key=content.index)


@pytest.mark.parametrize("path", ["/news/", "/tags/vybory/"])
def test_a_deep_page_read_again_reads_its_rows_by_key_and_shows_the_same_stories(client, path):
    tag = Tag.objects.create(name="выборы", slug="vybory")
    stories = [story(f"Новость номер {number}", hours_ago=number + 1, tags=[tag]) for number in range(7)]
    titles = [article.title for article in stories]

    first, first_sqls = get(client, path, page="3")
    again, again_sqls = get(client, path, page="3")

    assert shown(first, titles) == shown(again, titles) == titles[4:6]
    assert "« 1" not in again and "?page=4" in again  # the pager still knows there are four pages
    assert any("COUNT(*)" in sql for sql in first_sqls)
    assert not any("COUNT(*)" in sql or "OFFSET" in sql for sql in again_sqls)


def test_a_publication_and_a_withdrawal_show_on_the_next_request(client, moderator):
    older = [story(f"Старая новость {number}", hours_ago=number + 5) for number in range(3)]
    titles = [article.title for article in older]
    assert shown(get(client, "/news/")[0], titles) == titles[:2]

    fresh = story("Свежая новость о паводке", hours_ago=0)
    content, _ = get(client, "/news/")
    assert shown(content, [fresh.title, *titles]) == [fresh.title, titles[0]]

    workflow.apply(fresh, "unpublish", by=moderator)
    content, _ = get(client, "/news/")
    assert fresh.title not in content
    assert shown(content, titles) == titles[:2]


def test_kept_keys_never_show_a_story_readers_may_not_see(client):
    """A change made around the application (raw SQL) announces nothing; the page is read through public()."""
    stories = [story(f"Новость номер {number}", hours_ago=number + 1) for number in range(3)]
    get(client, "/news/")

    Article.objects.filter(pk=stories[0].pk).update(status=Article.Status.DRAFT)  # no signal, same generation
    content, _ = get(client, "/news/")

    assert stories[0].title not in content
    assert stories[1].title in content


def test_search_ranks_a_query_once_per_generation(client):
    lead = "Паводок подошёл к окраинам города."
    matching = [story(f"Паводок в Петропавловске, сводка {number}", number + 1, lead=lead) for number in range(3)]
    story("Урожай в Костанайской области", hours_ago=1)
    titles = [article.title for article in matching]

    first, first_sqls = get(client, "/search/", q="паводок")
    again, again_sqls = get(client, "/search/", q="паводок")
    other, _ = get(client, "/search/", q="урожай")

    assert shown(first, titles) == shown(again, titles) == titles[:2]
    assert "<mark>" in again  # the snippets are made for the page shown
    assert any("ts_rank" in sql for sql in first_sqls)
    assert not any("ts_rank" in sql for sql in again_sqls)
    assert "Урожай в Костанайской области" in other and not shown(other, titles)


def test_a_search_kept_without_results_finds_the_story_published_next(client):
    assert "Паводок отступает" not in get(client, "/search/", q="отступает")[0]
    assert "Паводок отступает" not in get(client, "/search/", q="отступает")[0]

    story("Паводок отступает", hours_ago=0)

    assert "Паводок отступает" in get(client, "/search/", q="отступает")[0]


def test_a_page_past_the_end_is_still_not_found(client):
    story("Единственная новость", hours_ago=1)

    assert client.get("/news/", {"page": "5"}).status_code == 404
    assert client.get("/news/", {"page": "5"}).status_code == 404
    assert client.get("/news/", {"page": "abc"}).status_code == 404
