"""Stories in the outlet's Telegram channels: posted when they reach readers, edited when corrected, deleted when
withdrawn (README «Telegram»).

Every committed change of a story that has been published queues one job (articles/tasks.py) that makes the
channel show the story as it now is: sync() compares what the story should show, and where, with the messages
kept in TelegramPost, and sends, edits or deletes only the difference. So a retried or repeated job posts
nothing twice, and a scheduled story, which reaches readers at its time without a save, gets a job at that time.

Where: the channel of the story's desk (the desk covering its region, else the default desk), else the site's
NEWSROOM_TELEGRAM_CHAT_ID; a Kazakh story goes to the same channel, in its own language and with its /kk/ link.
What: the headline in bold, the lead, a link to the story; with a cover, as the photo's caption.
"""

import hashlib
import html
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from articles.models import Article, Desk, DeskMap, DeskRegion, TelegramPost
from newsroom import telegram
from newsroom.absolute import build_absolute, site_url

logger = logging.getLogger(__name__)

SYNC_TASK = "articles.sync_telegram"
QUEUE = "telegram"
# Telegram's limits, in characters as it counts them (UTF-16 code units) after the HTML is parsed.
CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096
# A story that reached readers longer ago than this is not posted: a correction of last year's story, made after
# the channel was connected or after the story moved desks, must not show up in the channel as news.
POSTED_WITHIN = timedelta(hours=24)
# The first key of the advisory lock one story's job holds while it talks to Telegram (the second is the story's id).
LOCK_SPACE = 7_001


@dataclass(frozen=True)
class Message:
    photo: str  # the cover's absolute URL, or "" for a text message
    text: str  # HTML as Telegram's parse_mode HTML reads it

    @property
    def fingerprint(self):
        return hashlib.sha256(f"{self.photo}\n{self.text}".encode()).hexdigest()


def changed(article):
    """Bring the story's channel message in step once the change commits: now, and at its time if scheduled.

    A story never published has nothing in a channel and nothing to post yet: no job. Nor without the site's
    public address, which the post links to (a system check, newsroom.W002, says so).
    """
    if not is_configured() or article.first_published_at is None:
        return
    pk, goes_public_at = article.pk, article.goes_public_at()
    transaction.on_commit(lambda: queue_sync(pk))
    if goes_public_at is not None:
        transaction.on_commit(lambda: queue_sync(pk, at=goes_public_at))


def is_configured():
    return telegram.is_configured() and bool(settings.NEWSROOM_SITE_URL)


def queue_sync(pk, at=None):
    # One waiting job per story (and per scheduled time): a job reads what is committed when it runs.
    lock = f"telegram:{pk}" if at is None else f"telegram:{pk}:{at.isoformat()}"
    job = app.configure_task(SYNC_TASK, queue=QUEUE, queueing_lock=lock, schedule_at=at)
    try:
        with transaction.atomic():  # a refused duplicate must not spoil a transaction around this one
            job.defer(article_id=pk)
    except AlreadyEnqueued:
        pass


def chat_for(article):
    """The chat the story belongs in: its desk's channel, else the site's; "" when neither is set."""
    desks = DeskMap((), DeskRegion.objects.values_list("region_id", "desk_id"), list(Desk.objects.all()))
    desk = desks.desk_for(article)
    return (desk.telegram_chat_id.strip() if desk else "") or settings.NEWSROOM_TELEGRAM_CHAT_ID


def message_for(article):
    """The story's message: headline, lead and link, cut to Telegram's limit, with the cover when it has one."""
    cover = article.cover
    photo = build_absolute(None, cover.photo.rendition_1200_jpeg.url) if cover else ""
    with translation.override(article.language):
        link = site_url() + article.get_absolute_url()
        more = _("Читать на сайте")
    limit = CAPTION_LIMIT if photo else TEXT_LIMIT
    title, lead = article.title.strip(), " ".join(article.lead.split())
    lead = shortened(lead, limit - length(title) - length(more) - 4)  # 4: the blank lines between the parts
    parts = [f"<b>{escape(title)}</b>", escape(lead), f'<a href="{escape(link)}">{escape(more)}</a>']
    return Message(photo, "\n\n".join(part for part in parts if part))


def escape(text):
    """Text for parse_mode HTML: Telegram reads &lt; &gt; &amp; &quot; and numeric entities."""
    return html.escape(text, quote=True)


