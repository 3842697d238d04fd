"""A serving process keeps the content generation and hears of every change at once, without a query per page.

These tests run outside a test transaction (as a serving process does): notifications are only delivered,
and listening only starts, on commit.
"""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from articles import workflow
from articles.models import Article, BreakingBanner, FrontPageSlot
from tests.factories import ArticleFactory
from tests.processes import eventually

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def in_another_process(change):
    """Run `change` on its own database connection, as another worker or server would."""

    def run():
        try:
            change()
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()


def test_a_cached_page_is_answered_without_a_query(client, django_assert_num_queries):
    ArticleFactory(published=True)
    client.get("/news/")

    with django_assert_num_queries(0):
        response = client.get("/news/")

    assert response["X-Page-Cache"] == "hit"


def test_a_change_committed_by_another_process_is_seen_at_once(client):
    article = ArticleFactory(published=True, title="Заголовок до правки")
    assert "Заголовок до правки" in client.get("/news/").content.decode()
    assert client.get("/news/")["X-Page-Cache"] == "hit"

    def correct_headline():
        story = Article.objects.get(pk=article.pk)
        story.title = "Заголовок после правки"
        story.save()

    in_another_process(correct_headline)

    assert eventually(lambda: "Заголовок после правки" in client.get("/news/").content.decode(), seconds=3)


def test_a_withdrawal_by_another_process_is_seen_at_once(client, moderator):
    article = ArticleFactory(published=True, title="Снимаемая новость")
    assert "Снимаемая новость" in client.get("/").content.decode()

    in_another_process(lambda: workflow.apply(Article.objects.get(pk=article.pk), "unpublish", by=moderator))

    assert eventually(lambda: "Снимаемая новость" not in client.get("/").content.decode(), seconds=3)


def test_a_scheduled_story_goes_live_at_its_time_in_a_listening_process(client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 3600  # pages outlive the wait: only the publication time can end it
    at = timezone.now() + timedelta(seconds=60)
    ArticleFactory(published=True, title="Уже вышедшая новость")
    ArticleFactory(published=True, title="Запланированный репортаж", publish_at=at)
    assert "Запланированный репортаж" not in client.get("/").content.decode()

    with time_machine.travel(at - timedelta(seconds=1), tick=False):
        early = client.get("/")
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        on_time = client.get("/")

    assert early["X-Page-Cache"] == "hit" and "Запланированный репортаж" not in early.content.decode()
    assert "Запланированный репортаж" in on_time.content.decode()


def test_a_pin_and_the_banner_end_at_their_time_in_a_listening_process(client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 3600  # pages outlive the wait: only the end time can end them
    at = timezone.now() + timedelta(seconds=60)
    ArticleFactory(published=True, title="Самая свежая новость", publish_at=timezone.now() - timedelta(minutes=5))
    pinned = ArticleFactory(
        published=True, title="Закреплённый репортаж", publish_at=timezone.now() - timedelta(days=2)
    )
    FrontPageSlot.objects.create(position=1, article=pinned, ends_at=at)
    BreakingBanner.objects.create(text="Буран на трассе Петропавловск — Астана", link="/news/", ends_at=at)

    def lead(response):
        return response.content.decode().split("Последние новости")[0]

    first = client.get("/")
    with time_machine.travel(at - timedelta(seconds=1), tick=False):
        early = client.get("/")
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        on_time = client.get("/")

    assert "Закреплённый репортаж" in lead(first) and "Буран на трассе" in first.content.decode()
    assert early["X-Page-Cache"] == "hit" and "Буран на трассе" in early.content.decode()
    assert "Закреплённый репортаж" not in lead(on_time) and "Самая свежая новость" in lead(on_time)
    assert "Буран на трассе" not in on_time.content.decode()


def test_a_banner_put_up_by_another_process_is_seen_at_once(client):
    ArticleFactory(published=True)
    client.get("/news/")
    assert client.get("/news/")["X-Page-Cache"] == "hit"

    in_another_process(
        lambda: BreakingBanner.objects.create(
            text="Гололёд: закрыта трасса", link="/news/", ends_at=timezone.now() + timedelta(hours=1)
        )
    )

    assert eventually(lambda: "Гололёд: закрыта трасса" in client.get("/news/").content.decode(), seconds=3)


def test_a_process_whose_connection_the_server_closed_listens_again(client):
    article = ArticleFactory(published=True, title="Новость до перезапуска")
    client.get("/news/")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()

    def restart_and_correct():  # the database server drops this process's connection; then an editor saves
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        story = Article.objects.get(pk=article.pk)
        story.title = "Новость после перезапуска"
        story.save()

    in_another_process(restart_and_correct)

    assert eventually(lambda: "Новость после перезапуска" in client.get("/news/").content.decode(), seconds=3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone() != (pid,)
