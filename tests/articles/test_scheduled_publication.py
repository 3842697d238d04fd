from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles import workflow
from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_scheduled_story_appears_at_its_time_without_any_background_job(client, journalist, moderator):
    article = ArticleFactory(author=journalist, title="Итоги посевной в районе Шал акына")
    workflow.apply(article, "submit", by=journalist)
    at = timezone.now() + timedelta(hours=6)
    workflow.apply(article, "approve", by=moderator, publish_at=at)

    with time_machine.travel(at - timedelta(minutes=1), tick=False):
        assert article.title not in client.get("/").content.decode()
        assert article.title not in client.get("/news/").content.decode()
        assert client.get(article.get_absolute_url()).status_code == 404
    with time_machine.travel(at + timedelta(minutes=1), tick=False):
        assert article.title in client.get("/").content.decode()
        assert article.title in client.get("/news/").content.decode()
        assert client.get(article.get_absolute_url()).status_code == 200


def test_a_story_approved_for_later_is_scheduled_until_its_time_then_live():
    at = timezone.now() + timedelta(hours=6)
    story = ArticleFactory(published=True, publish_at=at)
    ArticleFactory(publish_at=at)  # a draft with a time is not scheduled
    before, after = at - timedelta(minutes=1), at + timedelta(minutes=1)

    assert story.is_scheduled(before) and not story.is_live(before)
    assert list(Article.objects.scheduled(before)) == [story]
    assert not Article.objects.published(before).exists()

    assert story.is_live(after) and not story.is_scheduled(after)
    assert not Article.objects.scheduled(after).exists()
    assert list(Article.objects.published(after)) == [story]
