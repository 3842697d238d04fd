"""Stories in the outlet's Telegram channel (articles/telegram.py): posted on publication, edited on correction,
deleted on withdrawal, through the task queue.

The Bot API is a local stand-in speaking its HTTP and JSON (tests/fake_telegram.py); the jobs the commits queue
are run here as the worker runs them (tests/background/test_telegram_worker.py runs a real worker).
"""

import html
import logging
import re
import traceback
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from articles import telegram, workflow
from articles.models import Article, Desk, DeskRegion, TelegramPost
from articles.tasks import TELEGRAM_RETRY, sync_telegram
from newsroom.apps import check_telegram_links
from newsroom.telegram import TelegramRefused, TelegramUnavailable
from regions.models import Region
from tests import fake_telegram
from tests.factories import ArticleFactory, PhotoFactory, jpeg_file
from tests.fake_telegram import CHANNEL, SITE, TOKEN
from tests.processes import free_port

pytestmark = pytest.mark.django_db

S = Article.Status


@pytest.fixture
def bot(settings):
    """The stand-in Bot API, with the site's bot token and channel set as production would set them."""
    with fake_telegram.configured(settings) as fake:
        yield fake


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what a block queues on commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def queued():
    return ProcrastinateJob.objects.filter(task_name=telegram.SYNC_TASK, status="todo").order_by("id")


def run_due_jobs():
    """Run the Telegram jobs that are due now, as the task worker would, and forget them; what each did."""
    due = list(queued().filter(Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=timezone.now())))
    ProcrastinateJob.objects.filter(pk__in=[job.pk for job in due]).delete()
    return [sync_telegram(**job.args) for job in due]


def in_review(**fields):
    return ArticleFactory(status=S.REVIEW, **fields)


def publish(article, moderator, commits, **options):
    with commits():
        workflow.apply(article, "approve", by=moderator, **options)
    article.refresh_from_db()
    return article


def correct(article, commits, **fields):
    with commits():
        for name, value in fields.items():
            setattr(article, name, value)
        article.save()
    return article


def only_message(bot, chat=CHANNEL):
    [(message_id, message)] = bot.messages(chat).items()
    return message_id, message


def test_publication_posts_the_headline_lead_and_link_to_the_channel(bot, moderator, commits):
    article = in_review(title="Форум партийных организаций в Петропавловске", lead="Собрались около ста человек.")

    article = publish(article, moderator, commits)
    run_due_jobs()

    message_id, message = only_message(bot)
    link = f"{SITE}/news/{article.slug}/"
    assert message == {
        "photo": None,
        "text": f'<b>{article.title}</b>\n\nСобрались около ста человек.\n\n<a href="{link}">Читать на сайте</a>',
    }
    assert bot.called("sendMessage")[0]["parse_mode"] == "HTML"
    post = TelegramPost.objects.get(article=article)
    assert (post.chat_id, post.message_id, post.photo_url) == (CHANNEL, message_id, "")


def test_a_story_with_a_cover_is_posted_as_its_photo_with_the_text_as_caption(bot, moderator, commits, settings):
    article = in_review(cover=jpeg_file(), cover_alt="Участники форума в зале")

    article = publish(article, moderator, commits)
    run_due_jobs()

    _, message = only_message(bot)
    [sent] = bot.called("sendPhoto")
    assert sent["photo"].startswith(f"{SITE}{settings.MEDIA_URL}") and sent["photo"].endswith(".jpg")
    assert (settings.MEDIA_ROOT / sent["photo"].removeprefix(f"{SITE}{settings.MEDIA_URL}")).is_file()
    assert f"<b>{article.title}</b>" in message["caption"] and article.lead in message["caption"]
    assert bot.called("sendMessage") == []


