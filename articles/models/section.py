"""The rubrics articles are filed under."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from newsroom import edge
from regions.models import LocalizedNameMixin


class Section(LocalizedNameMixin, models.Model):
    name = models.CharField(_("название"), max_length=80, unique=True)
    name_kk = models.CharField(_("название на казахском"), max_length=80, blank=True)
    slug = models.SlugField(_("адрес (slug)"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(
        _("порядок"), default=0, help_text=_("Рубрики с меньшим числом стоят в меню первыми.")
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("рубрика")
        verbose_name_plural = _("рубрики")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", args=[self.slug])

    def edge_lists(self):
        """Every page's header names the sections (newsroom/edge.py)."""
        return [edge.NAVIGATION]
