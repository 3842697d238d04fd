"""View and share counters recorded by small POST endpoints, so article pages stay cacheable."""

import hashlib

from django.core.cache import cache
from django.db.models import F
from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from articles.models import Article

COUNT_ONCE_PER_SECONDS = 30 * 60
FIELDS = {"view": "views_count", "share": "shares_count"}


def visitor_fingerprint(request):
    """An anonymous, short-lived identity: address and browser, hashed."""
    address = request.META.get("REMOTE_ADDR", "")
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return hashlib.sha256(f"{address}|{agent}".encode()).hexdigest()[:32]


def record(request, slug, kind):
    """Count one `kind` event for the article, once per visitor per 30 minutes."""
    field = FIELDS[kind]
    article = Article.objects.published().filter(slug=slug).values("pk", field).first()
    if article is None:
        raise Http404
    key = f"counted:{kind}:{article['pk']}:{visitor_fingerprint(request)}"
    counted = cache.add(key, 1, COUNT_ONCE_PER_SECONDS)
    if counted:
        Article.objects.filter(pk=article["pk"]).update(**{field: F(field) + 1})
    return JsonResponse({"counted": counted, "count": article[field] + int(counted)})


# The page that posts here is cached and shared, so it carries no CSRF token; the endpoints change
# nothing but a counter and count each visitor once.
@csrf_exempt
@never_cache
@require_POST
def record_view(request, slug):
    return record(request, slug, "view")


@csrf_exempt
@never_cache
@require_POST
def record_share(request, slug):
    return record(request, slug, "share")
