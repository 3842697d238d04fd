"""Previews of unpublished articles: for staff in the admin, and signed links that expire or are revoked."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import revisions, workflow
from articles.models import PreviewLink
from articles.views import article_context
from parties.models import PartyProject, PrimaryOrganisation

SALT = "articles.preview-link"


def link_hours() -> int:
    return settings.NEWSROOM_PREVIEW_LINK_HOURS


def share(article, by=None) -> PreviewLink:
    """Issue a link to the article as it is saved now, for NEWSROOM_PREVIEW_LINK_HOURS."""
    now = timezone.now()
    return PreviewLink.objects.create(
        article=article,
        revision=revisions.current(article, by),
        created_by=by,
        created_at=now,
        expires_at=now + timedelta(hours=link_hours()),
    )


def link_url(link) -> str:
    token = signing.dumps({"link": link.pk}, salt=SALT, compress=True)
    return reverse("articles:preview", args=[token])


def share_url(article, by=None) -> str:
    return link_url(share(article, by))


def revoke(link, by):
    """End the link now; its address shows that it is no longer valid."""
    link.revoked_at, link.revoked_by = timezone.now(), by
    link.save(update_fields=["revoked_at", "revoked_by"])


def render_private(request, template, context, status):
    """A page for one reader only: never indexed, never kept by a cache or an edge."""
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


def render_preview(request, article, status=200, links=None):
    context = article_context(request, article, is_preview=True, links=links)
    return render_private(request, "articles/article_detail.html", context, status)


def render_gone(request, *, expired):
    """410: the link has expired, or it has ended (revoked, or its story published or archived)."""
    return render_private(request, "articles/preview_expired.html", {"hours": link_hours(), "expired": expired}, 410)


def shared_preview(request, token):
    """Show someone without an account the version of a draft that was shared, while its link is valid."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise Http404("Bad preview link") from error
    if "link" not in data:
        return render_gone(request, expired=False)  # a link of the old format, which named only the article
    link = PreviewLink.objects.select_related("article__author", "revision").filter(pk=data["link"]).first()
    if link is None:
        raise Http404("Preview link is gone")
    if workflow.link_is_ended(link):
        return render_gone(request, expired=False)
    if link.expires_at <= timezone.now():
        return render_gone(request, expired=True)
    shared = link.revision.data
    return render_preview(request, revisions.as_of(link.article, shared), links=shared_links(shared))


def shared_links(data):
    """The tags and party links of a snapshot, as the article template shows them."""
    return {
        "tags": list(Tag.objects.filter(name__in=data.get("tags") or [])),
        "translations": [],
        "party_organisations": list(
            PrimaryOrganisation.objects.filter(pk__in=data.get("party_organisations") or []).select_related("party")
        ),
        "party_projects": list(
            PartyProject.objects.filter(pk__in=data.get("party_projects") or []).select_related("party")
        ),
    }
