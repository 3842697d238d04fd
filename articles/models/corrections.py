"""A correction or update note on a published story, shown under it and on the public list of corrections."""

import json
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from newsroom import edge

TEXT_MAX_LENGTH = 2000


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """The notes readers see on the current page: those of the stories ArticleQuerySet.public() shows."""
        stories = self.model._meta.get_field("article").related_model.objects.public()
        return self.filter(article__in=stories)

    def newest_first(self):
        return self.order_by("-created_at", "-id")


class Correction(models.Model):
    """What was corrected or added in a published story, in the newsroom's words, dated.

    Added, changed and removed through articles/corrections.py, which checks the rule (workflow.can_correct) and
    records each step in the story's audit trail.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Исправление")
        UPDATE = "update", _("Обновление")

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="corrections", verbose_name=_("материал")
    )
    kind = models.CharField(
        _("вид"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.CORRECTION,
        help_text=_("Исправление — в материале была ошибка; обновление — в материал добавлены новые сведения."),
    )
    text = models.TextField(
        _("текст"),
        max_length=TEXT_MAX_LENGTH,
        help_text=_(
            "Что исправлено или добавлено, для читателей: например, «В первой версии материала неверно "
            "указана фамилия акима». Простой текст; читатели увидят его под материалом и на странице исправлений."
        ),
    )
    created_at = models.DateTimeField(_("когда"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("кто")
    )
    edited_at = models.DateTimeField(_("текст изменён"), null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто изменил текст"),
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("исправление или обновление")
        verbose_name_plural = _("исправления и обновления")
        indexes = [
            # a story's notes, newest first (its page)
            models.Index(fields=["article", "-created_at", "-id"], name="correction_article_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.article}"

    @classmethod
    def from_row(cls, article, row):
        """A note of `article` from one of its correction_rows (ArticleQuerySet.with_link_summary): a dict, or its
        JSON text as the compiled story statement reads it without the ORM's converters (articles/statements.py)."""
        row = json.loads(row) if isinstance(row, str) else row
        created_at = datetime.fromisoformat(row["created_at"])
        return cls(id=row["id"], article=article, kind=row["kind"], text=row["text"], created_at=created_at)

    def edge_lists(self):
        """The pages showing the note (newsroom/edge.py), purged softly like a corrected story's: its story's, the
        list of corrections, and the feeds and sitemaps that show when its story was updated."""
        return [edge.key("article", self.article_id), edge.CORRECTIONS, edge.ALL_STORIES]
