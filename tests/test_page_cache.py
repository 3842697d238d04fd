from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles import workflow
from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_anonymous_pages_are_cached_and_cacheable(client):
    ArticleFactory(published=True, title="Первая новость")
    first = client.get("/news/")
    second = client.get("/news/")
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "public" in second["Cache-Control"] and "max-age=0" in second["Cache-Control"]
    assert "must-revalidate" in second["Cache-Control"]
    assert "Cookie" in second["Vary"]
    assert second.has_header("ETag")


def test_conditional_get_answers_304(client):
    ArticleFactory(published=True)
    etag = client.get("/").headers["ETag"]
    assert client.get("/", headers={"if-none-match": etag}).status_code == 304


def test_publication_and_withdrawal_show_on_the_very_next_request(client, journalist, moderator):
    article = ArticleFactory(author=journalist, status=Article.Status.REVIEW, title="Срочная новость из Тайынши")
    assert article.title not in client.get("/").content.decode()
    workflow.apply(article, "approve", by=moderator)
    assert article.title in client.get("/").content.decode()
    article.title = "Срочная новость из Тайынши (уточнено)"
    article.save()
    assert "(уточнено)" in client.get("/").content.decode()
    workflow.apply(article, "unpublish", by=moderator)
    assert "Срочная новость" not in client.get("/").content.decode()


def test_scheduled_story_appears_on_cached_pages_at_its_time(client, journalist, moderator):
    article = ArticleFactory(author=journalist, status=Article.Status.REVIEW, title="Запланированный репортаж")
    at = timezone.now() + timedelta(minutes=2)
    workflow.apply(article, "approve", by=moderator, publish_at=at)
    assert article.title not in client.get("/").content.decode()
    assert client.get("/")["X-Page-Cache"] == "hit"
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        assert article.title in client.get("/").content.decode()


def test_logged_in_staff_never_get_a_cached_page(client, moderator):
    ArticleFactory(published=True)
    client.get("/")
    client.force_login(moderator)
    response = client.get("/")
    assert not response.has_header("X-Page-Cache")
    assert "private" in response["Cache-Control"]


def test_each_city_gets_its_own_header(client):
    client.get("/")
    client.cookies["newsroom_city"] = "almaty/almaty"
    assert "Алматы" in client.get("/").content.decode().split("</header>")[0]


def test_a_change_made_by_another_process_is_seen(client):
    """Another worker's save moves the shared sequence; this process's cached page is then stale."""
    from django.db import connection

    ArticleFactory(published=True)
    client.get("/news/")
    assert client.get("/news/")["X-Page-Cache"] == "hit"
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('newsroom_content_generation')")  # what a save elsewhere does
    assert client.get("/news/")["X-Page-Cache"] == "miss"


def test_a_corrected_headline_shows_in_every_list_at_once(client):
    article = ArticleFactory(published=True, title="Первоначальный заголовок карточки")
    ArticleFactory(published=True)
    assert "Первоначальный заголовок карточки" in client.get("/news/").content.decode()
    article.title = "Исправленный заголовок карточки"
    article.save()
    page = client.get("/news/").content.decode()
    assert "Исправленный заголовок карточки" in page and "Первоначальный" not in page


def test_a_cache_hit_carries_the_headers_of_a_rendered_page(client):
    ArticleFactory(published=True)
    miss = client.get("/news/")
    hit = client.get("/news/")
    assert hit["X-Page-Cache"] == "hit"
    for header in [
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "ETag",
        "Content-Language",
    ]:
        assert hit[header] == miss[header], header


def test_a_cache_hit_answers_304_to_a_browser_holding_the_page(client):
    ArticleFactory(published=True)
    etag = client.get("/news/")["ETag"]
    assert client.get("/news/")["X-Page-Cache"] == "hit"
    not_modified = client.get("/news/", headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert client.get("/news/", headers={"if-none-match": '"another"'}).status_code == 200


def test_russian_and_kazakh_pages_are_cached_apart(client):
    ArticleFactory(published=True)
    russian = client.get("/")
    kazakh = client.get("/kk/")
    assert client.get("/")["Content-Language"] == "ru" and client.get("/kk/")["Content-Language"] == "kk"
    assert '<html lang="ru">' in russian.content.decode() and '<html lang="kk">' in kazakh.content.decode()


def test_a_reader_with_a_session_cookie_is_never_served_or_stored(client):
    ArticleFactory(published=True)
    client.cookies["sessionid"] = "not-a-real-session"
    response = client.get("/news/")
    assert not response.has_header("X-Page-Cache")
    del client.cookies["sessionid"]
    assert client.get("/news/")["X-Page-Cache"] == "miss"


def test_a_cache_hit_reads_only_the_content_generation(client, django_assert_num_queries):
    ArticleFactory(published=True)
    client.get("/news/")
    with django_assert_num_queries(1):
        assert client.get("/news/")["X-Page-Cache"] == "hit"


def test_a_head_request_first_does_not_leave_a_page_without_etag(client):
    ArticleFactory(published=True)
    client.head("/news/")
    first_get = client.get("/news/")
    second_get = client.get("/news/")
    assert first_get.has_header("ETag")
    assert second_get["X-Page-Cache"] == "hit" and second_get["ETag"] == first_get["ETag"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_rendered_before_a_change_is_committed_is_not_served_after_it(client):
    """The sequence moves at save, before commit; a reader rendering in between must not pin the old text."""
    import threading

    from django.db import connection, transaction
    from django.test import Client

    article = ArticleFactory(published=True, title="Заголовок до правки")
    seen_during_the_transaction = []

    def read_elsewhere():
        try:
            seen_during_the_transaction.append(Client().get(article.get_absolute_url()).content.decode())
        finally:
            connection.close()

    with transaction.atomic():
        article.title = "Заголовок после правки"
        article.save()
        reader = threading.Thread(target=read_elsewhere)
        reader.start()
        reader.join()

    assert "Заголовок до правки" in seen_during_the_transaction[0]
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Заголовок после правки" in page
