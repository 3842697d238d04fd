"""A job whose worker died mid-job is put back in the queue and done: the e-mail still goes out."""

import pytest
from django.db import connection

from articles import workflow
from articles.models import Article
from newsroom.background.tasks import retry_stalled_jobs
from tests.background.conftest import jobs
from tests.factories import ArticleFactory
from tests.processes import eventually, free_port

MAIL_TASK = "articles.send_workflow_mail"


def leave_with_a_dead_worker(task_name):
    """Mark the task's job as started by a worker that stopped beating an hour ago (killed mid-job)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour') RETURNING id"
        )
        [worker_id] = cursor.fetchone()
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE task_name = %s",
            [worker_id, task_name],
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mail_job_left_by_a_dead_worker_is_sent_after_all(journalist, moderator, start_worker, smtp_server):
    article = ArticleFactory(author=journalist, status=Article.Status.REVIEW)
    workflow.apply(article, "approve", by=moderator)
    leave_with_a_dead_worker(MAIL_TASK)
    assert [status for status, _, _ in jobs(MAIL_TASK)] == ["doing"]

    port = free_port()
    mailbox = smtp_server(port)
    worker = start_worker(EMAIL_URL=f"smtp://127.0.0.1:{port}")
    retry_stalled_jobs.defer(timestamp=0)  # what the periodic run does every five minutes

    assert eventually(lambda: mailbox.messages, seconds=30), worker.output()
    assert mailbox.messages[0].rcpt_tos == [journalist.email]
    assert eventually(lambda: jobs(MAIL_TASK)[0][0] == "succeeded", seconds=10), worker.output()
