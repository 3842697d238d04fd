"""Everything kept between requests, kept per content generation: one key scheme, one helper, one invalidation.

A value (data or a rendered fragment) is kept under its name, the content generation (newsroom/generation.py),
the page's language and its own parts. It is looked for in this process first (a bounded copy that costs no
pickling), then in the shared cache (Redis with REDIS_URL, else this process's local memory), and computed
only when both miss: once per site with a shared cache. When the generation moves, every key changes, so
nothing is deleted and nothing stale is read.

What moves the generation is declared by each app for its own models in its AppConfig: `public_models`
(saved or deleted) and `public_links` (a story's many-to-many links changed). README «Caching» explains
the whole design.
"""

import threading
import time
from collections import OrderedDict

from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

from newsroom import edge
from newsroom.generation import BLOCK_CACHE_SECONDS, bump_generation, current_generation

# This process's copies: enough for the blocks of every page readers are reading now; the least recently
# used go first, so a crawler walking the archive costs it nothing that readers use often.
LOCAL_ENTRIES = 4000
_local = OrderedDict()  # {key: (expires at, value)}
_lock = threading.Lock()  # the development server and the test server run threads


# Misses of a page in this process, by key (newsroom/page_cache.py stores a page from its Nth miss).
MISSES_KEPT = 20000
_misses = OrderedDict()


def entry_key(name, parts, *, language=True):
    """The key of `name` with `parts` in this generation (and the active language unless told otherwise)."""
    return ":".join([name, str(current_generation()), get_language() or "" if language else "", *map(str, parts)])


def kept(name, *parts, compute, timeout=BLOCK_CACHE_SECONDS, store_after=1):
    """The value of `compute()` for `name` and `parts`, computed at most once per generation where it is kept."""
    return kept_each(name, [parts], lambda missing: {parts: compute()}, timeout, store_after)[parts]


def kept_each(name, parts_list, compute_missing, timeout=BLOCK_CACHE_SECONDS, store_after=1):
    """{parts: value} for every `parts` of `parts_list`; `compute_missing(missing parts)` answers the rest at once.

    One question for all that is missing (a story's topics, a page's tags) instead of one each. A value
    asked for by one page only (a story) is kept from its `store_after`-th miss in this process, like a page:
    a crawler reading every story once keeps none of them, and pushes out nothing that readers use.
    """
    keys = {parts: entry_key(name, parts) for parts in parts_list}
    found = {}
    now = time.monotonic()
    with _lock:
        for parts, key in keys.items():
            expires_at, value = _local.get(key, (0, None))
            if expires_at > now:
                _local.move_to_end(key)
                found[parts] = value
    missing = [parts for parts in keys if parts not in found]
    if not missing:
        return found
    stored = cache.get_many([keys[parts] for parts in missing])
    keep = {parts: stored[keys[parts]][0] for parts in missing if keys[parts] in stored}
    found.update(keep)
    to_compute = [parts for parts in missing if parts not in keep]
    if to_compute:
        computed = compute_missing(to_compute)
        found.update(computed)
        admitted = {
            parts: computed[parts] for parts in to_compute if store_after <= 1 or count_miss(keys[parts]) >= store_after
        }
        cache.set_many({keys[parts]: (value,) for parts, value in admitted.items()}, timeout)
        keep.update(admitted)
    keep_locally({keys[parts]: value for parts, value in keep.items()}, now + timeout)
    return found


def keep_locally(values, expires_at):
    with _lock:
        for key, value in values.items():
            _local[key] = (expires_at, value)
            _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def count_miss(key):
    """How many times `key` has been missed in this process, this time included (the least recent forgotten first)."""
    with _lock:
        misses = _misses.pop(key, 0) + 1
        _misses[key] = misses
        if len(_misses) > MISSES_KEPT:
            _misses.popitem(last=False)
    return misses


def forget_local_copies():
    """Drop this process's copies (the shared cache keeps its own until their generation ends)."""
    with _lock:
        _local.clear()
        _misses.clear()


def connect_invalidation():
    """Move the generation, and purge the edge, whenever what an app declares public is saved, deleted or relinked."""
    for config in apps.get_app_configs():
        for label in getattr(config, "public_models", ()):
            model = apps.get_model(label) if "." in label else config.get_model(label)
            uid = f"content-generation-{model._meta.label}"
            post_save.connect(public_content_changed, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(public_content_deleted, sender=model, dispatch_uid=f"{uid}-delete")
        for link in getattr(config, "public_links", ()):
            model_name, field_name = link.split(".")
            through = config.get_model(model_name)._meta.get_field(field_name).remote_field.through
            m2m_changed.connect(public_link_changed, sender=through, dispatch_uid=f"content-generation-{link}")


def public_content_changed(sender, instance, **kwargs):
    bump_generation()
    edge.changed([instance])


def public_content_deleted(sender, instance, **kwargs):
    bump_generation()
    edge.changed([instance], gone=True)


def public_link_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump_generation()
        # From the other side (tag.article_set.add(…)) the stories that changed are in pk_set.
        edge.changed(model.objects.filter(pk__in=pk_set) if reverse and pk_set else [instance])
