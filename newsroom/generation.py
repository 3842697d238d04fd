"""The content generation: a token that changes whenever what readers may see changes.

Pages, the navigation and the blocks kept per generation are cached under it. Every save or delete of
public content moves a PostgreSQL sequence on (articles migration 0005) and notifies the channel below,
so every worker process and server agrees whatever cache backend each one has. The newest publication
time already reached is part of it too: a scheduled story going live changes it by itself.

A serving process keeps its copy and reads the sequence again only when it may have changed: a
notification arrived on its connection (PostgreSQL delivers it on commit, within milliseconds), a
scheduled publication's time came, or its copy is as old as a cached page may be. Answering a cached
page then costs no query at all.
"""

import contextlib
import contextvars
import threading
from datetime import timedelta

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article

SEQUENCE = "newsroom_content_generation"
CHANNEL = "newsroom_content"
# How long the navigation and the blocks kept per generation live: what content changes made around the
# application (raw SQL, which announces nothing) may take to show. (Templates' {% cache 300 %} match it.)
BLOCK_CACHE_SECONDS = 300
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
    generation = _request_generation.get()
    if generation is None:
        generation = process_generation()
        _request_generation.set(generation)
    return generation


def process_generation():
    connection.ensure_connection()
    raw = connection.connection
    now = timezone.now()
    if getattr(_process, "listening_on", None) is not raw or was_notified(raw) or now >= _process.read_again_at:
        read_generation(now)
    return _process.value


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
    """The sequence's value and the publication times that bound "now", in one statement.

    The times are asked of the one definition of what readers see (ArticleQuerySet.published) and of what
    is still to come (scheduled), not worked out again here.
    """
    newest = Article.objects.published(now).order_by("-publish_at").values("publish_at")[:1]
    upcoming = Article.objects.scheduled(now).order_by("publish_at").values("publish_at")[:1]
    newest_sql, newest_params = newest.query.sql_with_params()
    upcoming_sql, upcoming_params = upcoming.query.sql_with_params()
    sql = f"SELECT last_value, ({newest_sql}), ({upcoming_sql}) FROM {SEQUENCE}"
    return sql, [*newest_params, *upcoming_params]


def read_generation(now):
    with connection.cursor() as cursor:
        # LISTEN first, so that no change slips between reading and listening. Inside a transaction it
        # would only start at commit (and never in a test's transaction): then read on every request.
        raw = connection.connection
        listening = not connection.in_atomic_block
        if listening and getattr(_process, "listening_on", None) is not raw:
            cursor.execute(f"LISTEN {CHANNEL}")
        cursor.execute(*read_statement(now))
        changes, newest_publication, next_publication = cursor.fetchone()
    _process.value = f"{changes}-{newest_publication.timestamp() if newest_publication else 0}"
    _process.listening_on = raw if listening else None
    # Changes made around the application (raw SQL, another program) announce nothing: the copy is read
    # again at the latest after a page's cache lifetime (their cached blocks live five minutes).
    longest = now + timedelta(seconds=max(settings.NEWSROOM_PAGE_CACHE_SECONDS, 1))
    _process.read_again_at = min(next_publication, longest) if next_publication else longest