def test_a_scheduled_story_is_posted_at_its_time_not_at_its_approval(bot, moderator, commits):
    at = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)

    article = publish(in_review(), moderator, commits, publish_at=at)
    run_due_jobs()

    assert bot.calls == []
    assert [job.scheduled_at for job in queued()] == [at]
    with time_machine.travel(at + timedelta(seconds=5), tick=False):
        run_due_jobs()
    _, message = only_message(bot)
    assert article.title in message["text"]


def test_a_correction_edits_the_message_in_place(bot, moderator, commits):
    article = publish(in_review(title="В Петропавловске открылась приёмная"), moderator, commits)
    run_due_jobs()
    message_id, _ = only_message(bot)

    correct(article, commits, title="В Петропавловске открылась общественная приёмная")
    run_due_jobs()

    assert only_message(bot) == (message_id, {"photo": None, "text": telegram.message_for(article).text})
    assert "общественная приёмная" in bot.messages(CHANNEL)[message_id]["text"]
    assert [call["message_id"] for call in bot.called("editMessageText")] == [message_id]
    assert TelegramPost.objects.get(article=article).edited_at is not None


def test_a_correction_of_a_photo_story_edits_its_caption(bot, moderator, commits):
    article = publish(in_review(cover=jpeg_file(), cover_alt="Зал форума"), moderator, commits)
    run_due_jobs()
    message_id, _ = only_message(bot)

    correct(article, commits, lead="Уточнено: участников было около ста двадцати.")
    run_due_jobs()

    [(edited_id, message)] = bot.messages(CHANNEL).items()
    assert edited_id == message_id and "ста двадцати" in message["caption"]
    assert len(bot.called("editMessageCaption")) == 1 and len(bot.called("sendPhoto")) == 1


def test_a_new_cover_replaces_the_photo_of_the_same_message(bot, moderator, commits):
    article = publish(in_review(cover=jpeg_file(), cover_alt="Зал форума"), moderator, commits)
    run_due_jobs()
    message_id, message = only_message(bot)
    before = dict(message)  # the stand-in edits its messages in place

    correct(article, commits, cover_photo=PhotoFactory(file=jpeg_file("other.jpg", color=(200, 30, 30))))
    run_due_jobs()

    [(edited_id, after)] = bot.messages(CHANNEL).items()
    assert edited_id == message_id and after["photo"] != before["photo"]
    assert [call["media"]["media"] for call in bot.called("editMessageMedia")] == [after["photo"]]


def test_a_cover_taken_away_turns_the_photo_into_a_text_message(bot, moderator, commits):
    article = publish(in_review(cover=jpeg_file(), cover_alt="Зал форума"), moderator, commits)
    run_due_jobs()
    photo_id, _ = only_message(bot)

    correct(article, commits, cover_photo=None)
    run_due_jobs()

    [(text_id, message)] = bot.messages(CHANNEL).items()
    assert text_id != photo_id and message["photo"] is None and article.title in message["text"]
    assert TelegramPost.objects.get(article=article).message_id == text_id


def test_a_save_that_changes_nothing_shown_sends_nothing(bot, moderator, commits):
    article = publish(in_review(), moderator, commits)
    run_due_jobs()
    calls = len(bot.calls)

    correct(article, commits, body="<p>Другой текст, в канале его нет.</p>")
    run_due_jobs()

    assert len(bot.calls) == calls


def test_withdrawal_deletes_the_message(bot, moderator, commits):
    article = publish(in_review(), moderator, commits)
    run_due_jobs()
    message_id, _ = only_message(bot)

    with commits():
        workflow.apply(article, "unpublish", by=moderator)
    run_due_jobs()

    assert bot.messages(CHANNEL) == {}
    assert bot.called("deleteMessage") == [{"chat_id": CHANNEL, "message_id": message_id}]
    assert not TelegramPost.objects.filter(article=article).exists()


def test_deleting_a_published_story_deletes_its_message(bot, moderator, commits):
    article = publish(in_review(), moderator, commits)
    run_due_jobs()

    with commits():
        Article.objects.get(pk=article.pk).delete()
    run_due_jobs()

    assert bot.messages(CHANNEL) == {}
    assert not TelegramPost.objects.exists()


