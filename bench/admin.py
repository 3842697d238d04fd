"""The admin's timings: pages requested one after another through gunicorn, logged in with a session cookie."""

import os
import re
import statistics
import sys
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench.lines import say
from bench.server import get

DEFAULT_ADMIN_PASSWORD = "bench-admin-password"  # noqa: S105  (a throwaway database on a loopback port)
ADMIN_REPEAT = 20


def login(port, username, password):
    """Log in to the admin through the login form; return the Cookie header of the session."""
    status, headers, body, _ = get(port, "/admin/login/")
    cookies = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"})
    status, headers, body, _ = get(
        port,
        "/admin/login/",
        {"Cookie": f"csrftoken={cookies['csrftoken'].value}", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
        body=form,
    )
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"admin login failed with status {status}")
    return "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())


def admin_timings(port, pages):
    """Time the admin pages one request after another through gunicorn, logged in with a session cookie."""
    password = os.environ.get("BENCH_ADMIN_PASSWORD") or DEFAULT_ADMIN_PASSWORD
    cookie = login(port, "bench-admin", password)
    results = {}
    for name, page in pages.items():
        paths = page["paths"]
        for path in paths[:2]:
            get(port, path, {"Cookie": cookie})
        timings, statuses = [], set()
        for index in range(ADMIN_REPEAT):
            status, _, _, milliseconds = get(port, paths[index % len(paths)], {"Cookie": cookie})
            timings.append(milliseconds)
            statuses.add(status)
        results[name] = {
            "mean_ms": statistics.mean(timings),
            "p50_ms": statistics.median(timings),
            "max_ms": max(timings),
            "statuses": sorted(statuses),
        }
        say(f"   admin {name:30} {results[name]['p50_ms']:8.1f} ms per request (p50 of {ADMIN_REPEAT})")
    return results
