"""The shared cache on Debian's redis-server (REDIS_URL): kept while Redis runs, a miss and no error while it is away.

A Redis restart must cost readers nothing but a few computed pages, and staff no session.
"""

import shutil
import subprocess
import time

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import caches
from django.test import override_settings

from newsroom.shared_cache import ForgivingRedisCache
from tests.processes import eventually, free_port
from tests.test_settings import run_manage

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs Debian's redis-server (.ci/run)")


class Redis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cache = ForgivingRedisCache(self.url, {})
        assert eventually(lambda: cache.add("started", 1) or cache.get("started") == 1, seconds=10)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def redis():
    server = Redis()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def shared_cache(redis):
    return ForgivingRedisCache(redis.url, {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}})


def test_values_are_shared_while_redis_runs_and_missed_without_error_while_it_is_away(redis):
    one, other = shared_cache(redis), shared_cache(redis)  # as two app servers
    one.set_many({"page:a": b"<html>", "page:b": b"<html>"}, 60)
    assert other.get_many(["page:a", "page:b"]) == {"page:a": b"<html>", "page:b": b"<html>"}
    redis.stop()
    started = time.monotonic()
    assert one.get("page:a", "missing") == "missing"
    assert one.get_many(["page:a"]) == {}
    one.set("page:c", b"<html>", 60)  # dropped, not raised
    assert one.add("page:d", 1) is False and one.delete("page:a") is False
    assert time.monotonic() - started < 5
    redis.start()  # an empty Redis on the same port: the client reconnects by itself
    assert one.get("page:a") is None
    one.set("page:a", b"again", 60)
    assert other.get("page:a") == b"again"


@pytest.mark.django_db
def test_sessions_survive_a_redis_restart(redis):
    with override_settings(CACHES={"default": {"BACKEND": "newsroom.shared_cache.ForgivingRedisCache",
                                               "LOCATION": redis.url}}):  # fmt: skip
        caches["default"].clear()
        session = SessionStore()
        session["signed_in_as"] = "moderator"
        session.save()
        redis.stop()
        assert SessionStore(session.session_key)["signed_in_as"] == "moderator"  # read from PostgreSQL
        redis.start()
        assert SessionStore(session.session_key)["signed_in_as"] == "moderator"


def test_redis_url_shares_the_cache_and_sessions_between_app_servers():
    code = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)"
    result = run_manage("shell", "-c", code, REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.stdout.split()[-2:] == [
        "newsroom.shared_cache.ForgivingRedisCache",
        "django.contrib.sessions.backends.cached_db",
    ], result.stderr
