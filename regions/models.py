from datetime import timedelta

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from newsroom import edge

WEATHER_FRESH_FOR = timedelta(hours=3)


class LocalizedNameMixin:
    @property
    def display_name(self):
        """The Kazakh name on Kazakh pages when there is one, else the Russian name."""
        if (get_language() or "").startswith("kk") and self.name_kk:
            return self.name_kk
        return self.name


class Region(LocalizedNameMixin, models.Model):
    class Kind(models.TextChoices):
        OBLAST = "oblast", _("область")
        CITY = "city", _("город республиканского значения")

    name = models.CharField(_("название"), max_length=120, unique=True)
    name_kk = models.CharField(_("название на казахском"), max_length=120, blank=True)
    slug = models.SlugField(_("адрес (slug)"), max_length=120, unique=True)
    kind = models.CharField(_("тип"), max_length=10, choices=Kind.choices)
    short_name = models.CharField(_("сокращение"), max_length=20, blank=True, help_text=_("Например, СКО, ВКО, ЗКО."))
    kato = models.CharField(_("код КАТО"), max_length=9, unique=True)
    centre = models.CharField(_("центр"), max_length=120)
    centre_kk = models.CharField(_("центр на казахском"), max_length=120, blank=True)
    latitude = models.DecimalField(_("широта"), max_digits=7, decimal_places=4)
    longitude = models.DecimalField(_("долгота"), max_digits=7, decimal_places=4)

    class Meta:
        ordering = ["name"]
        verbose_name = _("регион")
        verbose_name_plural = _("регионы")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regions:detail", args=[self.slug])

    def edge_lists(self):
        """Every page's header names the regions (newsroom/edge.py)."""
        return [edge.NAVIGATION]


class District(LocalizedNameMixin, models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts", verbose_name=_("регион"))
    name = models.CharField(_("название"), max_length=120)
    name_kk = models.CharField(_("название на казахском"), max_length=120, blank=True)
    slug = models.SlugField(_("адрес (slug)"), max_length=120)
    kato = models.CharField(_("код КАТО"), max_length=9, blank=True)
    centre = models.CharField(_("районный центр"), max_length=120, blank=True)
    centre_kk = models.CharField(_("районный центр на казахском"), max_length=120, blank=True)

    class Meta:
        ordering = ["region__name", "name"]
        verbose_name = _("район")
        verbose_name_plural = _("районы")
        constraints = [models.UniqueConstraint(fields=["region", "slug"], name="district_unique_slug_per_region")]

    def __str__(self):
        return self.name

    def edge_lists(self):
        """Its region's page lists the districts (newsroom/edge.py)."""
        return [edge.key("region", self.region_id)]


class CityQuerySet(models.QuerySet):
    def with_coordinates(self):
        return self.exclude(latitude=None).exclude(longitude=None)


class City(LocalizedNameMixin, models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cities", verbose_name=_("регион"))
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cities",
        verbose_name=_("район"),
        help_text=_("Пусто для городов областного и республиканского значения."),
    )
    name = models.CharField(_("название"), max_length=120)
    name_kk = models.CharField(_("название на казахском"), max_length=120, blank=True)
    slug = models.SlugField(_("адрес (slug)"), max_length=120)
    is_centre = models.BooleanField(_("административный центр региона"), default=False)
    population = models.PositiveIntegerField(_("население"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("год оценки населения"), null=True, blank=True)
    latitude = models.DecimalField(_("широта"), max_digits=7, decimal_places=4, null=True, blank=True)
    longitude = models.DecimalField(_("долгота"), max_digits=7, decimal_places=4, null=True, blank=True)
    temperature = models.DecimalField(_("температура, °C"), max_digits=4, decimal_places=1, null=True, blank=True)
    weather_condition = models.CharField(_("погода"), max_length=80, blank=True)
    weather_observed_at = models.DateTimeField(_("время наблюдения"), null=True, blank=True)

    objects = CityQuerySet.as_manager()

    class Meta:
        ordering = ["region__name", "-is_centre", "name"]
        verbose_name = _("город")
        verbose_name_plural = _("города")
        constraints = [models.UniqueConstraint(fields=["region", "slug"], name="city_unique_slug_per_region")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regions:city", args=[self.region.slug, self.slug])

    def edge_lists(self):
        """Every page's header names the cities and shows the reader's city's weather (newsroom/edge.py)."""
        return [edge.NAVIGATION, edge.key("region", self.region_id)]

    def has_fresh_weather(self, now=None):
        """True while the last reading is under three hours old."""
        if self.temperature is None or self.weather_observed_at is None:
            return False
        now = now or timezone.now()
        return now - self.weather_observed_at < WEATHER_FRESH_FOR

    def formatted_temperature(self):
        """`+21°C`, `−5°C` (with U+2212) or `0°C`; empty when there is no fresh reading."""
        if not self.has_fresh_weather():
            return ""
        degrees = round(self.temperature)
        if degrees > 0:
            return f"+{degrees}°C"
        if degrees < 0:
            return f"\u2212{-degrees}°C"
        return "0°C"
