"""Errors reach Sentry when SENTRY_DSN is set, and no personal data goes with them (a fake Sentry over HTTP)."""

import gzip
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from newsroom import error_reporting
from tests.test_settings import run_manage

PASSWORD = "hunter2-very-secret"
READER_EMAIL = "reader.private@example.org"
CREDENTIAL = "api-credential-do-not-send"


class FakeSentry(BaseHTTPRequestHandler):
    """Sentry's ingestion endpoint as the SDK sees it: it POSTs envelopes to /api/<project>/envelope/."""

    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format, *args):
        pass


@pytest.fixture
def sentry_server():
    FakeSentry.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSentry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sentry(sentry_server):
    port = sentry_server.server_address[1]
    error_reporting.init(f"http://public-key@127.0.0.1:{port}/42", "test", "newsroom@1.2.3")
    yield FakeSentry.received
    sentry_sdk.get_client().close(timeout=2)
    sentry_sdk.init(dsn=None)  # no client: later tests report nothing


def events(received):
    """The error events of the received envelopes (a header line, then item header and payload lines)."""
    found = []
    for path, body in received:
        assert path == "/api/42/envelope/"
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


def post_failing_form(url, session_key):
    """A signed-in moderator's form post that fails, through a real HTTP server and Django's WSGI handler."""
    form = urllib.parse.urlencode({"password": PASSWORD, "email": READER_EMAIL, "comment": "Письмо читателя"})
    request = urllib.request.Request(
        f"{url}/fail/?email={urllib.parse.quote(READER_EMAIL)}",
        data=form.encode(),
        headers={
            "Cookie": f"sessionid={session_key}; newsroom_city=severo-kazakhstanskaya-oblast/petropavlovsk",
            "Authorization": f"Bearer {CREDENTIAL}",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as failed:
        urllib.request.urlopen(request, timeout=10)
    return failed.value


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the live server needs committed rows
def test_an_error_reaches_sentry_without_personal_data(sentry, settings, live_server, client, moderator):
    settings.ROOT_URLCONF = "tests.failing_urls"
    moderator.email = "moderator.private@example.org"
    moderator.save()
    client.force_login(moderator)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = post_failing_form(live_server.url, session_key)
    assert response.code == 500
    sentry_sdk.flush(timeout=5)

    [event] = events(sentry)
    assert sentry_sdk.get_client().should_send_default_pii() is False
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["environment"] == "test" and event["release"] == "newsroom@1.2.3"
    assert event["request"]["url"] == f"{live_server.url}/fail/"
    assert event["request"]["method"] == "POST"
    assert "User-Agent" in event["request"]["headers"]
    assert "user" not in event or set(event["user"]) <= {"id"}

    sent = b"".join(body for _, body in sentry)
    for secret in (session_key, PASSWORD, READER_EMAIL, moderator.email, CREDENTIAL, "Письмо читателя"):
        assert secret.encode() not in sent, secret
        assert urllib.parse.quote(secret).encode() not in sent, secret
    assert b'"moderator"' not in sent  # the login name
    assert not {"cookies", "data", "query_string", "env"} & set(event["request"])
    assert not {"cookie", "authorization"} & {name.lower() for name in event["request"]["headers"]}
    assert b"REMOTE_ADDR" not in sent and b"127.0.0.1" not in sent.replace(live_server.url.encode(), b"")
    assert event["tags"]["request_id"] == response.headers["X-Request-ID"]


def test_before_send_strips_what_an_sdk_default_would_keep():
    event = {
        "request": {
            "url": "https://news.example.kz/admin/?token=abc",
            "query_string": "token=abc",
            "cookies": {"sessionid": "s"},
            "data": {"password": "p"},
            "env": {"REMOTE_ADDR": "203.0.113.4"},
            "headers": {"Authorization": "Bearer t", "Cookie": "sessionid=s", "User-Agent": "Firefox"},
        },
        "user": {"id": "7", "email": "a@example.org", "username": "journalist", "ip_address": "203.0.113.4"},
    }
    cleaned = error_reporting.before_send(event, {})
    assert cleaned["request"] == {"url": "https://news.example.kz/admin/", "headers": {"User-Agent": "Firefox"}}
    assert cleaned["user"] == {"id": "7"}
    assert cleaned["tags"] == {"request_id": "-"}


def test_before_send_masks_a_shared_draft_token_and_drops_the_referer():
    token = "Zx8-secret-draft-token"
    event = {
        "request": {
            "url": f"https://news.example.kz/preview/{token}/",
            "headers": {"Referer": "https://news.example.kz/search/?q=private", "User-Agent": "Firefox"},
        }
    }
    cleaned = error_reporting.before_send(event, {})
    assert cleaned["request"] == {
        "url": "https://news.example.kz/preview/[secret]/",
        "headers": {"User-Agent": "Firefox"},
    }


def test_without_a_dsn_the_sdk_is_not_loaded():
    script = "import sys, django; django.setup(); print('sentry_sdk' in sys.modules)"
    assert run_manage("shell", "-c", script).stdout.split()[-1] == "False"
    enabled = run_manage("shell", "-c", script, SENTRY_DSN="http://key@127.0.0.1:9/1")
    assert enabled.stdout.split()[-1] == "True", enabled.stderr
