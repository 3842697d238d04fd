"""Site-wide views."""

from pathlib import PurePosixPath

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from django.views.static import serve

from articles.images import PHOTO_TYPES
from newsroom import embedded_db
from newsroom.absolute import build_absolute
from newsroom.background import readiness
from newsroom.middleware import MEDIA_CSP

# The editorial interface, private draft previews and search results; the last two exist under /kk/ as well.
ROBOTS_DISALLOWED = ["/admin/", "/ckeditor/", "/preview/", "/search/", "/kk/preview/", "/kk/search/"]


@never_cache
@require_GET
def healthz(request):
    """Answer 200 when the database answers, 503 when it does not; never start a database."""
    try:
        with embedded_db.no_autostart(), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (DatabaseError, embedded_db.EmbeddedDatabaseUnavailable):
        connection.close()
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


@never_cache
@require_GET
def readyz(request):
    """Answer 200 when the database answers, every migration is applied and a task worker was seen lately.

    Otherwise 503 with one word of reason; never start a database. Cheap: a few indexed reads.
    """
    try:
        with embedded_db.no_autostart():
            problem = readiness.problem()
    except (DatabaseError, embedded_db.EmbeddedDatabaseUnavailable):
        connection.close()
        problem = readiness.DATABASE
    if problem is not None:
        return JsonResponse({"status": "unavailable", "reason": problem}, status=503)
    return JsonResponse({"status": "ready"})


def server_error(request):
    """The 500 page in the reader's language, rendered without touching the database."""
    return HttpResponseServerError(loader.get_template("500.html").render({}))


@require_safe
def robots_txt(request):
    """Tell crawlers what to skip and where both sitemaps are."""
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED),
        "Allow: /",
        "",
        f"Sitemap: {build_absolute(request, reverse('sitemap'))}",
        f"Sitemap: {build_absolute(request, reverse('news-sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def media(request, path):
    """Serve an uploaded photo as an image no browser runs (local mode); 404 for any other file."""
    content_type = PHOTO_TYPES.get(PurePosixPath(path).suffix.lower().removeprefix("."))
    if content_type is None:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    return response
