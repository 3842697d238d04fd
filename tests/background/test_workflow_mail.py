"""Workflow e-mail leaves the moderator's request: queued with the transition, sent by the worker, retried.

The mail servers are real SMTP servers on loopback (aiosmtpd), a silent one, or a closed port.
"""

import email
import time
from email import policy

import pytest
from django.db import transaction
from django.urls import reverse

from articles import workflow
from articles.models import Article
from tests.background.conftest import jobs
from tests.factories import ArticleFactory
from tests.processes import eventually, free_port

S = Article.Status
MAIL_TASK = "articles.send_workflow_mail"
# What an approval may take at most: far below the 10-second SMTP timeout a hanging server would cost.
QUICK = 1.5


def story_in_review(journalist):
    return ArticleFactory(author=journalist, status=S.REVIEW, title="Форум первичных партийных организаций")


def approve(client, moderator, article):
    client.force_login(moderator)
    started = time.monotonic()
    response = client.post(reverse("admin:articles_article_transition", args=[article.pk, "approve"]))
    return response, time.monotonic() - started


def subject_of(envelope):
    return email.message_from_bytes(envelope.original_content, policy=policy.default)["Subject"]


@pytest.fixture
def mail_server(request, settings, smtp_server, silent_smtp_server):
    """The request's SMTP settings point at a server that is up, hangs, or is down; (kind, what it received)."""
    kind = request.param
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    if kind == "up":
        settings.EMAIL_PORT = free_port()
        mailbox = smtp_server(settings.EMAIL_PORT)
        return lambda: mailbox.messages
    if kind == "hanging":
        settings.EMAIL_PORT, accepted = silent_smtp_server
        return lambda: accepted
    settings.EMAIL_PORT = free_port()
    return lambda: []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("mail_server", ["up", "hanging", "down"], indirect=True)
def test_an_approval_answers_at_once_whatever_the_mail_server_does(
    client, journalist, moderator, mail_server, empty_queue
):
    article = story_in_review(journalist)

    response, elapsed = approve(client, moderator, article)

    assert response.status_code == 302
    assert elapsed < QUICK
    assert Article.objects.get(pk=article.pk).status == S.PUBLISHED
    assert mail_server() == []  # the request never talked to the mail server
    [(status, attempts, args)] = jobs(MAIL_TASK)
    assert (status, attempts, args) == ("todo", 0, {"event_id": article.workflow_events.get(transition="approve").pk})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mail_queued_while_the_mail_server_is_down_goes_out_once_it_is_back(
    client, journalist, moderator, start_worker, smtp_server
):
    port = free_port()
    worker = start_worker(EMAIL_URL=f"smtp://127.0.0.1:{port}")
    article = story_in_review(journalist)

    response, elapsed = approve(client, moderator, article)

    assert response.status_code == 302
    assert elapsed < QUICK
    # The worker tried at once, found no server and put the message back for a later try.
    tried = eventually(lambda: [job for job in jobs(MAIL_TASK) if job[:2] == ("todo", 1)], seconds=30)
    assert tried, worker.output()
    mailbox = smtp_server(port)
    assert eventually(lambda: mailbox.messages, seconds=30), worker.output()
    [message] = mailbox.messages
    assert message.rcpt_tos == [journalist.email]
    assert article.title in subject_of(message)
    assert eventually(lambda: jobs(MAIL_TASK)[0][0] == "succeeded", seconds=10)
    assert jobs(MAIL_TASK)[0][1] >= 2


@pytest.mark.django_db
def test_a_transition_rolled_back_queues_no_mail(journalist, moderator, empty_queue):
    article = story_in_review(journalist)

    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.apply(article, "approve", by=moderator)
        assert len(jobs(MAIL_TASK)) == 1  # queued inside the transition's transaction …
        raise RuntimeError("the request failed after the transition")

    assert jobs(MAIL_TASK) == []  # … and gone with it
    assert Article.objects.get(pk=article.pk).status == S.REVIEW
