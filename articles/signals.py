"""Keep the search column exact when a story's tags change without a save of the story."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from articles.models import Article, ArticleTag


@receiver(m2m_changed, sender=ArticleTag)
def refresh_after_tag_change(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Article):
        instance.refresh_search_vector()
