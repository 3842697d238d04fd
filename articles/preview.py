"""Previews of unpublished articles: for staff in the admin, and signed links that expire."""

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from articles.models import Article
from articles.views import article_context

SALT = "articles.preview-link"


def link_hours() -> int:
    return settings.NEWSROOM_PREVIEW_LINK_HOURS


def share_url(article) -> str:
    token = signing.dumps({"article": article.pk}, salt=SALT, compress=True)
    return reverse("articles:preview", args=[token])


def render_preview(request, article, status=200):
    response = render(request, "articles/article_detail.html", article_context(article, is_preview=True), status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


def shared_preview(request, token):
    """Show a draft to someone without an account, while the signed link is fresh."""
    try:
        data = signing.loads(token, salt=SALT, max_age=link_hours() * 3600)
    except signing.SignatureExpired:
        response = render(request, "articles/preview_expired.html", {"hours": link_hours()}, status=410)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    except signing.BadSignature as error:
        raise Http404("Bad preview link") from error
    article = Article.objects.select_related("section", "region", "author").filter(pk=data.get("article")).first()
    if article is None:
        raise Http404("Article is gone")
    return render_preview(request, article)
