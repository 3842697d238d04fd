"""What someone typed into an article form and has not saved yet, kept every few seconds by the form itself."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def oldest_fresh(now=None):
    return (now or timezone.now()) - timedelta(days=settings.NEWSROOM_DRAFT_DAYS)


class ArticleDraftQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def for_article(self, article):
        """Drafts of the form of `article`; of the new-story form when `article` is None."""
        return self.filter(article__isnull=True) if article is None else self.filter(article=article)

    def fresh(self, now=None):
        """Drafts written in the last NEWSROOM_DRAFT_DAYS days: older ones are no longer offered."""
        return self.filter(saved_at__gt=oldest_fresh(now))

    def expired(self, now=None):
        return self.filter(saved_at__lte=oldest_fresh(now))


class ArticleDraft(models.Model):
    """One open form's unsaved text: offered back to the person who typed it, never applied to the story by itself.

    Each opening of the form writes under a key of its own, so a second tab or a story started after a crash
    does not overwrite the text the first one kept; restoring a draft carries its key on.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("кто")
    )
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drafts",
        verbose_name=_("материал"),
        help_text=_("Пусто — форма нового материала."),
    )
    key = models.CharField(_("ключ формы"), max_length=32)
    base_version = models.PositiveIntegerField(
        _("версия"), null=True, blank=True, help_text=_("Версия материала, открытая в форме.")
    )
    data = models.JSONField(_("поля формы"))
    saved_at = models.DateTimeField(_("сохранён"), default=timezone.now, db_index=True)

    objects = ArticleDraftQuerySet.as_manager()

    class Meta:
        ordering = ["-saved_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="articles_draft_one_per_form")]
        verbose_name = _("несохранённый черновик")
        verbose_name_plural = _("несохранённые черновики")

    def __str__(self):
        return f"{self.article or '—'} — {self.saved_at:%d.%m.%Y %H:%M}"
