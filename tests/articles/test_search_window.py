"""Search looks among the newest stories first; readers get the same results as from the whole archive."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search as full_text
from newsroom import pagination
from tests.articles.test_search import result_titles, search
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_window(monkeypatch):
    """A window of the newest 4 stories, 3 ranked candidates and pages of 2: the archive is "large"."""
    monkeypatch.setattr(full_text, "RECENT_WINDOW", 4)
    monkeypatch.setattr(full_text, "MAX_CANDIDATES", 3)
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)


def story(title, days_ago):
    return ArticleFactory(published=True, title=title, publish_at=timezone.now() - timedelta(days=days_ago))


def ranking_sql(queries):
    return [query["sql"] for query in queries if "ts_rank" in query["sql"]]


def whole_archive_was_read(sql):
    """Whether the whole-archive branch of a ranking query ran (it sits under a one-time condition)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0][0]["Plan"]

    def guarded(node):
        if "One-Time Filter" in node:
            return [child for child in node.get("Plans", []) if child.get("Parent Relationship") != "InitPlan"]
        return [found for child in node.get("Plans", []) for found in guarded(child)]

    [branch] = guarded(plan)
    return branch["Actual Loops"] > 0


def test_common_word_is_answered_from_the_recent_window_alone(client, small_window):
    for day in range(6):
        story(f"Элеватор номер {day}", day)

    with CaptureQueriesContext(connection) as queries:
        response = search(client, "элеватор")

    assert result_titles(response) == ["Элеватор номер 0", "Элеватор номер 1"]
    [ranking] = ranking_sql(queries.captured_queries)
    assert not whole_archive_was_read(ranking), "the window held enough matches"
    assert "Совпадений много — показаны 3 самых свежих материалов" in response.content.decode()


def test_windowed_pages_equal_the_whole_archive_pages(client, small_window, monkeypatch):
    for day in range(6):
        story(f"Элеватор номер {day}", day)
    story("Элеватор и элеваторы: обзор", 1)  # ranks first among the newest three matches
    windowed = [result_titles(search(client, "элеватор", page=str(page))) for page in (1, 2)]

    cache.clear()
    monkeypatch.setattr(full_text, "RECENT_WINDOW", 1000)
    whole = [result_titles(search(client, "элеватор", page=str(page))) for page in (1, 2)]

    assert windowed == whole
    assert windowed[0][0] == "Элеватор и элеваторы: обзор"


def test_rare_word_is_found_in_a_story_older_than_the_window(client, small_window):
    story("Старый мост через Ишим", 400)
    for day in range(6):
        story(f"Элеватор номер {day}", day)

    with CaptureQueriesContext(connection) as queries:
        response = search(client, "мост")

    assert result_titles(response) == ["Старый мост через Ишим"]
    assert "Найден 1 материал" in response.content.decode()
    [ranking] = ranking_sql(queries.captured_queries)
    assert whole_archive_was_read(ranking)


def test_second_page_of_a_rare_word_comes_from_the_whole_archive(client, small_window):
    for day in range(6):
        story(f"Элеватор номер {day}", day)
    for day in (300, 301, 302):
        story(f"Мост номер {day}", day)

    first = search(client, "мост")
    second = search(client, "мост", page="2")

    assert result_titles(first) == ["Мост номер 300", "Мост номер 301"]
    assert result_titles(second) == ["Мост номер 302"]


def test_window_start_is_kept_until_the_content_changes(client, small_window):
    for day in range(6):
        story(f"Элеватор номер {day}", day)
    search(client, "элеватор")

    with CaptureQueriesContext(connection) as queries:
        search(client, "элеватор")
    assert not [query for query in queries if "OFFSET 3" in query["sql"]], "the window start is cached"

    story("Элеватор, самый новый", 0)
    response = search(client, "элеватор")
    assert result_titles(response)[0] == "Элеватор, самый новый"
