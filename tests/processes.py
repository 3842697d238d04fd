"""What tests that start other processes and loopback servers share: a free port, a wait, the test database."""

import os
import socket
import time
from urllib.parse import urlsplit, urlunsplit

from django.db import connection


def free_port():
    """A loopback port nobody listens on (for "the server is down" and for a server started later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def eventually(check, seconds=20, interval=0.05):
    """The first true value of `check()` within `seconds`, else None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    return None


def database_environment(name=None):
    """Environment pointing another process at database `name` (this run's by default) on the tests' server."""
    name = name or connection.settings_dict["NAME"]
    url = os.environ.get("DATABASE_URL")
    if url:
        return {"DATABASE_URL": urlunsplit(urlsplit(url)._replace(path=f"/{name}"))}
    return {"NEWSROOM_EMBEDDED_DB_NAME": name}