def test_a_message_already_deleted_in_the_channel_counts_as_deleted(bot, moderator, commits):
    article = publish(in_review(), moderator, commits)
    run_due_jobs()
    message_id, _ = only_message(bot)
    bot.chats[CHANNEL].clear()  # an editor deleted it by hand

    with commits():
        workflow.apply(article, "unpublish", by=moderator)
    assert run_due_jobs() == [[f"deleted {CHANNEL} #{message_id}"]]

    assert not TelegramPost.objects.exists()


def test_a_desk_with_a_channel_gets_its_regions_stories_and_the_rest_go_to_the_site_channel(bot, moderator, commits):
    north = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    desk = Desk.objects.create(name="Север", telegram_chat_id="@sko_news")
    DeskRegion.objects.create(desk=desk, region=north)
    regional = publish(in_review(region=north), moderator, commits)
    national = publish(in_review(), moderator, commits)
    run_due_jobs()

    assert [m["text"].split("\n")[0] for m in bot.messages("@sko_news").values()] == [f"<b>{regional.title}</b>"]
    assert [m["text"].split("\n")[0] for m in bot.messages(CHANNEL).values()] == [f"<b>{national.title}</b>"]

    correct(regional, commits, region=Region.objects.exclude(pk=north.pk).first())
    run_due_jobs()

    assert bot.messages("@sko_news") == {}
    assert len(bot.messages(CHANNEL)) == 2


def test_a_kazakh_story_goes_to_the_same_channel_with_its_kazakh_link(bot, moderator, commits):
    article = publish(in_review(language="kk", title="Петропавлда форум өтті"), moderator, commits)
    run_due_jobs()

    _, message = only_message(bot)
    assert f'<a href="{SITE}/kk/news/{article.slug}/">Сайтта оқу</a>' in message["text"]


def test_telegram_too_busy_is_retried_after_the_wait_it_names_and_posts_once(bot, moderator, commits):
    bot.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    article = publish(in_review(), moderator, commits)
    [job] = queued()

    with pytest.raises(TelegramUnavailable) as raised:
        sync_telegram(**job.args)
    decision = TELEGRAM_RETRY.get_retry_decision(exception=raised.value, job=SimpleNamespace(attempts=0))
    assert timedelta(seconds=6) < decision.retry_at - timezone.now() <= timedelta(seconds=7)
    assert bot.messages(CHANNEL) == {}

    sync_telegram(**job.args)
    sync_telegram(**job.args)  # and once more, as a job the worker thought had died would be

    assert len(bot.messages(CHANNEL)) == 1 and len(bot.called("sendMessage")) == 2  # the refused try and one
    assert TelegramPost.objects.filter(article=article).count() == 1


def test_an_unreachable_telegram_is_retried_with_growing_waits():
    error = TelegramUnavailable("sendMessage", "Connection refused")
    waits = [TELEGRAM_RETRY.get_retry_decision(exception=error, job=SimpleNamespace(attempts=n)) for n in (0, 3, 30)]
    seconds = [(decision.retry_at - timezone.now()).total_seconds() for decision in waits]
    assert 1 < seconds[0] <= 2 and 15 < seconds[1] <= 16 and 299 < seconds[2] <= 300
    assert TELEGRAM_RETRY.get_retry_decision(exception=error, job=SimpleNamespace(attempts=10_000)) is None


def test_a_refusal_fails_the_job_once_with_a_clear_log_line(bot, moderator, commits, caplog):
    bot.fail_next("sendMessage", 403, "Forbidden: bot is not a member of the channel chat")
    article = publish(in_review(), moderator, commits)
    [job] = queued()

    with caplog.at_level(logging.INFO), pytest.raises(TelegramRefused) as raised:
        sync_telegram(**job.args)

    assert TELEGRAM_RETRY.get_retry_decision(exception=raised.value, job=SimpleNamespace(attempts=0)) is None
    [line] = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert f"story {article.pk}" in line and CHANNEL in line and "bot is not a member of the channel" in line
    assert not TelegramPost.objects.exists()


