"""Cache of anonymous public pages, invalidated at once by any content change or scheduled publication."""

import contextvars
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from regions.navigation import CITY_COOKIE

UNCACHED_PREFIXES = ("/admin/", "/ckeditor/", "/healthz", "/media/", "/static/", "/i18n/")
# Every save or delete of public content moves a PostgreSQL sequence on (articles migration 0005), so all
# worker processes and servers agree whatever cache backend each one has. The newest publication time
# already reached is part of the generation too: a scheduled story going live changes it by itself.
GENERATION_SEQUENCE = "newsroom_content_generation"
GENERATION_SQL = f"""
    SELECT last_value,
           (SELECT max(publish_at) FROM articles_article WHERE status = 'published' AND publish_at <= %s)
    FROM {GENERATION_SEQUENCE}
"""
_request_generation = contextvars.ContextVar("content_generation", default=None)


def bump_generation(**kwargs):
    """Make every cached page stale; called whenever published content may have changed."""
    advance_generation()
    if connection.in_atomic_block:
        # A sequence moves for everyone at once, before the change is committed: a page rendered in between
        # would be kept under the new generation with the old content. Moving again on commit retires it.
        transaction.on_commit(advance_generation)


def advance_generation():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval('{GENERATION_SEQUENCE}')")
    _request_generation.set(None)


def current_generation():
    """A token that changes whenever what readers may see changes; looked up once per request."""
    generation = _request_generation.get()
    if generation is None:
        with connection.cursor() as cursor:
            cursor.execute(GENERATION_SQL, [timezone.now()])
            changes, newest_publication = cursor.fetchone()
        generation = f"{changes}-{newest_publication.timestamp() if newest_publication else 0}"
        _request_generation.set(generation)
    return generation


def is_cacheable(request):
    """Anonymous GETs of public pages; anyone with a session (the editorial staff) gets a fresh page."""
    return (
        settings.NEWSROOM_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def cache_key(request, generation):
    # The language is part of the path (Russian unprefixed, /kk/…): LocaleMiddleware never looks further.
    # The host is part of the key: feeds and sitemaps carry absolute links built from it.
    variant = "|".join([request.get_host(), request.COOKIES.get(CITY_COOKIE, ""), request.get_full_path()])
    return f"page:{generation}:{hashlib.sha256(variant.encode()).hexdigest()}"


class PublicPageCacheMiddleware:
    """Serve anonymous readers from the cache; staff always get a freshly rendered page.

    It sits right after the static files and stores the response as the inner middleware finished it
    (security headers, ETag, Vary), so a hit costs one small query and a cache read instead of the
    whole middleware stack.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_generation.set(None)
        try:
            return self.respond(request)
        finally:
            _request_generation.reset(token)

    def respond(self, request):
        if not is_cacheable(request):
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            return response
        key = cache_key(request, current_generation())
        stored = cache.get(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status, headers=headers)
            response["X-Page-Cache"] = "hit"
            return get_conditional_response(request, etag=response.get("ETag"), response=response)
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            # Browsers and proxies may keep the page but must ask again (a cheap 304 thanks to the ETag),
            # so a publication or withdrawal is seen on the very next request.
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
            # Only a GET's response is kept: a HEAD's lacks the ETag (ConditionalGetMiddleware skips it).
            storable = request.method == "GET" and response.status_code in (200, 404)
            if storable and not response.cookies and not response.streaming:
                patch_vary_headers(response, ["Cookie"])
                cache.set(
                    key,
                    (response.status_code, dict(response.headers), response.content),
                    settings.NEWSROOM_PAGE_CACHE_SECONDS,
                )
                response["X-Page-Cache"] = "miss"
        patch_vary_headers(response, ["Cookie"])
        return response
