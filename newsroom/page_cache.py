"""Cache of anonymous public pages, invalidated at once by any content change or scheduled publication."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from newsroom import generation
from regions.navigation import CITY_COOKIE

UNCACHED_PREFIXES = ("/admin/", "/ckeditor/", "/healthz", "/media/", "/static/", "/i18n/")


def is_cacheable(request):
    """Anonymous GETs of public pages; anyone with a session (the editorial staff) gets a fresh page."""
    return (
        settings.NEWSROOM_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def cache_key(request, token):
    # The language is part of the path (Russian unprefixed, /kk/…): LocaleMiddleware never looks further.
    # The host is part of the key: feeds and sitemaps carry absolute links built from it.
    variant = "|".join([request.get_host(), request.COOKIES.get(CITY_COOKIE, ""), request.get_full_path()])
    return f"page:{token}:{hashlib.sha256(variant.encode()).hexdigest()}"


class PublicPageCacheMiddleware:
    """Serve anonymous readers from the cache; staff always get a freshly rendered page.

    It sits right after the static files and stores the response as the inner middleware finished it
    (ETag, Vary), so a hit costs one small query and a cache read instead of the whole middleware stack;
    the security headers are added outside it, to hits as well.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with generation.request_scope():
            return self.respond(request)

    def respond(self, request):
        if not is_cacheable(request):
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            return response
        key = cache_key(request, generation.current_generation())
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