def test_the_token_appears_in_no_log_line_nor_error(bot, moderator, commits, caplog, settings):
    article = publish(in_review(), moderator, commits)
    settings.NEWSROOM_TELEGRAM_API_URL = f"http://127.0.0.1:{free_port()}"  # Telegram unreachable
    failures = []
    with caplog.at_level(logging.DEBUG):
        for _ in range(2):
            try:
                telegram.sync(article.pk)
            except TelegramUnavailable as error:
                failures.append("".join(traceback.format_exception(error)))
        settings.NEWSROOM_TELEGRAM_BOT_TOKEN = "123456:another-token-the-fake-refuses"
        settings.NEWSROOM_TELEGRAM_API_URL = bot.url
        with pytest.raises(TelegramRefused) as refused:
            telegram.sync(article.pk)
        failures.append("".join(traceback.format_exception(refused.value)))

    assert len(failures) == 3 and "Unauthorized" in failures[2]
    written = caplog.text + "".join(failures)
    assert TOKEN not in written and "another-token" not in written and "Connection refused" in written


def test_nothing_is_queued_or_sent_without_a_bot_token(bot, moderator, commits, settings):
    settings.NEWSROOM_TELEGRAM_BOT_TOKEN = ""

    article = publish(in_review(), moderator, commits)
    correct(article, commits, title="Исправленный заголовок")

    assert not queued().exists()
    assert bot.calls == []


def test_without_the_sites_public_address_nothing_is_posted_and_a_check_says_why(bot, moderator, commits, settings):
    settings.NEWSROOM_SITE_URL = ""

    publish(in_review(), moderator, commits)

    assert not queued().exists()
    assert [warning.id for warning in check_telegram_links(None)] == ["newsroom.W002"]
    settings.NEWSROOM_SITE_URL = SITE
    assert check_telegram_links(None) == []


def test_a_story_without_a_channel_for_it_is_not_posted(bot, moderator, commits, settings):
    settings.NEWSROOM_TELEGRAM_CHAT_ID = ""

    publish(in_review(), moderator, commits)
    run_due_jobs()

    assert bot.calls == []


def test_correcting_an_old_story_does_not_post_it_as_news(bot, commits):
    old = ArticleFactory(published=True, publish_at=timezone.now() - timedelta(days=30))

    correct(old, commits, title="Старый материал с исправлением")
    run_due_jobs()

    assert bot.calls == []


def test_a_long_lead_is_cut_to_the_caption_limit_and_markup_is_escaped(bot, moderator, commits):
    lead = "Участники «Ауыл аманаты» & «Бақытты отбасы» <обсудили> проекты. " * 40
    article = publish(
        in_review(title="Итоги: 52% & <100> участников", lead=lead, cover=jpeg_file(), cover_alt="Зал"),
        moderator,
        commits,
    )
    run_due_jobs()

    _, message = only_message(bot)  # the stand-in refuses a caption over 1024 characters or with bad markup
    assert message["caption"].startswith("<b>Итоги: 52% &amp; &lt;100&gt; участников</b>")
    assert 1000 < len(html.unescape(re.sub("<[^>]+>", "", message["caption"]))) <= 1024
    assert "…\n\n<a href=" in message["caption"]
    assert TelegramPost.objects.filter(article=article).exists()


def test_the_article_page_lists_its_telegram_messages(bot, moderator, commits, client):
    article = publish(in_review(), moderator, commits)
    run_due_jobs()
    message_id, _ = only_message(bot)

    client.force_login(moderator)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()

    assert "Публикации в Telegram" in page
    assert f'href="https://t.me/newsroom_test/{message_id}"' in page
