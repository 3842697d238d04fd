"""Keep the search column exact when only an article's tags change (tags are saved after the article)."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from taggit.models import TaggedItem

from articles.models import Article


@receiver(m2m_changed, sender=TaggedItem)
def refresh_after_tag_change(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Article):
        instance.refresh_search_vector()
