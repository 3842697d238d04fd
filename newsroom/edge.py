"""The edge cache in front of the app servers (Varnish with xkey, a CDN): what a page shows, and purging it.

A public page names what it shows in its `xkey` header, one surrogate key per object or list: `article-12`
(the story, and every page showing it: lists, related stories, a translation's language link), `region-3`,
`section-2`, `tag-40`, `city-7`, `party-1` (the pages about one topic, and the stories that show it),
`articles` (every list of all the stories: home, /news/, search, feeds, sitemaps), `parties` (the party
registry) and `nav` (the header every HTML page carries). Views add keys with `shows()` while they render;
the page cache middleware writes the header (newsroom/page_cache.py), so a page served from the cache keeps it.

When something public changes (the models each app declares in `public_models` and `public_links`, the same
list that moves the content generation, newsroom/caching.py), the keys of the object and of the lists it
now appears on (its model's `edge_lists()`) are purged at the edge when the transaction commits, through
the task queue, retried until every edge confirms (newsroom/background/tasks.py). A page that showed the
object carries its key, so the lists it has just left are purged too. README «Edge cache» has the whole design.
"""

import contextlib
import contextvars
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from procrastinate.contrib.django import app

logger = logging.getLogger(__name__)

HEADER = "xkey"  # the header Varnish's xkey module reads (deploy/varnish/newsroom.vcl)
ALL_STORIES = "articles"
PARTY_REGISTRY = "parties"
NAVIGATION = "nav"
# Rendering in flight when a purge lands may store what it read before the change: purge again this much later.
PURGE_AGAIN_AFTER_SECONDS = 2
PURGE_TIMEOUT_SECONDS = 5
# An expired page may be answered once more while the edge asks the origin again in the background.
STALE_WHILE_REVALIDATE = 10
PURGE_TASK = "newsroom.purge_edge"
PURGE_QUEUE = "edge"

_shown = contextvars.ContextVar("edge_keys", default=None)
_pending = contextvars.ContextVar("edge_purges", default=None)


def key(name, pk):
    """The surrogate key of one object, by its model's name: key("region", 3) == "region-3"; None without a pk."""
    return f"{name}-{pk}" if pk is not None else None


def key_of(instance):
    return key(instance._meta.model_name, instance.pk)


@contextlib.contextmanager
def collecting():
    """Collect the keys a response shows while it renders; yields the set."""
    keys = set()
    token = _shown.set(keys)
    try:
        yield keys
    finally:
        _shown.reset(token)


def shows(*keys):
    """Name what the page being rendered shows (keys, or model instances); outside a request, nothing."""
    collected = _shown.get()
    if collected is not None:
        collected.update(key_of(item) if hasattr(item, "_meta") else item for item in keys if item is not None)
        collected.discard(None)


def shows_each(objects):
    shows(*objects)


def mark(response, keys):
    """Let an edge keep a page that the page cache would keep: for how long, and under which keys.

    The edge's lifetime and its stale answers are in CDN-Cache-Control (RFC 9213), which browsers ignore:
    in Cache-Control, `stale-while-revalidate` would let a browser show a story for a while after its withdrawal.
    Only a page (200) is kept: a missing story's 404 would outlive its publication, which purges no key it has.
    """
    if response.status_code != 200 or response.streaming or response.cookies:
        return
    if response.get("Content-Type", "").startswith("text/html"):
        keys = {*keys, NAVIGATION}
    response["CDN-Cache-Control"] = (
        f"public, s-maxage={settings.NEWSROOM_PAGE_CACHE_SECONDS}, stale-while-revalidate={STALE_WHILE_REVALIDATE}, "
        f"stale-if-error={settings.NEWSROOM_EDGE_STALE_IF_ERROR_SECONDS}"
    )
    if keys:
        response[HEADER] = header_value(keys)


def header_value(keys):
    return " ".join(sorted(keys))


def purge_keys(instance):
    """The keys to purge when `instance` changed: its own and those of the lists it now appears on."""
    lists = instance.edge_lists() if hasattr(instance, "edge_lists") else []
    return {k for k in [key_of(instance), *lists] if k}


def changed(instance, also=()):
    """Purge `instance`'s keys at the edge once the change is committed (a rolled-back change purges nothing).

    One purge job per transaction, whatever it saved. An object that goes public later by itself (a story
    scheduled for a time to come) is purged again at that time.
    """
    if not settings.NEWSROOM_EDGE_PURGE_URLS:
        return
    keys = purge_keys(instance) | {k for k in also if k}
    goes_public_at = getattr(instance, "goes_public_at", lambda: None)()
    if goes_public_at is not None and goes_public_at > timezone.now():
        queue_purge(keys, at=goes_public_at)
    pending = _pending.get()
    if pending is None:
        pending = set()
        _pending.set(pending)
    pending.update(keys)
    # Every change registers a flush: the first to run after the commit sends all that is pending, the others
    # find nothing. Keys of a rolled-back change go with the next commit's purge: one purge too many, never one
    # too few.
    transaction.on_commit(flush_purges)


def flush_purges():
    pending = _pending.get()
    if pending:
        keys = set(pending)
        pending.clear()
        queue_purge(keys)


def queue_purge(keys, at=None):
    if keys:
        # By name: the task's module (newsroom/background/tasks.py) imports this one.
        app.configure_task(PURGE_TASK, queue=PURGE_QUEUE, schedule_at=at).defer(keys=sorted(keys))


def purge(keys):
    """Purge `keys` at every edge (NEWSROOM_EDGE_PURGE_URLS); raise unless each one confirms."""
    for url in settings.NEWSROOM_EDGE_PURGE_URLS:
        request = urllib.request.Request(url, method="PURGE", headers={"xkey-purge": header_value(keys)})
        try:
            with urllib.request.urlopen(request, timeout=PURGE_TIMEOUT_SECONDS) as response:  # noqa: S310 (settings' URL)
                answer = response.read(200).decode(errors="replace").strip()
        except (urllib.error.URLError, OSError) as error:
            raise EdgeUnavailable(f"{url}: {error}") from error
        logger.info("Edge purge at %s of %s: %s", url, header_value(keys), answer)


class EdgeUnavailable(Exception):
    """An edge did not confirm a purge (down, refusing, or too slow): the job is retried."""
