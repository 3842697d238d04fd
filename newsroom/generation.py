"""The content generation: a token that changes whenever what readers may see changes.

Pages, the navigation and the blocks kept per generation are cached under it. Every save or delete of
public content moves a PostgreSQL sequence on (articles migration 0005) and notifies the channel below,
so every worker process and server agrees whatever cache backend each one has. The newest publication
time already reached is part of it too: a scheduled story going live changes it by itself, and so does a
story pinned to the home page, or the «Срочно» banner, reaching its end time.

A serving process keeps its copy and reads the sequence again only when it may have changed: a
notification arrived on its connection (PostgreSQL delivers it on commit, within milliseconds), a
scheduled publication's time or a pinned story's or banner's end time came, or its copy is as old as a
cached page may be. Answering a cached page then costs no query at all.

The same statement reads the «Срочно» banner, which every public page shows: it changes exactly when the
generation does (a save, or its end time), and a page costs no query for it.
"""

import contextlib
import contextvars
import json
import threading
from datetime import timedelta

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import JSONObject
from django.utils import timezone

from articles.models import Article, BreakingBanner, FrontPageSlot

SEQUENCE = "newsroom_content_generation"
CHANNEL = "newsroom_content"
# How long the navigation and the blocks kept per generation live: what content changes made around the
# application (raw SQL, which announces nothing) may take to show. (Templates' {% cache 300 %} match it.)
BLOCK_CACHE_SECONDS = 300
# What ends by itself at its `ends_at` (EndingQuerySet): stories pinned to the home page, the «Срочно» banner.
ENDING_MODELS = (FrontPageSlot, BreakingBanner)
BANNER_FIELDS = ("id", "text", "text_kk", "link", "ends_at")
_request_generation = contextvars.ContextVar("content_generation", default=None)
_process = threading.local()  # Django gives each thread its own connection, so each keeps its own copy


def bump_generation(**kwargs):
    """Make every cached page stale; called whenever published content may have changed."""
    advance_generation()
    if connection.in_atomic_block:
        # The sequence moves for everyone at once, before the change is committed: a page rendered in
        # between would be kept under the new generation with the old content. Moving again on commit
        # retires it (and the notification, sent on commit, tells the other processes).
        transaction.on_commit(advance_generation)


def advance_generation():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval('{SEQUENCE}'), pg_notify('{CHANNEL}', '')")
    forget_generation()


def forget_generation():
    """Drop this thread's copy: the next request reads the generation again."""
    _process.__dict__.clear()
    _request_generation.set(None)


@contextlib.contextmanager
def request_scope():
    """One generation for everything a request renders, even if content changes meanwhile."""
    token = _request_generation.set(None)
    try:
        yield
    finally:
        _request_generation.reset(token)


def current_generation():
    """The generation, the same for the whole of a request."""
    return request_state()[0]


def current_banner_fields():
    """The «Срочно» banner readers see now, as a dict of its fields (BANNER_FIELDS), or None.

    Every public page shows it: it is read in the generation's statement, with no query of its own, and is the
    same for the whole of a request.
    """
    return request_state()[1]


def request_state():
    state = _request_generation.get()
    if state is None:
        state = process_generation()
        _request_generation.set(state)
    return state


def process_generation():
    connection.ensure_connection()
    raw = connection.connection
    now = timezone.now()
    if getattr(_process, "listening_on", None) is not raw or was_notified(raw) or now >= _process.read_again_at:
        read_generation(now)
    return _process.value, _process.banner


def was_notified(raw):
    notified = False
    try:
        # timeout=0 takes what the server has already sent (and what psycopg kept meanwhile) without waiting:
        # no round trip.
        for _notification in raw.notifies(timeout=0):
            notified = True
    except psycopg.Error:
        connection.close()  # the server went away: reading the generation connects, and listens, again
        return True
    return notified


def read_statement(now):
    """The sequence's value and the moments that bound "now", in one statement.

    What readers see changes by itself at a scheduled story's publication time and at the end time of a story
    pinned to the home page or of the «Срочно» banner: the newest of these moments already reached is part of
    the token, and the next one to come is when to read it again. Each is asked of its model's one definition
    (ArticleQuerySet.published and scheduled, the front page's live and ended), not worked out again here.
    """
    reached = [
        Article.objects.published(now).order_by("-publish_at").values("publish_at")[:1],
        *(model.objects.ended(now).order_by("-ends_at").values("ends_at")[:1] for model in ENDING_MODELS),
    ]
    upcoming = [
        Article.objects.scheduled(now).order_by("publish_at").values("publish_at")[:1],
        *(
            model.objects.live(now).filter(ends_at__isnull=False).order_by("ends_at").values("ends_at")[:1]
            for model in ENDING_MODELS
        ),
    ]
    reached_sql, reached_params = subqueries(reached)
    upcoming_sql, upcoming_params = subqueries(upcoming)
    fields = JSONObject(**{name: name for name in BANNER_FIELDS})
    banner_sql, banner_params = subqueries([BreakingBanner.objects.live(now).values(fields=fields)[:1]])
    # GREATEST and LEAST ignore the NULLs of the lists with no such moment.
    sql = f"SELECT last_value, GREATEST({reached_sql}), LEAST({upcoming_sql}), {banner_sql} FROM {SEQUENCE}"
    return sql, [*reached_params, *upcoming_params, *banner_params]


def subqueries(querysets):
    compiled = [queryset.query.sql_with_params() for queryset in querysets]
    return ", ".join(f"({sql})" for sql, _ in compiled), [param for _, params in compiled for param in params]


def read_generation(now):
    with connection.cursor() as cursor:
        # LISTEN first, so that no change slips between reading and listening. Inside a transaction it
        # would only start at commit (and never in a test's transaction): then read on every request.
        raw = connection.connection
        listening = not connection.in_atomic_block
        if listening and getattr(_process, "listening_on", None) is not raw:
            cursor.execute(f"LISTEN {CHANNEL}")
        cursor.execute(*read_statement(now))
        changes, newest_moment, next_moment, banner = cursor.fetchone()
    _process.value = f"{changes}-{newest_moment.timestamp() if newest_moment else 0}"
    _process.banner = json.loads(banner) if isinstance(banner, str) else banner  # Django leaves JSON as text
    _process.listening_on = raw if listening else None
    # Changes made around the application (raw SQL, another program) announce nothing: the copy is read
    # again at the latest after a page's cache lifetime (their cached blocks live five minutes).
    longest = now + timedelta(seconds=max(settings.NEWSROOM_PAGE_CACHE_SECONDS, 1))
    _process.read_again_at = min(next_moment, longest) if next_moment else longest
