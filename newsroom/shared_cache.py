"""The shared cache (Redis with REDIS_URL) as a cache should behave: while Redis is away, a miss, not an error.

Django's RedisCache raises when Redis does not answer, so a Redis restart would turn every page into a 500.
Here a read that cannot reach Redis answers as a miss and a write is dropped, with one warning a minute; the
pages are then computed (kept per process by newsroom/caching.py) and sessions read from PostgreSQL
(the cached_db engine). Redis is asked again on the next call: the client reconnects by itself.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY_SECONDS = 60
_warned_at = [0.0]


def answering(name, fallback):
    """RedisCache's method `name`, answering `fallback(its arguments)` while Redis cannot be reached."""
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as error:
            now = time.monotonic()
            if now - _warned_at[0] >= WARN_EVERY_SECONDS:
                _warned_at[0] = now
                logger.warning("Shared cache unreachable, answering without it: %s", error)
            return fallback(*args, **kwargs)

    return call


class ForgivingRedisCache(RedisCache):
    get = answering("get", lambda key, default=None, version=None: default)
    get_many = answering("get_many", lambda *args, **kwargs: {})
    has_key = answering("has_key", lambda *args, **kwargs: False)
    add = answering("add", lambda *args, **kwargs: False)
    set = answering("set", lambda *args, **kwargs: None)
    set_many = answering("set_many", lambda *args, **kwargs: [])
    touch = answering("touch", lambda *args, **kwargs: False)
    delete = answering("delete", lambda *args, **kwargs: False)
    delete_many = answering("delete_many", lambda *args, **kwargs: None)
