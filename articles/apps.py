import mimetypes

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Материалы")
    # What readers see of this app: saving or deleting one of these, or changing one of a story's links, moves
    # the content generation and with it every page and block kept (newsroom/caching.py).
    public_models = [
        "Article",
        "Section",
        "taggit.Tag",
        "FrontPageSlot",
        "BreakingBanner",
        "AuthorProfile",
        "ArticleCoauthor",
        "Correction",
        "GalleryItem",
    ]
    public_links = ["Article.tags", "Article.cities", "Article.party_organisations", "Article.party_projects"]

    def ready(self):
        from articles import signals

        signals.connect_story_parts()

        # S3 storage labels an object by its name; Python 3.11 knows .webp only from a system mime.types.
        mimetypes.add_type("image/webp", ".webp")
