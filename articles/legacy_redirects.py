"""Old addresses of an imported site (articles.LegacyRedirect) answered with a permanent redirect to the story.

Like django.contrib.redirects, it acts only where the site has nothing: on a 404, so an old address never shadows
a page of ours. The one exception is WordPress's `/?p=ID` on the home page, which the home page ignores. Each
costs one indexed query, and only such requests pay it; it leads only to a story readers may see now, so an old
address never tells anyone a draft's address.
"""

from django.http import HttpResponsePermanentRedirect
from django.utils.cache import patch_cache_control

from articles.models import Article, LegacyRedirect

HOME = "/"


def target(paths):
    """The address of the live story one of `paths` leads to, or None."""
    paths = [path for path in paths if "\x00" not in path]  # no stored path holds one, and PostgreSQL refuses it
    if not paths:
        return None
    found = (
        LegacyRedirect.objects.filter(old_path__in=paths)
        .filter(article__in=Article.objects.published().values("pk"))
        .select_related("article")
        .only("article__slug", "article__language")
        .first()
    )
    return found.article.get_absolute_url() if found else None


def redirect(url):
    """A permanent redirect that browsers and the edge check again: a story withdrawn later stops being the target."""
    response = HttpResponsePermanentRedirect(url)
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response


def post_number(request):
    value = request.GET.get("p", "")
    return value if value.isdigit() else None


def candidates(request):
    """The old paths the request may be: as it came, with and without the final slash, with its ?p=ID."""
    path = request.path
    paths = [path, path[:-1] if path.endswith("/") and path != HOME else f"{path}/"]
    number = post_number(request)
    if number:
        paths.append(f"{path}?p={number}")
    return paths


class LegacyRedirectMiddleware:
    """Sits before the page cache: it reads the query string before the cache drops what pages do not read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path == HOME and post_number(request):
            url = target([f"{HOME}?p={post_number(request)}"])
            if url:
                return redirect(url)
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        url = target(candidates(request))
        return redirect(url) if url else response
