from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "parties"
    verbose_name = _("Партии")
    # Saving or deleting one moves the content generation (newsroom/caching.py): stories and regions show them.
    public_models = ["Party", "PrimaryOrganisation", "PartyProject"]
