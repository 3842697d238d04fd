"""/metrics: Prometheus's figures for the addresses and the token the operator allows, a 404 for everyone else."""

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from articles.models import Article
from newsroom import metrics
from newsroom.apps import check_metrics_access
from tests.factories import ArticleFactory

TOKEN = "metrics-token-" + "q7Zr" * 8


@pytest.fixture(autouse=True)
def metrics_access(settings):
    settings.NEWSROOM_METRICS_TOKEN = TOKEN
    settings.NEWSROOM_METRICS_ALLOWED = ["10.1.2.0/24", "2001:db8::5"]
    settings.NEWSROOM_TRUSTED_PROXIES = []


def scrape(client):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return response


def samples(client):
    """{(sample name, sorted labels): value} of one scrape."""
    text = scrape(client).content.decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found, name, **labels):
    return found.get((name, tuple(sorted(labels.items()))), 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer wrong-token"},
        {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}x"},
        {"HTTP_AUTHORIZATION": f"Basic {TOKEN}"},
        {"HTTP_AUTHORIZATION": TOKEN},
        {"HTTP_X_FORWARDED_FOR": "10.1.2.3"},  # from an address that is no trusted proxy
    ],
    ids=["nothing", "wrong-token", "longer-token", "other-scheme", "bare-token", "spoofed-forwarding"],
)
def test_metrics_are_not_found_for_anyone_else(client, headers):
    response = client.get("/metrics", REMOTE_ADDR="198.51.100.7", **headers)
    assert response.status_code == 404
    assert b"newsroom_http_requests" not in response.content
    assert client.post("/metrics", REMOTE_ADDR="198.51.100.7", **headers).status_code == 404


@pytest.mark.django_db
def test_metrics_are_not_found_when_nothing_is_allowed(client, settings):
    settings.NEWSROOM_METRICS_TOKEN = ""
    settings.NEWSROOM_METRICS_ALLOWED = []
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_metrics_answer_the_token(client):
    response = scrape(client)
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]
    assert b"# TYPE newsroom_http_requests_total counter" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["10.1.2.3", "2001:db8::5"])
def test_metrics_answer_an_allowed_address(client, address):
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 200
    assert b"newsroom_review_queue_articles" in response.content


@pytest.mark.django_db
def test_metrics_answer_an_allowed_client_behind_the_trusted_proxy(client, settings):
    settings.NEWSROOM_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.200").status_code == 200
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 404
    assert client.get("/metrics").status_code == 404  # the proxy itself is not Prometheus


@pytest.mark.django_db
def test_only_reading_is_allowed(client):
    response = client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 405


@pytest.mark.django_db
def test_requests_latency_and_database_time_are_counted(client):
    before = samples(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    client.post("/healthz")  # 405
    after = samples(client)
    labels = {"method": "GET", "view": "healthz", "status": "2xx"}
    assert (
        value(after, "newsroom_http_requests_total", **labels) - value(before, "newsroom_http_requests_total", **labels)
        == 3
    )
    refused = {"method": "POST", "view": "healthz", "status": "4xx"}
    assert (
        value(after, "newsroom_http_requests_total", **refused)
        - value(before, "newsroom_http_requests_total", **refused)
        == 1
    )
    count = "newsroom_http_request_duration_seconds_count"
    assert value(after, count, view="healthz") - value(before, count, view="healthz") == 4
    queries = "newsroom_db_queries_total"
    assert value(after, queries, view="healthz") - value(before, queries, view="healthz") == 3
    seconds = "newsroom_db_duration_seconds_total"
    assert value(after, seconds, view="healthz") > value(before, seconds, view="healthz")


@pytest.mark.django_db
def test_unknown_methods_do_not_make_new_series(client):
    client.generic("BREW", "/robots.txt")
    found = samples(client)
    assert value(found, "newsroom_http_requests_total", method="other", view="robots", status="4xx") >= 1
    assert not any(("method", "BREW") in labels for _, labels in found)


@pytest.mark.django_db
def test_unhandled_exceptions_and_5xx_are_counted(client, settings):
    settings.ROOT_URLCONF = "tests.failing_urls"
    before = samples(client)
    response = Client(raise_request_exception=False).get("/fail/")
    assert response.status_code == 500
    after = samples(client)
    failed = {"view": "fail", "exception": "RuntimeError"}
    assert (
        value(after, "newsroom_http_exceptions_total", **failed)
        - value(before, "newsroom_http_exceptions_total", **failed)
        == 1
    )
    errors = {"method": "GET", "view": "fail", "status": "5xx"}
    assert (
        value(after, "newsroom_http_requests_total", **errors) - value(before, "newsroom_http_requests_total", **errors)
        == 1
    )


@pytest.mark.django_db
def test_page_cache_hits_and_misses_are_counted(client):
    before = samples(client)
    first = client.get("/robots.txt")
    second = client.get("/robots.txt")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    after = samples(client)
    name = "newsroom_page_cache_requests_total"
    assert value(after, name, result="miss") - value(before, name, result="miss") == 1
    assert value(after, name, result="hit") - value(before, name, result="hit") == 1
    served = {"method": "GET", "view": "page_cache", "status": "2xx"}
    assert (
        value(after, "newsroom_http_requests_total", **served) - value(before, "newsroom_http_requests_total", **served)
        == 1
    )


@pytest.mark.django_db
def test_metrics_are_never_kept_by_the_page_cache(client):
    first = scrape(client)
    client.get("/robots.txt")
    second = scrape(client)
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
    assert first.content != second.content


@pytest.mark.django_db
def test_the_review_queue_gauge_counts_articles_waiting_for_review(client):
    ArticleFactory.create_batch(3, status=Article.Status.REVIEW)
    ArticleFactory(status=Article.Status.DRAFT)
    ArticleFactory(published=True)
    assert value(samples(client), "newsroom_review_queue_articles") == 3
    Article.objects.filter(status=Article.Status.REVIEW).first().delete()
    assert value(samples(client), "newsroom_review_queue_articles") == 2


@pytest.fixture
def extra_gauges():
    names = []
    yield names
    for name in names:
        metrics._scrape_gauges.pop(name, None)


@pytest.mark.django_db
def test_other_parts_register_gauges_computed_at_scrape_time(client, extra_gauges):
    depth = {"default": 4, "mail": 1}
    extra_gauges.extend(["newsroom_test_queue_depth", "newsroom_test_broken"])
    metrics.register_gauge("newsroom_test_queue_depth", "Tasks waiting.", lambda: depth, labelnames=["queue"])
    metrics.register_gauge("newsroom_test_broken", "Fails.", lambda: 1 / 0)
    found = samples(client)
    assert value(found, "newsroom_test_queue_depth", queue="default") == 4
    assert value(found, "newsroom_test_queue_depth", queue="mail") == 1
    assert not any(name == "newsroom_test_broken" for name, _ in found)  # left out, the rest still served
    depth["mail"] = 7
    assert value(samples(client), "newsroom_test_queue_depth", queue="mail") == 7


def test_the_system_check_refuses_host_names_and_short_tokens(settings):
    settings.NEWSROOM_METRICS_ALLOWED = ["prometheus.internal", "10.0.0.1"]
    settings.NEWSROOM_METRICS_TOKEN = "short"
    assert [error.id for error in check_metrics_access(None)] == ["newsroom.E002", "newsroom.E003"]
    settings.NEWSROOM_METRICS_ALLOWED = ["10.0.0.0/8"]
    settings.NEWSROOM_METRICS_TOKEN = TOKEN
    assert check_metrics_access(None) == []
