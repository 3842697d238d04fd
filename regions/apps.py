from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("Регионы")
    # Saving or deleting one moves the content generation (newsroom/caching.py); a city's weather is in the header.
    public_models = ["Region", "District", "City"]
