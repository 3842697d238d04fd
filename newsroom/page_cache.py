"""Cache of anonymous public pages, invalidated at once by any content change or scheduled publication."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

from regions.navigation import CITY_COOKIE

GENERATION_KEY = "page-cache:generation"
NEXT_PUBLICATION_KEY = "page-cache:next-publication:{generation}"
UNCACHED_PREFIXES = ("/admin/", "/ckeditor/", "/healthz", "/media/", "/static/", "/i18n/")
NO_SCHEDULED_PUBLICATION = "none"


def bump_generation(**kwargs):
    """Make every cached page stale; called whenever published content may have changed."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def current_generation():
    """The content generation, moved on lazily when a scheduled article's time has come."""
    generation = cache.get_or_set(GENERATION_KEY, 1, None)
    next_key = NEXT_PUBLICATION_KEY.format(generation=generation)
    upcoming = cache.get(next_key)
    if upcoming is None:
        upcoming = next_scheduled_publication() or NO_SCHEDULED_PUBLICATION
        cache.set(next_key, upcoming, settings.NEWSROOM_PAGE_CACHE_SECONDS * 10)
    if upcoming != NO_SCHEDULED_PUBLICATION and upcoming <= timezone.now():
        bump_generation()
        return current_generation()
    return generation


def next_scheduled_publication():
    from articles.models import Article

    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=timezone.now())
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )


def is_cacheable(request):
    return (
        settings.NEWSROOM_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PREFIXES)
        and not request.user.is_authenticated
    )


def cache_key(request, generation):
    # The host is part of the key: feeds and sitemaps carry absolute links built from it.
    variant = "|".join(
        [request.get_host(), request.LANGUAGE_CODE, request.COOKIES.get(CITY_COOKIE, ""), request.get_full_path()]
    )
    return f"page:{generation}:{hashlib.sha256(variant.encode()).hexdigest()}"


class PublicPageCacheMiddleware:
    """Serve anonymous readers from the cache; staff always get a freshly rendered page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_cacheable(request):
            response = self.get_response(request)
            if request.user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            return response
        key = cache_key(request, current_generation())
        stored = cache.get(key)
        if stored is not None:
            content, content_type, status = stored
            response = HttpResponse(content, content_type=content_type, status=status)
            response["X-Page-Cache"] = "hit"
        else:
            response = self.get_response(request)
            if response.status_code in (200, 404) and not response.cookies and not response.streaming:
                if not response.has_header("Cache-Control"):
                    cache.set(
                        key,
                        (response.content, response["Content-Type"], response.status_code),
                        settings.NEWSROOM_PAGE_CACHE_SECONDS,
                    )
                    response["X-Page-Cache"] = "miss"
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, public=True, max_age=settings.NEWSROOM_PAGE_CACHE_SECONDS)
        patch_vary_headers(response, ["Cookie"])
        return response
