"""Failed and queued jobs in the admin: superusers see them (in Russian), nobody else does."""

import pytest
from django.urls import reverse

from articles import workflow
from articles.models import Article
from newsroom.background.models import Job
from tests.background.conftest import jobs
from tests.factories import ArticleFactory, UserFactory
from tests.processes import eventually, free_port

MAIL_TASK = "articles.send_workflow_mail"


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_superuser_sees_a_mail_that_failed_for_good_and_can_retry_it(
    superuser_client, journalist, moderator, start_worker
):
    # One try only, to a mail server that is down: the job fails for good at once.
    worker = start_worker(NEWSROOM_MAIL_ATTEMPTS="1", EMAIL_URL=f"smtp://127.0.0.1:{free_port()}")
    article = ArticleFactory(author=journalist, status=Article.Status.REVIEW)
    workflow.apply(article, "approve", by=moderator)
    assert eventually(lambda: [job for job in jobs(MAIL_TASK) if job[0] == "failed"], seconds=30), worker.output()

    changelist = superuser_client.get(reverse("admin:background_job_changelist") + "?status=failed")
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert "Фоновые задачи" in html and MAIL_TASK in html and "ошибка" in html

    job_id = jobs_ids(MAIL_TASK)[0]
    page = superuser_client.get(reverse("admin:background_job_change", args=[job_id])).content.decode()
    assert "event_id" in page and journalist.email not in page  # the arguments: an event's id, no address
    assert "поставлена в очередь" in page and "ошибка" in page  # the job's history

    response = superuser_client.post(
        reverse("admin:background_job_changelist"),
        {"action": "retry", "_selected_action": [job_id]},
        follow=True,
    )
    assert "Снова поставлено в очередь задач: 1." in response.content.decode()
    assert eventually(lambda: jobs(MAIL_TASK)[0][0] in ("todo", "doing", "failed") and jobs(MAIL_TASK)[0][1] >= 1)


def jobs_ids(task_name):
    return list(Job.objects.filter(task_name=task_name).values_list("id", flat=True))


@pytest.mark.django_db
def test_a_superuser_sees_a_queued_job_and_the_workers(superuser_client, journalist, moderator, empty_queue):
    article = ArticleFactory(author=journalist, status=Article.Status.REVIEW)
    workflow.apply(article, "approve", by=moderator)

    index = superuser_client.get(reverse("admin:index")).content.decode()
    assert "Фоновые задачи" in index and "Обработчики задач" in index
    changelist = superuser_client.get(reverse("admin:background_job_changelist")).content.decode()
    assert MAIL_TASK in changelist and "в очереди" in changelist
    assert "Попыток" in changelist and "Состояние" in changelist and "Attempts" not in changelist
    assert superuser_client.get(reverse("admin:background_worker_changelist")).status_code == 200
    page = superuser_client.get(reverse("admin:background_job_change", args=[jobs_ids(MAIL_TASK)[0]])).content.decode()
    assert '<div class="readonly">None</div>' not in page  # not scheduled: a dash, not Python's None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["moderator", "journalist"])
def test_editors_neither_see_nor_open_the_jobs(request, client, role, moderator, journalist, empty_queue):
    article = ArticleFactory(author=journalist, status=Article.Status.REVIEW)
    workflow.apply(article, "approve", by=moderator)
    job_id = jobs_ids(MAIL_TASK)[0]
    client.force_login(request.getfixturevalue(role))

    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "Фоновые задачи" not in index.content.decode()
    for url in (
        reverse("admin:background_job_changelist"),
        reverse("admin:background_job_change", args=[job_id]),
        reverse("admin:background_worker_changelist"),
        "/admin/procrastinate/procrastinatejob/",
        f"/admin/procrastinate/procrastinatejob/{job_id}/change/",
    ):
        assert client.get(url).status_code in (403, 404), url
