"""A story's own part of its page, rendered when the story changes (articles/story_parts.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoryPart(models.Model):
    """The head (meta tags, JSON-LD) and the article element of a story's page, as last rendered.

    Used by a request only while its fingerprint is that of what the story and its neighbours now are.
    """

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, primary_key=True, related_name="rendered_part"
    )
    fingerprint = models.CharField(max_length=64)
    head = models.TextField()
    body = models.TextField()
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("отрисованная часть материала")
        verbose_name_plural = _("отрисованные части материалов")

    def __str__(self):
        return f"{self.article_id}: {self.fingerprint}"
