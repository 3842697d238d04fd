"""Views and shares of each story hour by hour: what the editors' dashboard reads («Что читают»)."""

from django.db import connections, models
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from articles.models.article import Article
from articles.roles import own_articles, sees_every_article

# The story's running total for each kind of event (the article page shows it) and this table's column.
KINDS = {"view": ("views_count", "views"), "share": ("shares_count", "shares")}


def sums():
    return {"views": Sum("views"), "shares": Sum("shares")}


class HourlyCountQuerySet(models.QuerySet):
    def add(self, *, article_id, kind, now):
        """Add one `kind` event to the story's total and to its hour, in one statement.

        One round trip as before this table existed; on a busy hour concurrent counts wait for each other's
        row and add up (the upsert), so none is lost.
        """
        total, column = KINDS[kind]
        article_table = Article._meta.db_table
        table = self.model._meta.db_table
        sql = f"""
            WITH total AS (
                UPDATE {article_table} SET {total} = {total} + 1 WHERE id = %(article)s
            )
            INSERT INTO {table} (article_id, hour, views, shares)
            VALUES (%(article)s, %(hour)s, %(views)s, %(shares)s)
            ON CONFLICT (article_id, hour) DO UPDATE
                SET {column} = {table}.{column} + 1
        """
        params = {
            "article": article_id,
            "hour": now.replace(minute=0, second=0, microsecond=0),
            "views": int(kind == "view"),
            "shares": int(kind == "share"),
        }
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)

    def visible_to(self, user):
        """The figures `user` may read: every story's for an editor, their own stories' for an author."""
        if sees_every_article(user):
            return self.all()
        return self.filter(article__in=Article.objects.filter(own_articles(user)).values("pk"))

    def between(self, start, end):
        """Hours starting at or after `start` and before `end`."""
        return self.filter(hour__gte=start, hour__lt=end)

    def in_region(self, region):
        return self.filter(article__region=region) if region else self

    def in_section(self, section):
        return self.filter(article__section=section) if section else self

    def totals(self):
        """{"views": n, "shares": n, "stories": n} over these hours (0 for none)."""
        result = self.aggregate(**sums(), stories=Count("article_id", distinct=True))
        return {key: value or 0 for key, value in result.items()}

    def by_story(self):
        """One row a story, most viewed first, with what the dashboard's table shows of it."""
        return (
            self.values(
                "article_id",
                title=F("article__title"),
                byline=F("article__byline"),
                author_first_name=F("article__author__first_name"),
                author_last_name=F("article__author__last_name"),
                author_username=F("article__author__username"),
                region_name=F("article__region__name"),
                region_name_kk=F("article__region__name_kk"),
                section_name=F("article__section__name"),
                section_name_kk=F("article__section__name_kk"),
                publish_at=F("article__publish_at"),
                views_total=F("article__views_count"),
                shares_total=F("article__shares_count"),
            )
            .annotate(**sums())
            .order_by("-views", "-shares", "article_id")
        )

    def by_author(self):
        return self.grouped(
            "author_id",
            author_id=F("article__author_id"),
            author_first_name=F("article__author__first_name"),
            author_last_name=F("article__author__last_name"),
            author_username=F("article__author__username"),
        )

    def by_region(self):
        """One row a region; stories for the whole country come as a region None."""
        return self.grouped(
            "region_name",
            region_id=F("article__region_id"),
            region_name=F("article__region__name"),
            region_name_kk=F("article__region__name_kk"),
        )

    def by_section(self):
        return self.grouped(
            "section_name",
            section_id=F("article__section_id"),
            section_name=F("article__section__name"),
            section_name_kk=F("article__section__name_kk"),
        )

    def grouped(self, tie_breaker, **fields):
        """One row per value of `fields`, with its views, shares and stories read, most viewed first."""
        return (
            self.values(**fields)
            .annotate(**sums(), stories=Count("article_id", distinct=True))
            .order_by("-views", "-shares", tie_breaker)
        )

    def by_day(self, tzinfo):
        """One row a calendar day in `tzinfo` that has figures, oldest first."""
        return (
            self.annotate(day=TruncDate("hour", tzinfo=tzinfo))
            .values("day")
            .annotate(**sums(), stories=Count("article_id", distinct=True))
            .order_by("day")
        )


class HourlyCount(models.Model):
    """How many times one story was viewed and shared in one hour (counted as the story's totals are)."""

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="hourly_counts",
        db_index=False,  # the unique (article, hour) index serves a story's lookups
        verbose_name=_("материал"),
    )
    # The start of the hour, stored in UTC; days are cut in the newsroom's time zone when read.
    hour = models.DateTimeField(_("час"))
    views = models.PositiveIntegerField(_("просмотры"), default=0)
    shares = models.PositiveIntegerField(_("репосты"), default=0)

    objects = HourlyCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("статистика чтения")
        verbose_name_plural = _("Что читают")
        constraints = [models.UniqueConstraint(fields=["article", "hour"], name="hourly_count_once_per_hour")]
        indexes = [models.Index(fields=["hour"], name="hourly_count_hour_idx")]
        default_permissions = ()  # who reads it is a role (articles.roles.sees_readership), not a permission

    def __str__(self):
        return f"{self.article_id} {self.hour:%d.%m.%Y %H:00}: {self.views}/{self.shares}"