def length(text):
    """How long Telegram counts `text`: in UTF-16 code units (an emoji takes two)."""
    return len(text.encode("utf-16-le")) // 2


def shortened(text, room):
    """`text` if it fits in `room`, else cut at a word boundary with «…»."""
    if length(text) <= room:
        return text
    if room <= 1:
        return ""
    kept, used = [], 0
    for character in text:
        used += length(character)
        if used > room - 1:
            break
        kept.append(character)
    cut = "".join(kept)
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:—-") + "…"


def sync(article_id):
    """Make the channels show story `article_id` as it now is; returns what was done, e.g. ["posted @news #5"].

    What succeeded is kept even when a later call fails (the error is raised after the commit), so a retry
    picks up where this try stopped. Two jobs for one story never talk to Telegram at once.
    """
    done, failure = [], None
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, article_id])
        article = Article.objects.filter(pk=article_id).first()
        posts = {post.chat_id: post for post in TelegramPost.objects.filter(article_id=article_id)}
        wanted = wanted_chat(article, posts)
        try:
            for chat, post in posts.items():
                if chat != wanted:
                    delete(post)
                    done.append(f"deleted {chat} #{post.message_id}")
            if wanted:
                done += show(article, wanted, posts.get(wanted))
        except telegram.TelegramError as error:
            failure = error
    if failure is not None:
        raise failure
    return done


def wanted_chat(article, posts):
    """Where the story should be now: nowhere unless readers see it; not posted anew once it is old news."""
    if article is None or not article.is_live():
        return ""
    chat = chat_for(article)
    if chat and (chat in posts or article.publish_at >= timezone.now() - POSTED_WITHIN):
        return chat
    return ""


def show(article, chat, post):
    message = message_for(article)
    if post is not None and post.fingerprint == message.fingerprint:
        return []
    if post is not None and bool(post.photo_url) != bool(message.photo):
        delete(post)  # a photo cannot become a text message, nor the reverse: post it again
        post = None
    if post is None:
        result = send(chat, message, article)
        TelegramPost.objects.create(
            article=article,
            chat_id=chat,
            message_id=result["message_id"],
            photo_url=message.photo,
            fingerprint=message.fingerprint,
        )
        return [f"posted {chat} #{result['message_id']}"]
    edit(post, message, article)
    post.fingerprint, post.photo_url, post.edited_at = message.fingerprint, message.photo, timezone.now()
    post.save(update_fields=["fingerprint", "photo_url", "edited_at"])
    return [f"edited {chat} #{post.message_id}"]


def send(chat, message, article):
    if message.photo:
        return call(article.pk, "sendPhoto", chat_id=chat, photo=message.photo, caption=message.text, parse_mode="HTML")
    return call(article.pk, "sendMessage", chat_id=chat, text=message.text, parse_mode="HTML")


def edit(post, message, article):
    where = {"chat_id": post.chat_id, "message_id": post.message_id}
    try:
        if not message.photo:
            call(article.pk, "editMessageText", **where, text=message.text, parse_mode="HTML")
        elif post.photo_url == message.photo:
            call(article.pk, "editMessageCaption", **where, caption=message.text, parse_mode="HTML")
        else:
            media = {"type": "photo", "media": message.photo, "caption": message.text, "parse_mode": "HTML"}
            call(article.pk, "editMessageMedia", **where, media=media)
    except telegram.TelegramRefused as error:
        if not error.says("message is not modified"):  # the message already shows this: done
            raise


def delete(post):
    try:
        call(post.article_id, "deleteMessage", chat_id=post.chat_id, message_id=post.message_id)
    except telegram.TelegramRefused as error:
        if not error.says("message to delete not found"):  # deleted by hand in the channel: done
            raise
    post.delete()


def call(article_id, method, **parameters):
    """Call the Bot API for one story, logging a refusal in words an operator can act on."""
    try:
        return telegram.call(method, **parameters)
    except telegram.TelegramRefused as error:
        if not error.says("message is not modified") and not error.says("message to delete not found"):
            logger.error(
                "Telegram refused %s for story %s in chat %s (not retried): %s",
                method,
                article_id,
                parameters.get("chat_id"),
                error,
            )
        raise
    except telegram.TelegramUnavailable as error:
        logger.warning("Telegram did not take %s for story %s (retried): %s", method, article_id, error)
        raise
