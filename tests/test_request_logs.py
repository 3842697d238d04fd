"""One log line per request, as JSON in production, with a request id that every record of the request carries."""

import io
import json
import logging
import re
import sys

import pytest

from newsroom.logs import JsonFormatter, RequestIdFilter, TextFormatter
from tests.test_settings import run_manage

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Every request reaches its view; /robots.txt then runs no query at all."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def log_output():
    """What the production handler writes (the filter and formatter of settings.LOGGING), line by line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def records(stream, logger=None):
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]  # each line is one JSON object
    return [line for line in lines if logger is None or line["logger"] == logger]


def request_lines(stream):
    return records(stream, "newsroom.request")


def test_a_request_is_logged_as_one_json_line_with_its_fields(client, log_output):
    response = client.get("/robots.txt")
    [line] = request_lines(log_output)
    assert line["method"] == "GET"
    assert line["path"] == "/robots.txt"
    assert line["status"] == 200
    assert line["queries"] == 0 and line["sql_ms"] == 0
    assert 0 < line["duration_ms"] < 10_000
    assert line["user_id"] is None
    assert line["level"] == "INFO"
    assert line["request_id"] == response["X-Request-ID"]
    assert GENERATED_ID.fullmatch(line["request_id"])
    assert line["message"].startswith("GET /robots.txt 200 ")


@pytest.mark.django_db
def test_the_queries_of_a_request_are_counted_without_debug(client, log_output, settings):
    assert settings.DEBUG is False
    client.get("/healthz")
    [line] = request_lines(log_output)
    assert line["queries"] == 1
    assert line["sql_ms"] > 0


@pytest.mark.django_db
def test_the_query_string_is_never_logged(client, log_output):
    client.get("/search/?q=secret-word&page=2", HTTP_X_REQUEST_ID="ignored")
    [line] = request_lines(log_output)
    assert line["path"] == "/search/"
    assert "secret-word" not in log_output.getvalue()


@pytest.mark.django_db
def test_a_shared_draft_token_is_masked(client, log_output):
    token = "eyJsaW5rIjo0Mn0:1tXyZa:Q2hlY2tzdW0tdGhhdC1pcy1ub3QtdmFsaWQ"
    response = client.get(f"/preview/{token}/")
    assert response.status_code == 404
    [line] = request_lines(log_output)
    assert line["path"] == "/preview/[secret]/"
    assert token not in log_output.getvalue()


@pytest.mark.django_db
def test_a_forged_line_cannot_be_started_from_the_path(client, log_output):
    client.get("/news/a%0A2026-01-01 INFO forged/")
    [line] = request_lines(log_output)
    assert "\n" not in line["path"]
    assert line["path"] == "/news/a?2026-01-01 INFO forged/"


@pytest.mark.django_db
def test_staff_are_logged_by_id_and_never_by_name(moderator_client, moderator, log_output):
    moderator_client.get("/admin/")
    [line] = request_lines(log_output)
    assert line["user_id"] == moderator.pk
    assert line["message"].endswith(f" user={moderator.pk}")
    output = log_output.getvalue()
    assert moderator.email not in output
    assert '"moderator"' not in output


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/no-such-page/", "/news/?page=999"], ids=["raised", "returned"])
def test_every_record_of_a_request_carries_its_id(client, log_output, url):
    response = client.get(url)
    assert response.status_code == 404
    [not_found] = records(log_output, "django.request")  # Django's own "Not Found" warning
    [line] = request_lines(log_output)
    assert not_found["request_id"] == line["request_id"] == response["X-Request-ID"]
    assert not_found["status_code"] == 404
    assert "request" not in not_found
    logging.getLogger("elsewhere").warning("outside a request")
    assert records(log_output, "elsewhere")[0]["request_id"] == "-"


def test_a_trusted_proxys_request_id_is_kept(client, log_output, settings):
    settings.NEWSROOM_TRUSTED_PROXIES = ["127.0.0.1"]
    nginx_id = "4f1c2a9e8b7d6c5a4f1c2a9e8b7d6c5a"
    response = client.get("/robots.txt", HTTP_X_REQUEST_ID=nginx_id, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert response["X-Request-ID"] == nginx_id
    assert request_lines(log_output)[0]["request_id"] == nginx_id


@pytest.mark.parametrize("address", ["127.0.0.1", "198.51.100.20"])
def test_a_clients_own_request_id_is_replaced(client, settings, address):
    settings.NEWSROOM_TRUSTED_PROXIES = ["10.0.0.1"]  # not the client
    response = client.get("/robots.txt", HTTP_X_REQUEST_ID="chosen-by-the-client", REMOTE_ADDR=address)
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.parametrize(
    "given",
    ["a" * 65, "with space", "<script>", "-starts-with-dash", "line\nbreak", "кириллица", ""],
    ids=["too-long", "space", "markup", "dash", "newline", "non-ascii", "empty"],
)
def test_an_invalid_request_id_from_a_trusted_proxy_is_replaced(client, settings, given):
    settings.NEWSROOM_TRUSTED_PROXIES = ["127.0.0.1"]
    response = client.get("/robots.txt", HTTP_X_REQUEST_ID=given)
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_the_text_format_shows_the_request_id():
    record = logging.makeLogRecord({"name": "newsroom.request", "levelname": "INFO", "msg": "GET / 200"})
    record.request_id = "abc123"
    assert TextFormatter().format(record).endswith(" INFO newsroom.request [abc123] GET / 200")


def test_an_exception_is_one_json_line_with_its_traceback():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info())
    output = JsonFormatter().format(record)
    assert "\n" not in output
    entry = json.loads(output)
    assert entry["message"] == "failed here"
    assert "ValueError: broken" in entry["exception"]


def logged_line(**env):
    script = "import logging; logging.getLogger('newsroom.check').warning('hello')"
    result = run_manage("shell", "-c", script, DJANGO_SECRET_KEY="k" * 50, **env)
    assert result.returncode == 0, result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_production_logs_json_and_development_text():
    production = json.loads(logged_line(DJANGO_DEBUG="0"))
    assert production["logger"] == "newsroom.check" and production["message"] == "hello"
    assert production["request_id"] == "-"
    assert logged_line(DJANGO_DEBUG="1").endswith(" WARNING newsroom.check [-] hello")
    assert logged_line(DJANGO_DEBUG="0", NEWSROOM_LOG_FORMAT="text").endswith(" WARNING newsroom.check [-] hello")
