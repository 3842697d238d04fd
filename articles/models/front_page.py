"""The home page as moderators arrange it: stories pinned to its top slots, and the «Срочно» banner.

Both end by themselves at their end time: the content generation counts their end times among the moments
at which what readers see changes (newsroom/generation.py), so no save and no timer is needed.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from newsroom import edge

# Slot 1 is the main story; slots 2–4 are the first stories of «Последние новости».
SLOT_COUNT = 4
BANNER_TEXT_MAX_LENGTH = 160


class EndingQuerySet(models.QuerySet):
    """Rows that stop showing by themselves at `ends_at` (none: until removed)."""

    def live(self, now=None):
        return self.filter(models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now or timezone.now()))

    def ended(self, now=None):
        return self.filter(ends_at__lte=now or timezone.now())


class FrontPageSlot(models.Model):
    """A story held in one of the home page's top slots until its end time, or until it is unpinned."""

    position = models.PositiveSmallIntegerField(
        _("место"),
        unique=True,
        validators=[MinValueValidator(1), MaxValueValidator(SLOT_COUNT)],
        help_text=_("1 — главная новость; 2–4 — первые новости в «Последних новостях»."),
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="front_page_slots", verbose_name=_("материал")
    )
    ends_at = models.DateTimeField(
        _("до"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("После этого времени место снова заполняется автоматически. Пусто — пока не открепят."),
    )
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("кто")
    )
    pinned_at = models.DateTimeField(_("когда"), default=timezone.now)

    objects = EndingQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = _("место на главной")
        verbose_name_plural = _("главная страница")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(position__gte=1, position__lte=SLOT_COUNT), name="front_page_slot_position_range"
            )
        ]

    def __str__(self):
        return f"{self.position}: {self.article}"

    def edge_pages(self):
        """The edge keys of the pages showing it, purged for good when it changes: the home page."""
        return [edge.FRONT_PAGE]

    def leaves_public_at(self):
        """When it stops showing by itself (the edge is purged then too)."""
        return self.ends_at


def validate_banner_link(value):
    """A page of this site ("/news/…") or an http(s) address; nothing a browser would run."""
    if value.startswith("/") and not value.startswith("//"):
        return
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationError(
            _("Укажите адрес страницы сайта (начинается с «/») или полный адрес с http:// или https://."),
            code="invalid",
        ) from None


class BreakingBanner(models.Model):
    """The «Срочно» banner at the top of every public page: at most one, shown until its end time or taken down."""

    SINGLETON = 1

    text = models.CharField(
        _("текст"),
        max_length=BANNER_TEXT_MAX_LENGTH,
        help_text=_("Одна фраза, например: «Штормовое предупреждение в Петропавловске до 20:00»."),
    )
    text_kk = models.CharField(
        _("текст на казахском"),
        max_length=BANNER_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("Для казахской версии сайта; пусто — там показывается русский текст."),
    )
    link = models.CharField(
        _("ссылка"),
        max_length=500,
        validators=[validate_banner_link],
        help_text=_("Куда ведёт плашка: адрес материала на сайте (/news/…) или полный адрес."),
    )
    ends_at = models.DateTimeField(_("показывать до"), db_index=True, help_text=_("В это время плашка исчезнет сама."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("кто")
    )
    created_at = models.DateTimeField(_("когда"), default=timezone.now)

    objects = EndingQuerySet.as_manager()

    class Meta:
        verbose_name = _("плашка «Срочно»")
        verbose_name_plural = _("плашки «Срочно»")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="breaking_banner_only_one")]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON  # the one banner: putting up another replaces it
        super().save(*args, **kwargs)

    def display_text(self):
        """The text in the page's language (Russian where there is no Kazakh one)."""
        return self.text_kk if translation.get_language() == "kk" and self.text_kk else self.text

    def edge_pages(self):
        """Every HTML page carries the banner, and the navigation key (newsroom/edge.py)."""
        return [edge.NAVIGATION]

    def leaves_public_at(self):
        return self.ends_at
