"""An article's past: a revision at every save, an event at every workflow transition."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models.choices import ArticleStatus


class ArticleRevision(models.Model):
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="revisions", verbose_name=_("материал")
    )
    data = models.JSONField(_("снимок полей"))
    version = models.PositiveIntegerField(_("версия"), help_text=_("Версия материала, на которой основана правка."))
    is_applied = models.BooleanField(
        _("применена"),
        default=True,
        help_text=_("Неприменённая правка — сохранение, столкнувшееся с чужой правкой."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    created_at = models.DateTimeField(_("когда"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("редакция материала")
        verbose_name_plural = _("редакции материалов")

    def __str__(self):
        return f"{self.article} — {self.created_at:%d.%m.%Y %H:%M}"


class WorkflowEvent(models.Model):
    """A transition of a story, or a change of the home page's arrangement (articles/front_page.py).

    The front page's events name the story pinned or unpinned (with its status, unchanged, on both sides);
    those of the «Срочно» banner name no story.
    """

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workflow_events",
        verbose_name=_("материал"),
    )
    transition = models.CharField(_("действие"), max_length=20)
    from_status = models.CharField(_("из статуса"), max_length=10, choices=ArticleStatus.choices, blank=True)
    to_status = models.CharField(_("в статус"), max_length=10, choices=ArticleStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    comment = models.TextField(_("комментарий"), blank=True)
    created_at = models.DateTimeField(_("когда"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("событие редакционного процесса")
        verbose_name_plural = _("события редакционного процесса")

    def __str__(self):
        if self.article_id is None:
            return f"{self.transition}: {self.comment}"
        return f"{self.article}: {self.from_status} → {self.to_status}"
