"""Cache of anonymous public pages, kept per content generation like every block (newsroom/caching.py)."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers, set_response_etag

from articles.search import clean_date, clean_query
from newsroom import caching, edge, generation, metrics
from newsroom.navigation import CITY_COOKIE, navigation
from newsroom.pagination import MAX_PAGES

UNCACHED_PREFIXES = ("/admin/", "/ckeditor/", "/healthz", "/readyz", "/metrics", "/media/", "/static/", "/i18n/")
# It sets the reader's cookie and redirects to its `next`: it reads its parameters as they come.
UNCACHED_PATHS = ("/regions/choose-city/", "/kk/regions/choose-city/")
SEARCH_PATHS = ("/search/", "/kk/search/")
SITEMAP_PATHS = ("/sitemap.xml", "/news-sitemap.xml")


def is_cacheable(request):
    """Anonymous GETs of public pages; anyone with a session (the editorial staff) gets a fresh page."""
    return (
        settings.NEWSROOM_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PREFIXES)
        and request.path not in UNCACHED_PATHS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def cache_key(request):
    """Key the page on what its rendering reads; call it after public_query() has cleaned the query string."""
    # The language is part of the path (Russian unprefixed, /kk/…): LocaleMiddleware never looks further.
    # The scheme and host are part of the key: pages, feeds and sitemaps carry absolute links built from them
    # (the scheme is the client's only as a trusted proxy says, newsroom/proxy.py; the host is an allowed one).
    variant = "|".join([request.scheme, request.get_host(), reader_city_key(request), request.get_full_path()])
    # Not the active language: LocaleMiddleware has not run yet (the path holds it).
    return caching.entry_key("page", [hashlib.sha256(variant.encode()).hexdigest()], language=False)


def reader_city_key(request):
    """The reader's chosen city if it is a known one other than the default, else "" (the header's default)."""
    chosen = request.COOKIES.get(CITY_COOKIE)
    if not chosen or chosen == settings.NEWSROOM_DEFAULT_CITY or chosen not in navigation()["cities"]:
        return ""
    return chosen


def page_number(value):
    """The page a paginator shows: "" (the first) when empty, the number, or "0" (no such page)."""
    if not value.strip():
        return ""
    try:
        number = int(value)
    except ValueError:
        return "0"
    return str(number) if 1 <= number <= MAX_PAGES else "0"  # sitemaps too: 100 pages are 5 million links


def known_region(value):
    return value if any(region.slug == value for region in navigation()["regions"]) else ""


def known_section(value):
    return value if any(section.slug == value for section in navigation()["sections"]) else ""


def search_date(value):
    date = clean_date(value)
    return date.isoformat() if date else ""


LISTING_PARAMETERS = {"page": page_number}
SEARCH_PARAMETERS = {
    "from": search_date,
    "page": page_number,
    "q": clean_query,
    "region": known_region,
    "section": known_section,
    "to": search_date,
}
SITEMAP_PARAMETERS = {"p": page_number}


def public_query(request):
    """Keep only the query parameters the page reads, cleaned the way its view reads them, in one order.

    Any other parameter (?utm_source=…, ?cachebust=…) and any spelling of the same value then share one cache
    entry, and the page is rendered from exactly what its key says: links that repeat the query string
    (pagination, the language switch, the city chooser's `next`) cannot carry a stranger's parameters.
    """
    if not request.META.get("QUERY_STRING"):
        return
    if request.path in SEARCH_PATHS:
        readers = SEARCH_PARAMETERS
    elif request.path in SITEMAP_PATHS:
        readers = SITEMAP_PARAMETERS
    else:
        readers = LISTING_PARAMETERS
    pairs = [(name, clean(request.GET.get(name, ""))) for name, clean in readers.items() if name in request.GET]
    query_string = urlencode([(name, value) for name, value in pairs if value])
    request.META["QUERY_STRING"] = query_string
    request.GET = QueryDict(query_string)


class PublicPageCacheMiddleware:
    """Serve anonymous readers from the cache; staff always get a freshly rendered page.

    It sits right after the static files and stores the response as the inner middleware finished it,
    so a hit costs a cache read instead of the whole middleware stack; the security headers are added
    outside it, to hits as well. What it may store carries an ETag, so a browser asking again gets a 304.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with generation.request_scope():
            return self.respond(request)

    def respond(self, request):
        if not is_cacheable(request):
            response = self.get_response(request)
            # Without a session cookie nobody is signed in: the lazy user (and its session) is not loaded for that.
            user = getattr(request, "user", None) if settings.SESSION_COOKIE_NAME in request.COOKIES else None
            if user is not None and user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            return response
        public_query(request)
        key = cache_key(request)
        stored = cache.get(key)
        if stored is not None:
            metrics.PAGE_CACHE.labels("hit").inc()
            status, headers, content = stored
            response = HttpResponse(content, status=status, headers=headers)
            response["X-Page-Cache"] = "hit"
            return get_conditional_response(request, etag=response.get("ETag"), response=response)
        metrics.PAGE_CACHE.labels("miss").inc()
        with edge.collecting() as shown:
            response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        if response.has_header("Cache-Control"):
            return response  # the view decided (a counter, a redirect it must not repeat): neither kept nor tagged
        # Browsers may keep the page but must ask again (a cheap 304 thanks to the ETag), so a publication or
        # withdrawal is seen on the very next request; an edge keeps it and is purged by its keys (newsroom/edge.py).
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        edge.mark(response, shown)
        # Only a GET's response is kept: a HEAD's has no body to tag.
        storable = request.method == "GET" and response.status_code in (200, 404)
        if not storable or response.cookies or response.streaming:
            return response
        set_response_etag(response)
        response["X-Page-Cache"] = "miss"
        # Stored from its second request (NEWSROOM_PAGE_CACHE_STORE_AFTER): a crawler walking the whole archive
        # once stores nothing, so it evicts none of the pages readers are reading now.
        if caching.count_miss(key) >= settings.NEWSROOM_PAGE_CACHE_STORE_AFTER:
            cache.set(
                key,
                (response.status_code, dict(response.headers), response.content),
                settings.NEWSROOM_PAGE_CACHE_SECONDS,
            )
        return get_conditional_response(request, etag=response.get("ETag"), response=response)
