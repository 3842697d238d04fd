"""RSS 2.0 feeds of the latest published articles, site-wide and per region; full text for news aggregators."""

import copy
import mimetypes
from functools import partial
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from articles.models import Article
from articles.sanitize import plain_text, sanitize_for_aggregators
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
    size = FEED_SIZE

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

    def selected(self, articles):
        """What the items read, fetched with the articles."""
        # the author's profile: the name a byline shows (articles/bylines.py)
        return (
            articles.select_related("author__author_profile", "cover_photo")
            .prefetch_related("tags")
            .defer("body", "search_vector")
        )

    def items(self, obj):
        items = list(self.selected(self.articles(obj)).newest_first()[: self.size])
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
        cover = article.cover
        if not cover:
            return []
        file = cover.photo.file
        mime_type, _encoding = mimetypes.guess_type(file.name)
        return [
            feedgenerator.Enclosure(
                url=build_absolute(self.request, file.url),
                length=str(stored_size(file.storage, file.name)),
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


# Yandex (its news feed format) and Dzen (https://dzen.ru/help/website/rss-modify.html) read RSS 2.0 with these.
YANDEX_NS = "http://news.yandex.ru"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
MEDIA_NS = "http://search.yahoo.com/mrss/"
# Dzen's own categories: a story in the site's format, to be indexed.
DZEN_CATEGORIES = ["format-article", "index"]
AGGREGATOR_FEED_SIZE = 50


class AggregatorFeedGenerator(feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with what aggregators read: the full text as plain text and as HTML, the genre, the rating."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:yandex": YANDEX_NS,
            "xmlns:content": CONTENT_NS,
            "xmlns:media": MEDIA_NS,
        }

    def add_item_elements(self, handler, item):
        # Aggregators want the author's name in <author>, where RSS 2.0 (and Django) put an e-mail address.
        super().add_item_elements(handler, {**item, "author_name": None})
        if item["author_name"]:
            handler.addQuickElement("author", item["author_name"])
        handler.addQuickElement("yandex:genre", "message")
        handler.addQuickElement("yandex:full-text", item["full_text"])
        handler.addQuickElement("content:encoded", item["content_html"])
        handler.addQuickElement("media:rating", "nonadult", {"scheme": "urn:simple"})


class FullText:
    """Items with their full text, the cover as a JPEG rendition and the section, for Yandex and Dzen."""

    feed_type = AggregatorFeedGenerator
    size = AGGREGATOR_FEED_SIZE

    def selected(self, articles):
        return articles.select_related("author__author_profile", "section", "cover_photo").defer("search_vector")

    def items(self, obj):
        items = super().items(obj)
        # The feed carries each story's text, like its page: a correction or withdrawal purges it too.
        edge.shows(*items, *{article.section for article in items})
        return items

    def item_categories(self, article):
        section = [article.section.display_name] if article.section else []
        return [*section, *DZEN_CATEGORIES]

    def item_enclosures(self, article):
        if not article.cover:
            return []
        rendition = article.cover.photo.rendition_1200_jpeg
        # Asked of the storage by name: the rendition's own `size` would open the file first.
        length = stored_size(rendition.storage, rendition.name)
        return [feedgenerator.Enclosure(build_absolute(self.request, rendition.url), str(length), "image/jpeg")]

    def item_extra_kwargs(self, article):
        absolute = partial(urljoin, self.item_link(article))
        lead = format_html("<p>{}</p>", article.lead) if article.lead else ""
        return {
            "full_text": plain_text(sanitize_for_aggregators(lead + article.body, absolute)),
            "content_html": sanitize_for_aggregators(lead + self.cover_figure(article) + article.body, absolute),
        }

    def cover_figure(self, article):
        cover = article.cover
        if not cover:
            return ""
        photo = cover.photo
        caption = " ".join(part for part in [photo.caption, photo.credit] if part)
        return format_html(
            '<figure><img src="{}" alt="{}">{}</figure>',
            photo.rendition_1200_jpeg.url,
            photo.alt_text,
            format_html("<figcaption>{}</figcaption>", caption) if caption else "",
        )


class FullTextFeed(FullText, LatestArticlesFeed):
    """The latest published articles in full, for news aggregators, in the language of the page."""

    def title(self, obj):
        return _("%(site)s: новости полным текстом") % {"site": settings.NEWSROOM_SITE_NAME}

    def description(self, obj):
        return _("Последние новости %(site)s с полным текстом.") % {"site": settings.NEWSROOM_SITE_NAME}


class RegionFullTextFeed(FullText, RegionArticlesFeed):
    """The latest published articles of one region in full, for news aggregators."""

    def title(self, region):
        return _("%(site)s: новости полным текстом, %(region)s") % {
            "site": settings.NEWSROOM_SITE_NAME,
            "region": region.display_name,
        }

    def description(self, region):
        return _("Последние новости региона с полным текстом: %(region)s.") % {"region": region.display_name}


def stored_size(storage, name):
    """Return the stored file's size in bytes, or 0 when its storage cannot tell."""
    try:
        return storage.size(name)
    except Exception:
        # Remote storages raise their own errors; RSS allows 0 and one missing file must not break the feed.
        return 0
