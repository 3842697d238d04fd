"""An article's tags, with copies of the article's fields for the tag page's index."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag, TaggedItemBase

from articles.models.article_queryset import published_now
from articles.models.choices import ArticleLanguage, ArticleStatus


class ArticleTagQuerySet(models.QuerySet):
    def published(self, now=None):
        """Taggings of the articles readers may see now, by the copies of the articles' fields."""
        return self.filter(published_now(now))

    def in_language(self, code):
        return self.filter(language=code)

    def newest_first(self):
        # content_object_id, not content_object: ordering by a relation would order by Article's Meta.ordering
        return self.order_by("-publish_at", "-content_object_id")


class ArticleTag(TaggedItemBase):
    """A tag of an article, with copies of the article's status, language and publication time.

    The copies let a tag page read its stories newest first, and count them, from one index of this
    table. PostgreSQL keeps them exact (triggers of migration 0013): a tagging takes its article's values
    when it is written, whatever the insert says, and a change to an article's values, by save, update()
    or SQL, goes to its taggings.
    """

    COPIED_FIELDS = ("status", "language", "publish_at")

    content_object = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="taggings",
        verbose_name=_("материал"),
        # the unique (article, tag) constraint starts with the article and serves its lookups
        db_index=False,
    )
    tag = models.ForeignKey(
        Tag,
        on_delete=models.CASCADE,
        related_name="%(app_label)s_%(class)s_items",
        # public reads go through article_tag_listing_idx; a plain index of the tag would only tempt the
        # planner away from it (and sort) on small tables, and cost every tagging an index entry
        db_index=False,
    )
    status = models.CharField(
        _("статус материала"),
        max_length=10,
        choices=ArticleStatus.choices,
        editable=False,
        help_text=_("Копия статуса материала: по ней страница тега отбирает опубликованное."),
    )
    language = models.CharField(
        _("язык материала"),
        max_length=2,
        choices=ArticleLanguage.choices,
        editable=False,
        help_text=_("Копия языка материала: у русской и казахской страниц тега свои материалы."),
    )
    publish_at = models.DateTimeField(
        _("время публикации материала"),
        null=True,
        editable=False,
        help_text=_("Копия времени публикации материала: по нему страница тега ставит новое первым."),
    )

    objects = ArticleTagQuerySet.as_manager()

    class Meta:
        verbose_name = _("тег материала")
        verbose_name_plural = _("теги материалов")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="article_tag_unique"),
        ]
        indexes = [
            # a tag page: the tag's visible stories in one language, newest first, read and counted
            # from this index alone
            models.Index(
                fields=["tag", "language", "-publish_at", "-content_object"],
                condition=models.Q(status=ArticleStatus.PUBLISHED),
                name="article_tag_listing_idx",
            ),
        ]
