"""What readers may see now, and the other questions asked of many articles at once."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone, translation

from articles.models.choices import ArticleStatus
from articles.models.desk import DeskMap
from articles.models.translated_text import stale_translation
from articles.roles import own_articles, sees_every_article


def published_now(now=None):
    """The condition of what readers may see now: published, with a publication time already reached.

    Articles and their taggings (which carry copies of these fields) filter by this one definition.
    """
    return models.Q(status=ArticleStatus.PUBLISHED, publish_at__lte=now or timezone.now())


# What article cards need: the article's own columns, section and region by id.
LISTING_FIELDS = (
    "id",
    "title",
    "slug",
    "lead",
    "publish_at",
    "language",
    "is_featured",
    "updated_at",
    "cover_photo",
    "section",
    "region",
)


# A story's cover photo, read with the story (one join): annotation → the Photo's field, in the Photo's field
# order (Article.shown_cover_photo builds the Photo from them).
COVER_COLUMNS = {
    "cover_file": "file",
    "cover_photo_width": "width",
    "cover_photo_height": "height",
    "cover_alt_text": "alt_text",
    "cover_caption": "caption",
    "cover_credit": "credit",
}


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Articles readers may see now: published, with a publication time already reached."""
        return self.filter(published_now(now))

    def scheduled(self, now=None):
        """Articles approved for a time still to come: published, with a publication time not yet reached."""
        return self.filter(status=ArticleStatus.PUBLISHED, publish_at__gt=now or timezone.now())

    def planned(self, start, end, now=None):
        """Stories due between `start` and `end`: scheduled ones at their time, those in review at the time an
        approval without a chosen time would keep (a moderator's time still ahead, else the author's proposal,
        as workflow.planned_publish_at), else when they were sent (the plan)."""
        now = now or timezone.now()
        planned_at = models.Case(
            models.When(status=ArticleStatus.PUBLISHED, then=models.F("publish_at")),
            models.When(publish_at__gt=now, then=models.F("publish_at")),
            default=Coalesce("proposed_publish_at", "submitted_at"),
        )
        pending = self.scheduled(now) | self.awaiting_review()
        return pending.annotate(planned_at=planned_at).filter(planned_at__gte=start, planned_at__lt=end)

    def awaiting_review(self):
        """Articles sent to review and not yet decided: the moderators' queue (the admin index, /metrics)."""
        return self.filter(status=ArticleStatus.REVIEW)

    def public(self):
        """What readers of the current page see: published now, in the page's language."""
        return self.published().in_language(translation.get_language() or "ru")

    def linked_to_party(self, party):
        """Articles linked to the party's organisations or projects, whatever their status."""
        through_organisations = self.model.party_organisations.through.objects.filter(primaryorganisation__party=party)
        through_projects = self.model.party_projects.through.objects.filter(partyproject__party=party)
        return self.filter(
            models.Q(pk__in=through_organisations.values("article_id"))
            | models.Q(pk__in=through_projects.values("article_id"))
        )

    def credited_to(self, user):
        """Articles `user` wrote or co-wrote: the stories on their author page."""
        coauthored = self.model.coauthors.through.objects.filter(user=user).values("article_id")
        return self.filter(models.Q(author=user) | models.Q(pk__in=coauthored))

    def in_region(self, region):
        return self.filter(region=region)

    def in_language(self, code):
        return self.filter(language=code)

    def stale_translations(self):
        """Translations whose original's title, lead or body changed after they were last checked against it."""
        return self.filter(stale_translation())

    def with_translation_freshness(self):
        """Each article with `is_stale_translation_now`: whether it is one of stale_translations() (one join)."""
        return self.annotate(
            is_stale_translation_now=models.Case(
                models.When(stale_translation(), then=True), default=False, output_field=models.BooleanField()
            )
        )

    def newest_first(self):
        return self.order_by("-publish_at", "-id")

    def with_link_summary(self, now=None):
        """Each article with the ids of its tags and co-authors (in order), whether it has live translations or party
        links, its correction notes, newest first, and its gallery's photos, in order, as JSON objects
        (correction_rows, gallery_rows: they come with the story, not in a query of their own).

        The article page then asks only for what a story has: most have tags and nothing else.
        """
        taggings = self.model.tags.through.objects.filter(content_object=models.OuterRef("pk"))
        translations = self.model.objects.published(now).filter(
            models.Q(translation_of=models.OuterRef("pk")) | models.Q(pk=models.OuterRef("translation_of"))
        )
        organisations = self.model.party_organisations.through.objects.filter(article=models.OuterRef("pk"))
        projects = self.model.party_projects.through.objects.filter(article=models.OuterRef("pk"))
        notes = (
            self.model._meta.get_field("corrections")
            .related_model.objects.filter(article=models.OuterRef("pk"))
            .newest_first()
            .values(row=JSONObject(id="id", kind="kind", text="text", created_at="created_at"))
        )
        coauthors = self.model.coauthors.through.objects.filter(article=models.OuterRef("pk")).order_by("order", "id")
        gallery_items = self.model._meta.get_field("gallery_items").related_model.objects
        gallery = gallery_items.filter(article=models.OuterRef("pk"))
        return self.annotate(
            tag_ids=ArraySubquery(taggings.values("tag_id")),
            has_translations=models.Exists(translations),
            has_party_links=models.Exists(organisations) | models.Exists(projects),
            correction_rows=ArraySubquery(notes),
            coauthor_ids=ArraySubquery(coauthors.values("user_id")),
            gallery_rows=ArraySubquery(gallery.as_rows()),
        )

    def with_stored_part(self):
        """Each article with its stored page part (articles/story_parts.py) in part_fingerprint, part_head and
        part_body, None where there is none: the same query, one join."""
        return self.annotate(
            part_fingerprint=models.F("rendered_part__fingerprint"),
            part_head=models.F("rendered_part__head"),
            part_body=models.F("rendered_part__body"),
        )

    def for_listing(self):
        """What article cards need: the article's own columns (section and region by id) and the cover's.

        The cover is joined by select_related rather than with_cover(): what is derived with values("pk") (a
        list's count, a deep page's keys, search's candidates) drops select_related and with it the join, so a
        count and a page's keys are read from the listing index alone.
        """
        covers = (f"cover_photo__{field}" for field in COVER_COLUMNS.values())
        return self.only(*LISTING_FIELDS, *covers).select_related("cover_photo")

    def with_cover(self):
        """Each article with its cover photo's columns (COVER_COLUMNS), in the same query: no query per card."""
        return self.annotate(**{name: models.F(f"cover_photo__{field}") for name, field in COVER_COLUMNS.items()})

    def on_desk_of(self, user):
        """Articles `user` works on in the admin: a moderator's desks' stories and their own; an author's own."""
        if not sees_every_article(user):
            return self.filter(own_articles(user))
        desks = desk_stories(user)
        return self.all() if desks is None else self.filter(desks | own_articles(user))

    def visible_to(self, user):
        """Articles `user` may see and link a story to: those on their desk, and those readers see now."""
        desks = desk_stories(user) if sees_every_article(user) else models.Q(pk__in=[])
        return self.all() if desks is None else self.filter(desks | own_articles(user) | published_now())

    def on_desks(self, desk_map, desk_ids):
        """Articles on the desks `desk_ids` of `desk_map`; every article when `desk_ids` is None (every desk)."""
        return self.all() if desk_ids is None else self.filter(desk_map.stories_of(desk_ids))


def desk_stories(user):
    """The stories of `user`'s desks as a filter, or None for every story (desks not in force, or a chief)."""
    desk_map = DeskMap.of(user)
    desk_ids = desk_map.scope_of(user)
    return None if desk_ids is None else desk_map.stories_of(desk_ids)
