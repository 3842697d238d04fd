"""Keep the search column exact when a story's tags change without a save of the story, its stored page part
current when it or a neighbour changes, and its Telegram message in step with it."""

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from articles import story_parts, telegram
from articles.models import Article, ArticleCoauthor, ArticleTag, Correction, GalleryItem, Photo
from newsroom import edge
from newsroom.generation import bump_generation


@receiver(m2m_changed, sender=ArticleTag)
def refresh_after_tag_change(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Article):
        instance.refresh_search_vector()


def render_parts_showing(sender, instance, **kwargs):
    story_parts.changed(instance)


def render_part_of_its_story(sender, instance, **kwargs):
    # Gone, a story's link (a correction note, a co-author, a gallery photo) no longer leads to its story as
    # NEIGHBOURS says: the story itself is rendered again.
    story_parts.changed(Article(pk=instance.article_id))


def render_parts_after_relinking(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    # From the other side (tag.article_set.add(…)) the stories that changed are in pk_set.
    for story in model.objects.filter(pk__in=pk_set or ()) if reverse else [instance]:
        if story is not None:
            story_parts.changed(story)


def connect_story_parts():
    """Render the stored page parts (articles/story_parts.py) again after a story or a neighbour they show changed."""
    for label in ["articles.Article", *story_parts.NEIGHBOURS]:
        post_save.connect(render_parts_showing, sender=apps.get_model(label), dispatch_uid=f"story-parts-{label}")
    for field in ("tags", "party_organisations", "party_projects"):
        through = Article._meta.get_field(field).remote_field.through
        m2m_changed.connect(render_parts_after_relinking, sender=through, dispatch_uid=f"story-parts-{field}")
    post_delete.connect(render_part_of_its_story, sender=Correction, dispatch_uid="story-parts-correction-gone")
    post_delete.connect(render_part_of_its_story, sender=ArticleCoauthor, dispatch_uid="story-parts-coauthor")
    post_delete.connect(render_part_of_its_story, sender=GalleryItem, dispatch_uid="story-parts-gallery")


@receiver(post_save, sender=Article, dispatch_uid="telegram-save")
@receiver(post_delete, sender=Article, dispatch_uid="telegram-delete")
def bring_telegram_in_step(sender, instance, **kwargs):
    """Post, correct or delete the story's Telegram message after the change commits (articles/telegram.py)."""
    telegram.changed(instance)


@receiver(post_delete, sender=Photo, dispatch_uid="photo-files")
def remove_photo_files(sender, instance, **kwargs):
    """A deleted library photo takes its file and renditions with it, once the deletion is committed."""
    transaction.on_commit(instance.delete_files)


@receiver(post_save, sender=Photo, dispatch_uid="photo-covers")
def show_a_cover_changed_in_the_library(sender, instance, created, **kwargs):
    """A cover's or a gallery photo's alt text, caption or credit edited in the library: the pages showing its
    stories are read again (the stories' own parts are rendered again as a neighbour's change,
    story_parts.NEIGHBOURS). A photo merely uploaded shows nowhere yet: it moves no cached page."""
    if created:
        return
    shown = Q(cover_photo=instance) | Q(pk__in=GalleryItem.objects.filter(photo=instance).values("article_id"))
    stories = Article.objects.published().filter(shown)
    if stories.exists():
        bump_generation()
        edge.changed(stories)
