"""/metrics reports the task queue's depth and failures, by queue."""

import pytest
from django.db import connection

from articles import workflow
from articles.models import Article
from tests.factories import ArticleFactory
from tests.test_metrics import metrics_access, samples, value  # noqa: F401 (metrics_access: autouse fixture)

MAIL = "mail"


@pytest.mark.django_db
def test_the_metrics_count_waiting_and_failed_jobs_by_queue(client, journalist, moderator, empty_queue):
    assert not [key for key in samples(client) if key[0] == "newsroom_tasks"]  # an empty queue reports nothing

    for _ in range(2):
        workflow.apply(ArticleFactory(author=journalist, status=Article.Status.REVIEW), "approve", by=moderator)
    found = samples(client)
    assert value(found, "newsroom_tasks", queue=MAIL, status="todo") == 2
    assert ("newsroom_tasks", (("queue", MAIL), ("status", "failed"))) in found  # a zero, not a missing series
    assert value(found, "newsroom_tasks", queue=MAIL, status="failed") == 0

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'failed' WHERE id = (SELECT min(id) FROM procrastinate_jobs)"
        )
    found = samples(client)
    assert value(found, "newsroom_tasks", queue=MAIL, status="todo") == 1
    assert value(found, "newsroom_tasks", queue=MAIL, status="failed") == 1
