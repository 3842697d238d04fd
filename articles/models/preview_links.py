"""Signed links that let someone without an account read a draft."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PreviewLinkQuerySet(models.QuerySet):
    def active(self, now=None):
        """Links not revoked and not yet expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class PreviewLink(models.Model):
    """A «Поделиться черновиком» link: the version of the story it shows, who made it and until when it works.

    The signed token in the address names this row, so that a link can be revoked before it expires.
    """

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="preview_links", verbose_name=_("материал")
    )
    revision = models.ForeignKey(
        "articles.ArticleRevision",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("редакция"),
        help_text=_("Версия текста, которую показывает ссылка."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто создал"),
    )
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    expires_at = models.DateTimeField(_("действует до"))
    revoked_at = models.DateTimeField(_("отозвана"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто отозвал"),
    )

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ссылка на черновик")
        verbose_name_plural = _("ссылки на черновики")

    def __str__(self):
        return f"{self.article} — {self.created_at:%d.%m.%Y %H:%M}"
