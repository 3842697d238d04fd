"""Prometheus metrics: what requests did, and gauges computed when Prometheus scrapes `/metrics`.

Request counters and histograms are updated by newsroom/observability.py; the page cache counts its hits and
misses. Under gunicorn with several workers, `PROMETHEUS_MULTIPROC_DIR` (read by prometheus_client itself, set
before the workers start) makes every worker write its figures to files there, and a scrape answered by any
worker adds them up.

Figures that are a state of the data rather than a count of events (the review queue, a task queue's depth)
are computed when Prometheus asks, by callbacks registered with `register_gauge()`, in the answering process:

    metrics.register_gauge("newsroom_tasks_waiting", "Tasks waiting for a worker.", count_waiting_tasks)
"""

import hmac
import logging
import os
import sys
from functools import lru_cache

from django.conf import settings
from django.core.signals import got_request_exception
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from newsroom.proxy import client_address, parse_address, parse_network

logger = logging.getLogger(__name__)

# Label values come from a closed set, whatever a client sends: unknown methods are "other", views are the
# project's URL names ("none" when nothing resolved: static files, redirects, unknown paths).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "newsroom_http_requests", "Requests answered, by method, view and status class.", ["method", "view", "status"]
)
LATENCY = Histogram(
    "newsroom_http_request_duration_seconds",
    "Time from a request's arrival in Django to its response, by view.",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EXCEPTIONS = Counter(
    "newsroom_http_exceptions", "Unhandled exceptions answered with a 500, by view and type.", ["view", "exception"]
)
DB_QUERIES = Counter("newsroom_db_queries", "SQL queries run while answering requests, by view.", ["view"])
DB_TIME = Counter("newsroom_db_duration_seconds", "Time spent in SQL queries while answering requests.", ["view"])
PAGE_CACHE = Counter(
    "newsroom_page_cache_requests", "Anonymous pages answered from the page cache (hit) or rendered (miss).", ["result"]
)

_scrape_gauges = {}


def register_gauge(name, documentation, callback, labelnames=()):
    """Report `callback()` as the gauge `name` at every scrape; registering a name again replaces it.

    The callback returns a number or, with `labelnames`, a mapping {label value (a tuple for several): number}. It runs
    while Prometheus waits, so it should be one cheap query; if it fails the gauge is left out and logged.
    """
    _scrape_gauges[name] = (documentation, tuple(labelnames), callback)


class ScrapeTimeCollector:
    def collect(self):
        for name, (documentation, labelnames, callback) in sorted(_scrape_gauges.items()):
            try:
                value = callback()
            except Exception:
                logger.exception("The scrape-time gauge %s failed", name)
                continue
            family = GaugeMetricFamily(name, documentation, labels=labelnames)
            samples = value.items() if labelnames else [((), value)]
            for labels, number in samples:
                labels = labels if isinstance(labels, tuple) else (labels,)
                family.add_metric([str(label) for label in labels], number)
            yield family


def review_queue_length():
    from articles.models import Article

    return Article.objects.awaiting_review().count()


register_gauge("newsroom_review_queue_articles", "Articles waiting for a moderator's review.", review_queue_length)


def view_label(request, response=None):
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    if response is not None and response.get("X-Page-Cache") == "hit":
        return "page_cache"
    return "none"


@lru_cache(maxsize=4096)
def request_series(method, view, status):
    """The counter and histogram of one kind of request, looked up once: labels() checks and locks every time.

    The labels come from closed sets (methods, URL names, status classes), so the cache never fills up.
    """
    return REQUESTS.labels(method, view, status), LATENCY.labels(view)


def observe_request(request, response, seconds, queries, query_seconds):
    view = view_label(request, response)
    method = request.method if request.method in METHODS else "other"
    requests, latency = request_series(method, view, f"{response.status_code // 100}xx")
    requests.inc()
    latency.observe(seconds)
    if queries:
        DB_QUERIES.labels(view).inc(queries)
        DB_TIME.labels(view).inc(query_seconds)


def count_exception(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    EXCEPTIONS.labels(view_label(request), type(error).__name__ if error else "unknown").inc()


# Sent by Django's handler for every exception that becomes a 500 (not for 404s or refused requests).
got_request_exception.connect(count_exception, dispatch_uid="newsroom.metrics")


def exposition():
    """The text format of every metric: this process's, or all workers' in multiprocess mode, and the gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        events = CollectorRegistry()
        MultiProcessCollector(events)
    else:
        events = REGISTRY
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(ScrapeTimeCollector())
    return generate_latest(events) + generate_latest(gauges)


@lru_cache(maxsize=8)
def allowed_networks(entries):
    # An entry that is not an address allows nobody; the system check newsroom.E002 names it.
    return tuple(network for network in map(parse_network, entries) if network is not None)


def may_scrape(request):
    """From an allowed client address (as the trusted proxy gave it) or with the configured bearer token."""
    token = settings.NEWSROOM_METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    address = parse_address(client_address(request))
    return address is not None and any(
        address in network for network in allowed_networks(tuple(settings.NEWSROOM_METRICS_ALLOWED))
    )


def metrics_view(request):
    """The metrics for Prometheus; to anyone else the site's 404, as if there were nothing here."""
    if not may_scrape(request):
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response
