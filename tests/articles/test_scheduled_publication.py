from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles import workflow
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
