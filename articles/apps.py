import mimetypes

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Материалы")

    def ready(self):
        from articles import signals

        # S3 storage labels an object by its name; Python 3.11 knows .webp only from a system mime.types.
        mimetypes.add_type("image/webp", ".webp")

        signals.connect_page_cache_invalidation()
