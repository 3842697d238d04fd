"""The article: its fields and what it keeps of its own data on save."""

from ckeditor_uploader.fields import RichTextUploadingField
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from articles import bylines
from articles.models.article_queryset import COVER_COLUMNS, ArticleQuerySet
from articles.models.choices import ArticleLanguage, ArticleStatus
from articles.models.photos import Photo
from articles.models.search_document import refresh_search_vectors
from articles.models.slugs import unique_slug
from articles.models.translated_text import is_stale_translation, stamp_text_change
from articles.sanitize import sanitize_html
from newsroom import edge

SLUG_MAX_LENGTH = 200


class Article(models.Model):
    Status = ArticleStatus
    Language = ArticleLanguage

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
    # PROTECT: a photo a story shows as its cover cannot be deleted from the library (the admin says where it is
    # used); SET_NULL would silently take the cover off a published story and its feeds.
    cover_photo = models.ForeignKey(
        "articles.Photo",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cover_of",
        verbose_name=_("главное фото"),
        help_text=_("Фото из фотобиблиотеки; новое фото можно загрузить здесь же, оно попадёт в библиотеку."),
    )
    section = models.ForeignKey(
        "articles.Section",
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
    coauthors = models.ManyToManyField(  # named in the byline after the author, in order (articles/bylines.py)
        settings.AUTH_USER_MODEL,
        through="ArticleCoauthor",
        blank=True,
        related_name="coauthored_articles",
        verbose_name=_("соавторы"),
    )
    byline = models.CharField(
        _("подпись автора"),
        max_length=200,
        blank=True,
        help_text=_("Например «Пресс-служба акимата»; пусто — имя автора из его профиля. Соавторы — после подписи."),
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
    # A translation is stale while its original's text changed after it was last checked (translated_text.py).
    text_changed_at = models.DateTimeField(_("текст изменён"), null=True, blank=True, editable=False)
    translation_checked_at = models.DateTimeField(
        _("перевод сверен с оригиналом"), null=True, blank=True, editable=False
    )
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
        """Save the story with the data it keeps of its own; a partial save leaves version and search alone."""
        is_content_save = kwargs.get("update_fields") is None
        self.body = sanitize_html(self.body)
        self._assign_slug()
        if is_content_save:
            self._bump_version()
            self._stamp_correction()
            stamp_text_change(self)
        else:
            # a partial save still writes the body and slug just set, and the time of the change
            kwargs["update_fields"] = {*kwargs["update_fields"], "body", "slug", "updated_at"}
        # One transaction, so that no reader (nor the content generation's move on commit) sees the story
        # without its search column in step.
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            if is_content_save:
                self.refresh_search_vector()

    def get_absolute_url(self):
        """The article's address in its own language: Russian unprefixed, Kazakh under /kk/."""
        if translation.get_language() == self.language:
            return reverse("articles:detail", args=[self.slug])
        with translation.override(self.language):
            return reverse("articles:detail", args=[self.slug])

    def _assign_slug(self):
        """Derive the slug from the title until the story is first published; from then on it stays."""
        if not self.slug or not self.has_been_published():
            self.slug = self.unique_slug()

    def _bump_version(self):
        """A content save of a saved story makes a new version: the version guards against lost updates."""
        if self.pk is not None:
            self.version += 1

    def _stamp_correction(self):
        """A content save of a live story is a correction, shown to readers as «Обновлено …»."""
        if self.pk is not None and self.is_live():
            self.corrected_at = timezone.now()

    is_stale_translation = is_stale_translation  # articles/models/translated_text.py

    def has_been_published(self):
        return self.first_published_at is not None

    def is_live(self, now=None):
        """Whether readers can see this article right now (the rule of ArticleQuerySet.published)."""
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.publish_at is not None and self.publish_at <= now

    def is_scheduled(self, now=None):
        """Whether this article is approved for a time still to come (the rule of ArticleQuerySet.scheduled)."""
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.publish_at is not None and self.publish_at > now

    def is_public_now(self):
        """Whether readers may see it (the edge keeps the lists showing it answerable meanwhile, newsroom/edge.py)."""
        return self.pk is not None and self.is_live()

    def goes_public_at(self):
        """When an approved story scheduled for later reaches readers by itself (the edge is purged then too)."""
        return self.publish_at if self.is_scheduled() else None

    def edge_lists(self):
        """The edge keys of the lists this story appears on (newsroom/edge.py): all, topics, parties, authors."""
        parties = {organisation.party_id for organisation in self.party_organisations.all()}
        parties |= {project.party_id for project in self.party_projects.all()}
        credited = [self.author_id, *self.coauthor_links.values_list("user_id", flat=True)]
        return [
            edge.ALL_STORIES,
            edge.key("region", self.region_id),
            edge.key("section", self.section_id),
            *(edge.key("tag", pk) for pk in self.tags.values_list("pk", flat=True)),
            *(edge.key("city", pk) for pk in self.cities.values_list("pk", flat=True)),
            *(edge.key("party", pk) for pk in parties),
            *(edge.key("author", pk) for pk in credited),
        ]

    def unique_slug(self, among=None):
        """An ASCII transliteration of the title, suffixed with -2, -3… while one of `among` (all others) has it."""
        among = Article.objects.exclude(pk=self.pk) if among is None else among
        return unique_slug(among, self.title, SLUG_MAX_LENGTH, "material")

    def refresh_search_vector(self):
        """Recompute the full-text column from the title, lead, tags and body as saved now."""
        refresh_search_vectors(Article.objects.filter(pk=self.pk))

    @property
    def cover(self):
        """The cover's renditions (`cover.photo` the library photo), or None without a cover."""
        photo = self.shown_cover_photo()
        return photo.renditions if photo else None

    def shown_cover_photo(self):
        """The cover photo, read with the story when it could be: select_related, or with_cover()'s columns."""
        if self.cover_photo_id is None:
            return None
        relation = Article._meta.get_field("cover_photo")
        if not relation.is_cached(self) and "cover_file" in self.__dict__:
            photo = Photo.from_db(
                self._state.db,
                ["id", *COVER_COLUMNS.values()],
                [self.cover_photo_id, *(getattr(self, name) for name in COVER_COLUMNS)],
            )
            relation.set_cached_value(self, photo)
        return self.cover_photo

    @property
    def author_display(self):
        return self.byline or bylines.display_name(self.author)
