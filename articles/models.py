from ckeditor_uploader.fields import RichTextUploadingField
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from slugify import slugify
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from articles import renditions
from articles.sanitize import sanitize_html
from regions.models import LocalizedNameMixin

SLUG_MAX_LENGTH = 200


class Section(LocalizedNameMixin, models.Model):
    name = models.CharField(_("название"), max_length=80, unique=True)
    name_kk = models.CharField(_("название на казахском"), max_length=80, blank=True)
    slug = models.SlugField(_("адрес (slug)"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(
        _("порядок"), default=0, help_text=_("Рубрики с меньшим числом стоят в меню первыми.")
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("рубрика")
        verbose_name_plural = _("рубрики")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", args=[self.slug])


def published_now(now=None):
    """The condition of what readers may see now: published, with a publication time already reached.

    Articles and their taggings (which carry copies of these fields) filter by this one definition.
    """
    return models.Q(status=Article.Status.PUBLISHED, publish_at__lte=now or timezone.now())


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Articles readers may see now: published, with a publication time already reached."""
        return self.filter(published_now(now))

    def public(self):
        """What readers of the current page see: published now, in the page's language."""
        return self.published().in_language(translation.get_language() or "ru")

    def linked_to_party(self, party):
        """Articles linked to the party's organisations or projects, whatever their status."""
        through_organisations = Article.party_organisations.through.objects.filter(primaryorganisation__party=party)
        through_projects = Article.party_projects.through.objects.filter(partyproject__party=party)
        return self.filter(
            models.Q(pk__in=through_organisations.values("article_id"))
            | models.Q(pk__in=through_projects.values("article_id"))
        )

    def in_region(self, region):
        return self.filter(region=region)

    def in_language(self, code):
        return self.filter(language=code)

    def newest_first(self):
        return self.order_by("-publish_at", "-id")

    def for_page(self):
        """One article with what its page shows."""
        return self.select_related("author").defer("search_vector")

    def for_listing(self):
        """What article cards need: the article's own columns (section and region by id)."""
        return self.only(
            "id",
            "title",
            "slug",
            "lead",
            "publish_at",
            "language",
            "is_featured",
            "updated_at",
            "cover_image",
            "cover_alt",
            "cover_width",
            "cover_height",
            "section",
            "region",
        )

    def update(self, **kwargs):
        """Update the rows; the taggings of the articles keep their copies of status, language and publish_at."""
        if not kwargs.keys() & set(ArticleTag.COPIED_FIELDS):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            # Taken first: once updated, the rows may no longer match the filter.
            ids = list(self.values_list("pk", flat=True))
            rows = super().update(**kwargs)
            ArticleTag.objects.filter(content_object__in=ids).copy_from_articles()
        return rows

    def on_desk_of(self, user):
        """Articles `user` works on in the admin: every one for a moderator, their own for an author."""
        from articles import workflow  # workflow imports this module

        return self._chain() if workflow.sees_every_article(user) else self.filter(workflow.own_articles(user))

    def visible_to(self, user):
        """Articles `user` may see and link a story to: those on their desk, and those readers see now."""
        from articles import workflow

        if workflow.sees_every_article(user):
            return self._chain()
        return self.filter(workflow.own_articles(user) | published_now())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        REVIEW = "review", _("На модерации")
        PUBLISHED = "published", _("Опубликовано")
        ARCHIVED = "archived", _("В архиве")

    class Language(models.TextChoices):
        RU = "ru", _("Русский")
        KK = "kk", _("Қазақша")

    title = models.CharField(
        _("заголовок"),
        max_length=255,
        help_text=_("Коротко и точно: до 110 знаков, чтобы поисковики показали его целиком."),
    )
    slug = models.SlugField(
        _("адрес (slug)"),
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        blank=True,
        allow_unicode=False,
        help_text=_(
            "Латиницей; создаётся из заголовка. После первой публикации не меняется, "
            "чтобы ссылки на материал не ломались."
        ),
    )
    lead = models.TextField(
        _("лид"),
        blank=True,
        help_text=_("Одно-два предложения: главное в материале и источник. Нужен для публикации."),
    )
    body = RichTextUploadingField(
        _("текст"),
        blank=True,
        help_text=_("Форматирование сохраняется; скрипты, стили и встроенные фреймы удаляются."),
    )
    cover_image = models.ImageField(
        _("главное фото"),
        upload_to="covers/%Y/%m/",
        blank=True,
        max_length=255,
        width_field="cover_width",
        height_field="cover_height",
        help_text=_("JPEG, PNG или WebP до 20 МБ. Геометки и другие метаданные удаляются при загрузке."),
    )
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_alt = models.CharField(
        _("описание фото для незрячих (alt)"),
        max_length=255,
        blank=True,
        help_text=_("Что изображено на фото. Обязательно, если фото есть."),
    )
    cover_caption = models.CharField(_("подпись к фото"), max_length=300, blank=True)
    cover_credit = models.CharField(
        _("автор фото"), max_length=150, blank=True, help_text=_("Например: «Фото: Айдос Серик»")
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("рубрика"),
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("регион"),
        help_text=_("Пусто — новость для всей страны."),
    )
    cities = models.ManyToManyField("regions.City", blank=True, related_name="articles", verbose_name=_("города"))
    tags = TaggableManager(
        _("теги"), through="ArticleTag", blank=True, help_text=_("Через запятую: «аманат, сельское хозяйство».")
    )
    language = models.CharField(_("язык"), max_length=2, choices=Language.choices, default=Language.RU)
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("перевод материала"),
        help_text=_("Для перевода: исходный материал на другом языке."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("автор"),
    )
    byline = models.CharField(
        _("подпись автора"),
        max_length=200,
        blank=True,
        help_text=_("Как показать автора читателям; пусто — имя автора."),
    )
    status = models.CharField(_("статус"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    publish_at = models.DateTimeField(
        _("время публикации"),
        null=True,
        blank=True,
        help_text=_("Назначает модератор, когда одобряет материал: в это время материал появится у читателей."),
    )
    proposed_publish_at = models.DateTimeField(
        _("предлагаемое время публикации"),
        null=True,
        blank=True,
        help_text=_(
            "Когда, по-вашему, материал должен выйти. Это предложение для модератора: "
            "время публикации назначает он, когда одобряет материал."
        ),
    )
    first_published_at = models.DateTimeField(_("впервые опубликовано"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("отправлено на модерацию"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)
    corrected_at = models.DateTimeField(_("обновлено после публикации"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("версия"), default=1, editable=False)
    views_count = models.PositiveIntegerField(_("просмотры"), default=0, editable=False)
    shares_count = models.PositiveIntegerField(_("репосты"), default=0, editable=False)
    is_featured = models.BooleanField(_("главная новость"), default=False, help_text=_("Показывать крупно на главной."))
    party_organisations = models.ManyToManyField(
        "parties.PrimaryOrganisation",
        blank=True,
        related_name="articles",
        verbose_name=_("партийные организации"),
    )
    party_projects = models.ManyToManyField(
        "parties.PartyProject",
        blank=True,
        related_name="articles",
        verbose_name=_("партийные проекты"),
    )

    search_vector = SearchVectorField(null=True, editable=False)

    cover_480_webp = renditions.rendition(480, "WEBP")
    cover_800_webp = renditions.rendition(800, "WEBP")
    cover_1200_webp = renditions.rendition(1200, "WEBP")
    cover_480_jpeg = renditions.rendition(480, "JPEG")
    cover_800_jpeg = renditions.rendition(800, "JPEG")
    cover_1200_jpeg = renditions.rendition(1200, "JPEG")
    cover_open_graph = renditions.open_graph_rendition()

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        verbose_name = _("материал")
        verbose_name_plural = _("материалы")
        permissions = [("publish_article", _("Может публиковать материалы"))]
        indexes = [
            models.Index(fields=["status", "-publish_at"], name="article_status_publish_idx"),
            # public lists (visible in one language, newest first) read these in order and count from
            # them alone, without touching the table
            models.Index(fields=["status", "language", "-publish_at", "-id"], name="article_listing_idx"),
            models.Index(
                fields=["region", "status", "language", "-publish_at", "-id"], name="article_region_listing_idx"
            ),
            # a tag page looks its page of stories up by id here, their visibility checked in the index
            models.Index(fields=["status", "language", "id"], include=["publish_at"], name="article_visible_id_idx"),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            # the admin's list, newest first across every status
            models.Index(fields=["-publish_at", "-id"], name="article_publish_idx"),
            # the admin's review queue, oldest first
            models.Index(fields=["status", "submitted_at", "id"], name="article_review_queue_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        if not self.slug or not self.has_been_published():
            self.slug = self.unique_slug()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "body", "slug", "updated_at"}
        elif self.pk is not None:
            # A content save: the version guards against lost updates; a correction of a live story
            # is shown to readers as "Обновлено …".
            self.version += 1
            if self.is_live():
                self.corrected_at = timezone.now()
        has_taggings = self.pk is not None  # a new article has none yet
        # One transaction, so that no reader (nor the content generation's move on commit) sees the story
        # without its taggings' copies or its search column in step.
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            if has_taggings and (update_fields is None or set(update_fields) & set(ArticleTag.COPIED_FIELDS)):
                # from the saved row, not this instance: a partial save of a stale instance keeps the rest
                self.taggings.all().copy_from_articles()
            if update_fields is None:
                self.refresh_search_vector()

    def get_absolute_url(self):
        """The article's address in its own language: Russian unprefixed, Kazakh under /kk/."""
        if translation.get_language() == self.language:
            return reverse("articles:detail", args=[self.slug])
        with translation.override(self.language):
            return reverse("articles:detail", args=[self.slug])

    def has_been_published(self):
        return self.first_published_at is not None

    def is_live(self, now=None):
        """Whether readers can see this article right now."""
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.publish_at is not None and self.publish_at <= now

    def unique_slug(self):
        """An ASCII transliteration of the title, suffixed with -2, -3… when taken."""
        base = slugify(self.title, max_length=SLUG_MAX_LENGTH - 8, word_boundary=True) or "material"
        candidate, number = base, 2
        others = Article.objects.exclude(pk=self.pk)
        while others.filter(slug=candidate).exists():
            candidate, number = f"{base}-{number}", number + 1
        return candidate

    def refresh_search_vector(self):
        """Recompute the full-text column from the title, lead, tags and body as saved now."""
        from articles.search import refresh_search_vectors

        refresh_search_vectors(Article.objects.filter(pk=self.pk))

    @property
    def cover(self):
        return renditions.CoverRenditions(self) if self.cover_image else None

    @property
    def author_display(self):
        return self.byline or self.author.get_full_name() or self.author.get_username()


class ArticleTagQuerySet(models.QuerySet):
    def published(self, now=None):
        """Taggings of the articles readers may see now, by the copies of the articles' fields."""
        return self.filter(published_now(now))

    def in_language(self, code):
        return self.filter(language=code)

    def newest_first(self):
        # content_object_id, not content_object: ordering by a relation would order by Article's Meta.ordering
        return self.order_by("-publish_at", "-content_object_id")

    def copy_from_articles(self):
        """Set the copies of these taggings from their articles as they are saved now, in one UPDATE."""
        article = Article.objects.filter(pk=models.OuterRef("content_object"))
        return self.update(**{name: models.Subquery(article.values(name)) for name in ArticleTag.COPIED_FIELDS})


class ArticleTag(TaggedItemBase):
    """A tag of an article, with copies of the article's status, language and publication time.

    The copies let a tag page read its stories newest first, and count them, from one index of this
    table. They are kept exact by this model's save (a new tagging), Article.save and
    ArticleQuerySet.update; anything that writes those fields of articles in SQL must set them here too.
    """

    COPIED_FIELDS = ("status", "language", "publish_at")

    content_object = models.ForeignKey(
        Article,
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
        choices=Article.Status.choices,
        editable=False,
        help_text=_("Копия статуса материала: по ней страница тега отбирает опубликованное."),
    )
    language = models.CharField(
        _("язык материала"),
        max_length=2,
        choices=Article.Language.choices,
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
                condition=models.Q(status=Article.Status.PUBLISHED),
                name="article_tag_listing_idx",
            ),
        ]

    def save(self, *args, **kwargs):
        if self._state.adding:
            # taggit creates a tagging with its article at hand: copying costs no query
            article = self.content_object
            for name in self.COPIED_FIELDS:
                setattr(self, name, getattr(article, name))
        super().save(*args, **kwargs)


class ArticleRevision(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("материал"))
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
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="workflow_events", verbose_name=_("материал")
    )
    transition = models.CharField(_("действие"), max_length=20)
    from_status = models.CharField(_("из статуса"), max_length=10, choices=Article.Status.choices)
    to_status = models.CharField(_("в статус"), max_length=10, choices=Article.Status.choices)
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
        return f"{self.article}: {self.from_status} → {self.to_status}"


class PreviewLinkQuerySet(models.QuerySet):
    def active(self, now=None):
        """Links not revoked and not yet expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class PreviewLink(models.Model):
    """A «Поделиться черновиком» link: the version of the story it shows, who made it and until when it works.

    The signed token in the address names this row, so that a link can be revoked before it expires.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="preview_links", verbose_name=_("материал")
    )
    revision = models.ForeignKey(
        ArticleRevision,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("редакция"),
        help_text=_("Версия текста, которую показывает ссылка."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто создал"),
    )
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    expires_at = models.DateTimeField(_("действует до"))
    revoked_at = models.DateTimeField(_("отозвана"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто отозвал"),
    )

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ссылка на черновик")
        verbose_name_plural = _("ссылки на черновики")

    def __str__(self):
        return f"{self.article} — {self.created_at:%d.%m.%Y %H:%M}"


class CounterMarkQuerySet(models.QuerySet):
    def claim(self, *, article_id, kind, visitor, address, now, once_per, address_limit):
        """Mark one counted event and say whether it counts, in one statement shared by every process.

        It counts when this visitor has no mark for the story younger than `once_per` and their address has
        fewer than `address_limit` marks younger than that. On a conflict PostgreSQL waits for the other
        statement's row, so two workers never both count the same visitor.
        """
        table = self.model._meta.db_table
        sql = f"""
            INSERT INTO {table} (article_id, kind, visitor, address, counted_at)
            SELECT %(article)s, %(kind)s, %(visitor)s, %(address)s, %(now)s
            WHERE (
                SELECT count(*) FROM (
                    SELECT 1 FROM {table} WHERE address = %(address)s AND counted_at > %(since)s LIMIT %(limit)s
                ) AS recent
            ) < %(limit)s
            ON CONFLICT (article_id, kind, visitor) DO UPDATE
                SET counted_at = EXCLUDED.counted_at, address = EXCLUDED.address
                WHERE {table}.counted_at <= %(since)s
            RETURNING id
        """
        params = {
            "article": article_id,
            "kind": kind,
            "visitor": visitor,
            "address": address,
            "now": now,
            "since": now - once_per,
            "limit": address_limit,
        }
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return row[0] if row else None

    def expired(self, now, once_per):
        return self.filter(counted_at__lte=now - once_per)


class CounterMark(models.Model):
    """A visitor's view or share of a story that was counted; it stops a second count for a while."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=5)
    # Keyed hashes (django.utils.crypto.salted_hmac): no address is stored.
    visitor = models.CharField(max_length=32)
    address = models.CharField(max_length=32)
    counted_at = models.DateTimeField()

    objects = CounterMarkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "kind", "visitor"], name="counter_mark_once_per_visitor")
        ]
        indexes = [
            models.Index(fields=["address", "counted_at"], name="counter_mark_address_idx"),
            models.Index(fields=["counted_at"], name="counter_mark_age_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.article_id} {self.counted_at:%d.%m.%Y %H:%M}"
