"""The edge cache in front of the app servers (Varnish with xkey, a CDN): what a page shows, and purging it.

A public page names what it shows in its `xkey` header, one surrogate key per object or list: `article-12`
(the story's own page), `listed-article-12` (a page listing it: a card, a related story, a translation's
link), `region-3`, `section-2`, `tag-40`, `city-7`, `party-1` (the pages about one topic, and the stories
that show it), `articles` (every list of all the stories: home, /news/, search, feeds, sitemaps), `parties`
(the party registry), `front-page` (home's pinned stories), `corrections` (the public list of corrections)
and `nav` (the header every HTML page carries, with the «Срочно» banner). Views add keys with `shows()` and
`shows_listed()` while they render; the page cache middleware writes the header (newsroom/page_cache.py), so
a page served from the cache keeps it.

When something public changes (the models each app declares in `public_models` and `public_links`, the same
list that moves the content generation, newsroom/caching.py), its keys and those of the lists it now appears
on (its model's `edge_lists()`) are purged at the edge after the commit, as purge_keys() says, through the
task queue, retried until every edge confirms (newsroom/background/tasks.py). README «Caching and freshness»
has the whole design, «Scaling out» the topology.
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
FRONT_PAGE = "front-page"  # the home page's arrangement: its pinned stories (articles.FrontPageSlot)
CORRECTIONS = "corrections"  # the public list of corrections (articles.Correction)
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


def listed_key_of(instance):
    """The key a page carries for an object it lists (a card, a link), apart from the object's own page."""
    return key(f"listed-{instance._meta.model_name}", instance.pk)


def shows_listed(*objects):
    """Name the objects the page being rendered lists: purged softly while they stay public (purge_keys)."""
    shows(*(listed_key_of(item) for item in objects))


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


def purge_keys(instance, gone=False, public=None):
    """What to purge when `instance` changed: (keys purged for good, keys purged softly).

    Its own page goes for good. For a story (a model with `is_public_now()` and `has_been_published()`), while
    it is public, its page, the pages listing it and the lists it now joins are purged softly: the edge fetches
    them again on the next request and keeps the previous copy only for when the origin fails (a corrected story
    answered as it was while PostgreSQL restarts beats an error page). A draft never published is on no page:
    nothing to purge (the second round of such a purge would take the page of the story published meanwhile).
    Once it is not public (withdrawn, a draft again, `gone`), its page and the pages listing it go for good and
    the lists it would join are left alone: it was never on them, or they list it and are among those pages.
    `public` overrides what the story says (for its time to come).
    """
    # A model may name the pages showing it that carry no key of its own (edge_pages(): the home page, "nav").
    own = ({key_of(instance)} | set(instance.edge_pages() if hasattr(instance, "edge_pages") else [])) - {None}
    lists = set(instance.edge_lists() if hasattr(instance, "edge_lists") else []) - {None}
    if not hasattr(instance, "is_public_now"):
        return own, lists
    listed = {listed_key_of(instance)} - {None}
    public = instance.is_public_now() if public is None else public
    if not gone and not public and not instance.has_been_published():
        return set(), set()  # a draft never published: no page at the edge shows it
    if gone or not public:
        return own | listed, set()
    return set(), own | lists | listed


def changed(instances, gone=False):
    """Purge the keys of `instances` (a list, or a queryset read only when there is an edge to purge) at the
    edge once the change is committed (a rolled-back change purges nothing).

    The keys are worked out once per object after the commit (purge_keys()), from what it then is: a story
    saved and relinked in one transaction is purged once, with its final tags. One purge job per
    transaction, whatever it saved; a story scheduled for a time to come is purged again at that time, a pinned
    story or a banner at its end time.
    """
    if not settings.NEWSROOM_EDGE_PURGE_URLS:
        return
    pending = _pending.get()
    if pending is None:
        pending = {"objects": {}, "gone": set(), "gone_lists": set()}
        _pending.set(pending)
    for instance in instances:
        if gone:  # worked out now: after the delete it has no primary key
            keys, lists = purge_keys(instance, gone=True)
            pending["gone"] |= keys
            pending["gone_lists"] |= lists
        else:
            pending["objects"][(instance._meta.label, instance.pk)] = instance
    # Every change registers a flush: the first to run after the commit sends all that is pending, the others
    # find nothing. Objects of a rolled-back change go with the next commit's purge: one purge too many, never
    # one too few.
    transaction.on_commit(flush_purges)


def flush_purges():
    pending = _pending.get()
    if not pending or not (pending["objects"] or pending["gone"] or pending["gone_lists"]):
        return
    keys, lists = set(pending["gone"]), set(pending["gone_lists"])
    instances = [instance for instance in pending["objects"].values() if instance.pk is not None]
    pending["objects"].clear()
    pending["gone"].clear()
    pending["gone_lists"].clear()
    for instance in instances:
        own, its_lists = purge_keys(instance)
        keys |= own
        lists |= its_lists
        goes_public_at = getattr(instance, "goes_public_at", lambda: None)()
        if goes_public_at is not None and goes_public_at > timezone.now():
            queue_purge(*purge_keys(instance, public=True), at=goes_public_at)
        leaves_public_at = getattr(instance, "leaves_public_at", lambda: None)()
        if leaves_public_at is not None and leaves_public_at > timezone.now():
            queue_purge(own, its_lists, at=leaves_public_at)  # a pinned story or a banner ending by itself
    queue_purge(keys, lists)


def queue_purge(keys, lists, at=None):
    lists = lists - keys  # purged for good already
    if keys or lists:
        # By name: the task's module (newsroom/background/tasks.py) imports this one.
        job = app.configure_task(PURGE_TASK, queue=PURGE_QUEUE, schedule_at=at)
        job.defer(keys=sorted(keys), lists=sorted(lists))


def purge(keys, lists=()):
    """Purge `keys` for good and `lists` softly at every edge (NEWSROOM_EDGE_PURGE_URLS); raise unless all confirm."""
    headers = {
        name: header_value(values) for name, values in [("xkey-purge", keys), ("xkey-softpurge", lists)] if values
    }
    for url in settings.NEWSROOM_EDGE_PURGE_URLS:
        request = urllib.request.Request(url, method="PURGE", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=PURGE_TIMEOUT_SECONDS) as response:  # noqa: S310 (settings' URL)
                answer = response.read(200).decode(errors="replace").strip()
        except (urllib.error.URLError, OSError) as error:
            raise EdgeUnavailable(f"{url}: {error}") from error
        logger.info("Edge purge at %s of %s: %s", url, headers, answer)


class EdgeUnavailable(Exception):
    """An edge did not confirm a purge (down, refusing, or too slow): the job is retried."""
