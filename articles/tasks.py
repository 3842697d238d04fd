"""The articles' background work, run by the task worker (README, «Background work»).

Workflow e-mail leaves the moderator's request: the job is queued in the transition's own transaction and
sent by the worker, which retries with growing waits while the mail server is away. The job holds only the
workflow event's id, so neither the queue's tables nor the worker's log lines carry addresses or text.
"""

import logging

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from procrastinate import RetryDecision, RetryStrategy
from procrastinate.contrib.django import app

from articles import notifications, story_parts, telegram
from articles.counters import COUNT_ONCE_PER
from articles.models import ArticleDraft, CounterMark, WorkflowEvent
from newsroom.telegram import TelegramUnavailable

logger = logging.getLogger(__name__)

# The longest wait between two tries: mail goes out at most this long after the server is back.
MAIL_LONGEST_WAIT = 30 * 60


class MailRetry(RetryStrategy):
    """Waits of 2, 4, 8 … seconds, then every half hour: NEWSROOM_MAIL_ATTEMPTS retries span a day and a half."""

    def get_retry_decision(self, *, exception, job):
        if super().get_retry_decision(exception=exception, job=job) is None:
            return None
        return RetryDecision(retry_in={"seconds": min(MAIL_LONGEST_WAIT, 2 ** (job.attempts + 1))})


MAIL_RETRY = MailRetry(max_attempts=settings.NEWSROOM_MAIL_ATTEMPTS)


@app.task(name="articles.send_workflow_mail", queue="mail", retry=MAIL_RETRY)
def send_workflow_mail(event_id):
    """Write and send the e-mail about one workflow event; an unreachable mail server raises, and the worker retries."""
    event = WorkflowEvent.objects.select_related("article__author", "actor").filter(pk=event_id).first()
    message = notifications.message_for(event) if event is not None else None
    if message is None:
        logger.info("Workflow event %s: nobody to tell any more (the story or the event is gone)", event_id)
        return
    subject, body, recipients = message
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def queue_workflow_mail(event):
    """Queue the e-mail about `event` in the current transaction: it goes out only if the transaction commits."""
    if notifications.concerns_anyone(event):
        send_workflow_mail.defer(event_id=event.pk)


@app.periodic(cron="*/30 * * * *", periodic_id="counter-marks")
@app.task(name="articles.remove_expired_counter_marks")
def remove_expired_counter_marks(timestamp):
    """Delete the marks of counted views and shares that no longer stop a second count."""
    deleted, _ = CounterMark.objects.expired(timezone.now(), COUNT_ONCE_PER).delete()
    logger.info("Expired counter marks removed: %s", deleted)
    return deleted


@app.task(name=story_parts.RENDER_TASK, queue="pages")
def render_story_parts(model, pk):
    """Render and store the page parts of the stories that show one object (a story or a neighbour) as it is now."""
    instance = apps.get_model(model).objects.filter(pk=pk).first()
    return story_parts.store(story_parts.stories_showing(instance)) if instance is not None else 0


@app.periodic(cron="15 4 * * *", periodic_id="old-drafts")
@app.task(name="articles.remove_old_drafts")
def remove_old_drafts(timestamp):
    """Delete the autosaved drafts of the article form that nobody took back within NEWSROOM_DRAFT_DAYS."""
    deleted, _ = ArticleDraft.objects.expired(timezone.now()).delete()
    logger.info("Old autosaved drafts removed: %s", deleted)
    return deleted


# The longest wait between two tries to reach Telegram, and how many tries: 2, 4, 8 … seconds, then every five
# minutes, some four hours in all; a story that reaches the channel later than that is no longer news there.
TELEGRAM_LONGEST_WAIT = 5 * 60
TELEGRAM_ATTEMPTS = 55


class TelegramRetry(RetryStrategy):
    """Retry while Telegram is away or busy: after the wait its «429: retry after N» names, else growing waits.

    A refusal (a bad chat, a bot without rights) is not retried: the job fails, and its log line says why.
    """

    def get_retry_decision(self, *, exception, job):
        if super().get_retry_decision(exception=exception, job=job) is None:
            return None
        wait = getattr(exception, "retry_after", None) or min(TELEGRAM_LONGEST_WAIT, 2 ** min(job.attempts + 1, 16))
        return RetryDecision(retry_in={"seconds": wait})


TELEGRAM_RETRY = TelegramRetry(max_attempts=TELEGRAM_ATTEMPTS, retry_exceptions={TelegramUnavailable})


@app.task(name=telegram.SYNC_TASK, queue=telegram.QUEUE, retry=TELEGRAM_RETRY)
def sync_telegram(article_id):
    """Post, edit or delete the story's message in its Telegram channel to match the story as it now is."""
    return telegram.sync(article_id)
