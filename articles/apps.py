from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Материалы")

    def ready(self):
        from articles import signals

        signals.connect_page_cache_invalidation()
