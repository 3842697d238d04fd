"""How long a workflow e-mail waits between tries while the mail server is away."""

import smtplib
from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from articles.tasks import MAIL_LONGEST_WAIT, MailRetry


def wait_after(strategy, attempts):
    decision = strategy.get_retry_decision(
        exception=smtplib.SMTPServerDisconnected(), job=SimpleNamespace(attempts=attempts)
    )
    return None if decision is None else decision.retry_at - timezone.now()


def test_waits_double_then_stay_at_half_an_hour_until_the_tries_run_out():
    strategy = MailRetry(max_attempts=80)
    assert timedelta(seconds=1) < wait_after(strategy, 0) <= timedelta(seconds=2)
    assert timedelta(seconds=7) < wait_after(strategy, 2) <= timedelta(seconds=8)
    assert timedelta(seconds=MAIL_LONGEST_WAIT - 1) < wait_after(strategy, 20) <= timedelta(seconds=MAIL_LONGEST_WAIT)
    assert wait_after(strategy, 79) <= timedelta(seconds=MAIL_LONGEST_WAIT)
    assert wait_after(strategy, 80) is None  # failed for good: a superuser sees it in the admin


def test_the_default_retries_span_about_a_day_and_a_half(settings):
    strategy = MailRetry(max_attempts=settings.NEWSROOM_MAIL_ATTEMPTS)
    total = sum(min(MAIL_LONGEST_WAIT, 2 ** (attempts + 1)) for attempts in range(settings.NEWSROOM_MAIL_ATTEMPTS))
    assert wait_after(strategy, settings.NEWSROOM_MAIL_ATTEMPTS) is None
    assert timedelta(hours=30) < timedelta(seconds=total) < timedelta(hours=42)
