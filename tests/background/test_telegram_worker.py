"""Telegram posts made by a real task worker (`manage.py worker`) against the local stand-in of the Bot API.

The worker retries a «429 retry after» by itself, posts once, edits on correction and deletes on withdrawal;
a refusal fails the job at once; nowhere in its output is the bot's token.
"""

import pytest

from articles import workflow
from articles.models import Article, TelegramPost
from tests import fake_telegram
from tests.background.conftest import jobs
from tests.factories import ArticleFactory
from tests.fake_telegram import CHANNEL, SITE, TOKEN
from tests.processes import eventually

SYNC_TASK = "articles.sync_telegram"


@pytest.fixture
def bot(settings):
    """The stand-in Bot API, with the site's bot token and channel set as production would set them."""
    with fake_telegram.configured(settings) as fake:
        yield fake


def worker_for(start_worker, bot):
    return start_worker(
        NEWSROOM_TELEGRAM_BOT_TOKEN=TOKEN,
        NEWSROOM_TELEGRAM_CHAT_ID=CHANNEL,
        NEWSROOM_TELEGRAM_API_URL=bot.url,
        NEWSROOM_SITE_URL=SITE,
        NEWSROOM_LOG_FORMAT="text",
        DJANGO_LOG_LEVEL="DEBUG",
    )


def all_done():
    return all(status == "succeeded" for status, _attempts, _args in jobs(SYNC_TASK))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_retries_a_busy_telegram_then_posts_edits_and_deletes_once(bot, moderator, start_worker):
    bot.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    worker = worker_for(start_worker, bot)
    article = ArticleFactory(status=Article.Status.REVIEW, title="Форум в Петропавловске")

    workflow.apply(article, "approve", by=moderator)

    assert eventually(lambda: bot.messages(CHANNEL), 30), worker.output()
    [(message_id, message)] = bot.messages(CHANNEL).items()
    assert "<b>Форум в Петропавловске</b>" in message["text"]
    assert eventually(all_done, 10), jobs(SYNC_TASK)
    [(_status, attempts, _args)] = jobs(SYNC_TASK)
    assert attempts == 2 and len(bot.called("sendMessage")) == 2

    article.refresh_from_db()
    article.title = "Форум первичных организаций в Петропавловске"
    article.save()
    assert eventually(lambda: "первичных" in bot.messages(CHANNEL)[message_id]["text"], 30), worker.output()

    workflow.apply(article, "unpublish", by=moderator)
    assert eventually(lambda: not bot.messages(CHANNEL), 30), worker.output()
    assert eventually(lambda: not TelegramPost.objects.exists(), 10)

    output = worker.output()
    assert "Telegram did not take sendMessage" in output and "retry after 1" in output
    assert TOKEN not in output


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refusal_fails_the_job_at_once_and_the_log_says_why_without_the_token(bot, moderator, start_worker):
    bot.fail_next("sendMessage", 400, "Bad Request: chat not found")
    worker = worker_for(start_worker, bot)
    article = ArticleFactory(status=Article.Status.REVIEW)

    workflow.apply(article, "approve", by=moderator)

    assert eventually(lambda: jobs(SYNC_TASK) and jobs(SYNC_TASK)[0][0] == "failed", 30), worker.output()
    [(_status, attempts, _args)] = jobs(SYNC_TASK)
    assert attempts == 1 and bot.messages(CHANNEL) == {}
    output = worker.output()
    assert f"Telegram refused sendMessage for story {article.pk} in chat {CHANNEL}" in output
    assert "chat not found" in output and TOKEN not in output
