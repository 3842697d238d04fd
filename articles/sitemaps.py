"""Sitemaps for search engines: the whole public site, and the Google News sitemap of the last 48 hours."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article, AuthorProfile, Section
from newsroom import edge
from regions.models import Region

NEWS_WINDOW = timedelta(hours=48)
# Google News reads at most 1,000 articles from one news sitemap.
NEWS_LIMIT = 1000


class PublicSitemap(Sitemap):
    """Build locations on NEWSROOM_SITE_URL when it is set, else on the request's scheme and host."""

    def get_protocol(self, protocol=None):
        if settings.NEWSROOM_SITE_URL:
            return urlsplit(settings.NEWSROOM_SITE_URL).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site=None):
        if settings.NEWSROOM_SITE_URL:
            parts = urlsplit(settings.NEWSROOM_SITE_URL)
            return parts.netloc + parts.path
        return super().get_domain(site)


class TranslatedSitemap(PublicSitemap):
    """List each page once per language, with hreflang links to the other."""

    i18n = True
    alternates = True
    x_default = True


class StaticPageSitemap(TranslatedSitemap):
    changefreq = "hourly"

    def items(self):
        edge.shows(edge.NAVIGATION)  # sections and regions are listed too
        return ["articles:home", "articles:list", "articles:corrections", "regions:list"]

    def location(self, name):
        return reverse(name)


class SectionSitemap(TranslatedSitemap):
    changefreq = "hourly"

    def items(self):
        return Section.objects.only("slug")


class RegionSitemap(TranslatedSitemap):
    changefreq = "hourly"

    def items(self):
        return Region.objects.only("slug")


class AuthorSitemap(TranslatedSitemap):
    changefreq = "daily"

    def items(self):
        return AuthorProfile.objects.public().only("slug")


class ArticleSitemap(PublicSitemap):
    def items(self):
        edge.shows(edge.ALL_STORIES)
        return Article.objects.published().newest_first().only("slug", "language", "updated_at")

    def location(self, article):
        return article_path(article)

    def lastmod(self, article):
        return article.updated_at.replace(microsecond=0)


class NewsSitemap(PublicSitemap):
    limit = NEWS_LIMIT

    def items(self):
        edge.shows(edge.ALL_STORIES)
        return (
            Article.objects.published()
            .filter(publish_at__gte=timezone.now() - NEWS_WINDOW)
            .newest_first()
            .only("slug", "language", "title", "publish_at", "updated_at")
        )

    def location(self, article):
        return article_path(article)

    def lastmod(self, article):
        """When the story last changed, a correction or update note included (articles/corrections.py)."""
        return article.updated_at.replace(microsecond=0)

    def get_urls(self, page=1, site=None, protocol=None):
        """Add to each location what Google News shows: publication, language, date and title."""
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            article = url["item"]
            url["news"] = {
                "name": settings.NEWSROOM_SITE_NAME,
                "language": article.language,
                "publication_date": timezone.localtime(article.publish_at).replace(microsecond=0).isoformat(),
                "title": article.title,
            }
        return urls


def article_path(article):
    """Return the article's address under its own language's prefix."""
    with translation.override(article.language):
        return article.get_absolute_url()


SITEMAPS = {
    "static": StaticPageSitemap,
    "sections": SectionSitemap,
    "regions": RegionSitemap,
    "authors": AuthorSitemap,
    "articles": ArticleSitemap,
}
NEWS_SITEMAPS = {"news": NewsSitemap}
