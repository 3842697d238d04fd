"""Keep the search column and the cached pages exact when a story's tags or links change without a save."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from articles.models import Article, ArticleTag
from newsroom.generation import bump_generation

CHANGED = {"post_add", "post_remove", "post_clear"}


@receiver(m2m_changed, sender=ArticleTag)
def refresh_after_tag_change(sender, instance, action, **kwargs):
    if action in CHANGED and isinstance(instance, Article):
        instance.refresh_search_vector()
        bump_generation()  # pages and blocks kept per content generation show the story's tags


@receiver(m2m_changed, sender=Article.party_organisations.through)
@receiver(m2m_changed, sender=Article.party_projects.through)
@receiver(m2m_changed, sender=Article.cities.through)
def bump_after_link_change(sender, action, **kwargs):
    """A story's party links and cities are shown from blocks kept per content generation."""
    if action in CHANGED:
        bump_generation()


def connect_page_cache_invalidation():
    """Any saved or deleted public content makes cached pages stale on the very next request."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for label in [
        "articles.Article", "articles.Section", "taggit.Tag", "regions.Region", "regions.City",
        "parties.Party", "parties.PrimaryOrganisation", "parties.PartyProject",
    ]:  # fmt: skip
        model = apps.get_model(label)
        post_save.connect(bump_generation, sender=model, dispatch_uid=f"page-cache-save-{label}")
        post_delete.connect(bump_generation, sender=model, dispatch_uid=f"page-cache-delete-{label}")
