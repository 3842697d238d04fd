import re
from urllib.parse import urlsplit

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from articles import feeds, sitemaps, uploads
from newsroom import metrics, views

admin.site.site_header = _("Newsroom — редакция")
admin.site.site_title = _("Newsroom")
admin.site.index_title = _("Редакционный стол")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "img/favicon.png", permanent=True)),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.SITEMAPS, "template_name": "articles/sitemap.xml"},
        name="sitemap",
    ),
    path(
        "news-sitemap.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.NEWS_SITEMAPS, "template_name": "articles/news_sitemap.xml"},
        name="news-sitemap",
    ),
    path("admin/", admin.site.urls),
    # Exactly these two: ckeditor_uploader.urls matches any path under them and skips our checks.
    path("ckeditor/upload/", uploads.upload_image, name="ckeditor_upload"),
    path("ckeditor/browse/", uploads.browse, name="ckeditor_browse"),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("regions/<slug:slug>/feed/", feeds.RegionArticlesFeed(), name="region-feed"),
    # Full text for news aggregators (Yandex, Dzen): README «Aggregators».
    path("feed/full/", feeds.FullTextFeed(), name="feed-full"),
    path("regions/<slug:slug>/feed/full/", feeds.RegionFullTextFeed(), name="region-feed-full"),
    path("regions/", include("regions.urls")),
    path("parties/", include("parties.urls")),
    path("", include("articles.urls")),
    prefix_default_language=False,
)

# At MEDIA_URL's path, also when MEDIA_URL names another host that points at this app. A media host whose
# files sit at its root is never served by the app: the route would swallow every path of the site.
media_prefix = urlsplit(settings.MEDIA_URL).path.strip("/")
if settings.NEWSROOM_SERVE_MEDIA and media_prefix:
    urlpatterns += [re_path(rf"^{re.escape(media_prefix)}/(?P<path>.+)$", views.media, name="media")]

handler500 = "newsroom.views.server_error"
