"""RSS 2.0 feeds of the latest published articles, site-wide and per region."""

import copy
import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from articles.models import Article
from newsroom import edge
from newsroom.absolute import build_absolute
from regions.models import Region

FEED_SIZE = 30


class NewsFeed(feedgenerator.Rss201rev2Feed):
    """RSS 2.0 whose items say when a published story was last updated (a correction, an update note) in
    <atom:updated>: RSS has no element of its own for it, and the Atom namespace is declared already."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["updateddate"] is not None:
            updated = item["updateddate"].replace(microsecond=0)
            handler.addQuickElement("atom:updated", feedgenerator.rfc3339_date(updated))


class LatestArticlesFeed(Feed):
    """List the latest published articles in the language of the page."""

    feed_type = NewsFeed
    item_guid_is_permalink = True

    def __call__(self, request, *args, **kwargs):
        # One instance serves every request: a copy carries this request to the item methods.
        feed = copy.copy(self)
        feed.request = request
        return super(LatestArticlesFeed, feed).__call__(request, *args, **kwargs)

    def title(self, obj):
        return _("%(site)s: последние новости") % {"site": settings.NEWSROOM_SITE_NAME}

    def description(self, obj):
        return _("Последние новости %(site)s.") % {"site": settings.NEWSROOM_SITE_NAME}

    def link(self, obj):
        return build_absolute(self.request, reverse("articles:home"))

    def feed_url(self, obj):
        return build_absolute(self.request, self.request.path)

    def articles(self, obj):
        return Article.objects.published().in_language(get_language() or "ru")

    def items(self, obj):
        items = list(
            self.articles(obj)
            .select_related("author__author_profile")  # the name a byline shows (articles/bylines.py)
            .prefetch_related("tags")
            .defer("body", "search_vector")
            .newest_first()[:FEED_SIZE]
        )
        edge.shows(obj or edge.ALL_STORIES)
        edge.shows_listed(*items)
        return items

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.lead

    def item_link(self, article):
        return build_absolute(self.request, article.get_absolute_url())

    def item_pubdate(self, article):
        return article.publish_at

    def item_updateddate(self, article):
        """When readers were told the story changed after publication (corrected_at): also the feed's lastBuildDate."""
        return article.corrected_at

    def item_author_name(self, article):
        return article.author_display

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]

    def item_enclosures(self, article):
        if not article.cover_image:
            return []
        mime_type, _encoding = mimetypes.guess_type(article.cover_image.name)
        return [
            feedgenerator.Enclosure(
                url=build_absolute(self.request, article.cover_image.url),
                length=str(cover_size(article)),
                mime_type=mime_type or "application/octet-stream",
            )
        ]


class RegionArticlesFeed(LatestArticlesFeed):
    """List the latest published articles of one region in the language of the page."""

    def get_object(self, request, slug):
        return Region.objects.get(slug=slug)

    def title(self, region):
        return _("%(site)s: новости, %(region)s") % {"site": settings.NEWSROOM_SITE_NAME, "region": region.display_name}

    def description(self, region):
        return _("Последние новости региона: %(region)s.") % {"region": region.display_name}

    def link(self, region):
        return build_absolute(self.request, region.get_absolute_url())

    def articles(self, region):
        return super().articles(region).in_region(region)


def cover_size(article):
    """Return the cover's size in bytes, or 0 when its storage cannot tell."""
    try:
        return article.cover_image.size
    except Exception:
        # Remote storages raise their own errors; RSS allows 0 and one missing file must not break the feed.
        return 0
