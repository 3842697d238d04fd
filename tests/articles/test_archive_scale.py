"""The shape of the queries that keep list, tag, search and admin pages flat as the archive grows.

Timings come from `make bench`; these tests pin what the pages ask the database for, and that the
readers still get the right stories in the right order.
"""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.admin.article import ArticleAdmin
from articles.models import Article
from newsroom import pagination
from regions.models import Region
from tests.factories import ArticleFactory, PhotoFactory

pytestmark = pytest.mark.django_db

REGION = "severo-kazakhstanskaya-oblast"


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0


def get(client, path, **params):
    """The response and the SQL of every query it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return response, [query["sql"] for query in captured.captured_queries]


def story(title, hours_ago, **fields):
    return ArticleFactory(published=True, title=title, publish_at=timezone.now() - timedelta(hours=hours_ago), **fields)


def listed(response, titles):
    """Those of `titles` that the page shows, in the order it shows them."""
    content = response.content.decode()
    return sorted((title for title in titles if title in content), key=content.index)


def test_search_counts_with_the_ranking_and_makes_headlines_for_the_page_only(client):
    for number in range(25):
        story(f"Элеватор номер {number}", hours_ago=number + 1)

    response, sqls = get(client, "/search/", q="элеватор", page="2")

    assert "Найдено материалов: 25" in response.content.decode()
    assert not [sql for sql in sqls if "COUNT(*)" in sql and "articles_article" in sql]
    [ranking] = [sql for sql in sqls if "ts_rank" in sql]
    assert "ts_headline" not in ranking
    [headlines] = [sql for sql in sqls if "ts_headline" in sql]
    shown = response.context["page"].object_list
    asked_for = headlines.rsplit('"articles_article"."id" IN (', 1)[1].rstrip(")").split(", ")
    assert len(shown) == 5 and sorted(map(int, asked_for)) == sorted(article.pk for article in shown)


def test_tag_page_lists_its_visible_stories_newest_first_from_the_taggings(client):
    older = story("Старая новость о форуме", hours_ago=5, tags=["форум"])
    newer = story("Свежая новость о форуме", hours_ago=1, tags=["форум"])
    story("Новость без тега", hours_ago=2)
    ArticleFactory(title="Черновик о форуме", tags=["форум"])
    story("Будущая новость о форуме", hours_ago=-2, tags=["форум"])
    story("Форум туралы жаңалық", hours_ago=3, tags=["форум"], language="kk")
    titles = Article.objects.values_list("title", flat=True)

    response, sqls = get(client, reverse("articles:tag", args=[Tag.objects.get(name="форум").slug]))

    assert listed(response, titles) == [newer.title, older.title]
    count, page = [sql for sql in sqls if "articles_articletag" in sql]
    # counted from the taggings alone; the page's ids from them, the articles read by primary key
    assert count.startswith("SELECT COUNT(*)") and '"articles_article"' not in count
    assert '"articles_article"."id" IN (SELECT U0."content_object_id"' in page and "LIMIT 20)" in page


def plan_nodes(node, ancestors=()):
    """Every node of an EXPLAIN (FORMAT JSON) plan with the nodes above it, nearest first."""
    yield node, ancestors
    for child in node.get("Plans", []):
        yield from plan_nodes(child, (node, *ancestors))


def test_tag_page_reads_its_page_and_count_from_the_tag_index_without_sorting_the_tag(client, monkeypatch):
    monkeypatch.setattr(pagination, "PAGE_SIZE", 5)
    for number in range(12):
        story(f"Новость о форуме номер {number}", hours_ago=number + 1, tags=["форум", "село"])
        story(f"Новость о селе номер {number}", hours_ago=number + 1, tags=["село"])
    ArticleFactory(title="Черновик о форуме", tags=["форум"])

    _, sqls = get(client, reverse("articles:tag", args=["форум"]), page="2")

    tagged = [sql for sql in sqls if "articles_articletag" in sql]
    assert len(tagged) == 2
    with connection.cursor() as cursor:
        # A few dozen rows: without this the planner would rightly read the whole table instead.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        for sql in tagged:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0][0]["Plan"]
            scans = [(node, above) for node, above in plan_nodes(plan) if "articletag" in node.get("Relation Name", "")]
            assert scans and all(node["Index Name"] == "article_tag_listing_idx" for node, _ in scans), sql
            for _, above in scans:
                # the rows come out of the index in page order: nothing sorts them before the LIMIT
                up_to_limit = list(itertools.takewhile(lambda node: node["Node Type"] != "Limit", above))
                assert len(up_to_limit) < len(above), "no LIMIT over the tag's taggings"
                assert not [node for node in up_to_limit if "Sort" in node["Node Type"]], sql


def test_page_count_ignores_ordering(client):
    story("Новость", hours_ago=1)

    _, sqls = get(client, "/news/")

    [count] = [sql for sql in sqls if sql.startswith("SELECT COUNT(*)")]
    assert "ORDER BY" not in count


@pytest.mark.parametrize("path", ["/news/", f"/regions/{REGION}/"])
def test_list_count_and_deep_page_keys_do_not_join_the_covers(client, monkeypatch, path):
    """Cards carry their cover's columns (a join); counting and a deep page's keys must not. With the join,
    PostgreSQL cannot answer them from the listing index alone and reads every counted row from the table:
    2,000 per count on a large archive (the region page's p50 went 1.04× → 1.45× at 100,000 stories)."""
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    region = Region.objects.get(slug=REGION)
    for number in range(7):
        story(f"Новость номер {number}", hours_ago=number + 1, region=region, cover_photo=PhotoFactory())

    response, sqls = get(client, path, page="3")

    assert "Новость номер 4" in response.content.decode()
    [count] = [sql for sql in sqls if sql.startswith("SELECT COUNT(*)")]
    [page] = [sql for sql in sqls if '"articles_article"."id" IN (SELECT' in sql]
    keys = page.split('"articles_article"."id" IN (SELECT', 1)[1].split("OFFSET", 1)[0]
    assert "articles_photo" in page  # the cards' covers, in the same query
    assert "articles_photo" not in count and "articles_photo" not in keys


def test_deep_page_reads_only_its_own_rows_and_shows_the_right_ones(client, monkeypatch):
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    stories = [story(f"Новость номер {number}", hours_ago=number + 1) for number in range(7)]

    response, sqls = get(client, "/news/", page="3")

    assert listed(response, [a.title for a in stories]) == [stories[4].title, stories[5].title]
    [page] = [sql for sql in sqls if '"articles_article"."title"' in sql]
    assert "OFFSET 4" in page and '"articles_article"."id" IN (SELECT' in page


def test_admin_list_counts_at_most_the_bounded_pages(client, moderator, monkeypatch):
    monkeypatch.setattr(pagination, "MAX_PAGES", 2)
    monkeypatch.setattr(ArticleAdmin, "list_per_page", 2)
    for number in range(6):
        story(f"Новость номер {number}", hours_ago=number + 1)
    client.force_login(moderator)

    _, sqls = get(client, reverse("admin:articles_article_changelist"))

    [count] = [sql for sql in sqls if sql.startswith("SELECT COUNT(*)")]
    assert "LIMIT 4" in count
