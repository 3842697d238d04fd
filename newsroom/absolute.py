"""Absolute links for feeds, sitemaps, canonical tags and e-mail: NEWSROOM_SITE_URL, else the request's host."""

from django.conf import settings


def site_url(request=None) -> str:
    if settings.NEWSROOM_SITE_URL:
        return settings.NEWSROOM_SITE_URL
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return "http://127.0.0.1:8000"


def build_absolute(request, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return site_url(request) + path
