"""Staff profiles shown to readers (an author's page) and a story's co-authors, in order."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from articles import renditions
from articles.models.slugs import unique_slug
from newsroom import edge

PROFILE_SLUG_MAX_LENGTH = 100
PORTRAIT_WIDTH = 240  # the author page's portrait; twice as wide for sharp screens


class AuthorProfileQuerySet(models.QuerySet):
    def public(self):
        """The profiles readers may see: an author's page and the links of bylines lead only to these."""
        return self.filter(is_public=True, user__is_active=True)


class AuthorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="author_profile",
        verbose_name=_("сотрудник"),
    )
    name = models.CharField(
        _("имя для читателей"),
        max_length=150,
        help_text=_("Так имя стоит в подписи под материалами и на странице автора: «Айгерим Сапарова»."),
    )
    slug = models.SlugField(
        _("адрес страницы (slug)"),
        max_length=PROFILE_SLUG_MAX_LENGTH,
        unique=True,
        blank=True,
        allow_unicode=False,
        help_text=_("Латиницей; создаётся из имени один раз и потом не меняется, чтобы ссылки не ломались."),
    )
    photo = models.ImageField(
        _("фото"),
        upload_to="authors/%Y/%m/",
        blank=True,
        max_length=255,
        width_field="photo_width",
        height_field="photo_height",
        help_text=_("Портрет: JPEG, PNG или WebP. Геометки и другие метаданные удаляются при загрузке."),
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    bio_ru = models.TextField(
        _("о себе (по-русски)"),
        max_length=1000,
        blank=True,
        help_text=_("Два-три предложения простым текстом: о чём пишете, откуда, как с вами связаться."),
    )
    bio_kk = models.TextField(
        _("о себе (по-казахски)"),
        max_length=1000,
        blank=True,
        help_text=_("То же по-казахски; пусто — на казахской странице будет русский текст."),
    )
    is_public = models.BooleanField(
        _("страница открыта читателям"),
        default=True,
        help_text=_("Снимите, чтобы скрыть страницу автора: подпись под материалами останется без ссылки."),
    )

    photo_240_jpeg = renditions.rendition(PORTRAIT_WIDTH, "JPEG", source="photo")
    photo_480_jpeg = renditions.rendition(2 * PORTRAIT_WIDTH, "JPEG", source="photo")

    objects = AuthorProfileQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("профиль автора")
        verbose_name_plural = _("профили авторов")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:author", args=[self.slug])

    def unique_slug(self):
        """An ASCII transliteration of the name, suffixed with -2, -3… when taken."""
        return unique_slug(AuthorProfile.objects.exclude(pk=self.pk), self.name, PROFILE_SLUG_MAX_LENGTH, "author")

    def is_shown(self):
        """Whether readers may open this author's page (AuthorProfileQuerySet.public, for one profile)."""
        return self.is_public and self.user.is_active

    def bio(self):
        """The short biography in the page's language, the Russian one when there is no other."""
        return self.bio_kk if self.bio_language() == "kk" else self.bio_ru

    def bio_language(self):
        """The language bio() is written in (a Kazakh page may show the Russian text: readers' tools are told)."""
        return "kk" if translation.get_language() == "kk" and self.bio_kk else "ru"

    def portrait_size(self):
        """The width and height of the page's portrait (240 pixels wide at most), to keep the layout still."""
        if not (self.photo_width and self.photo_height):
            return None
        width = min(self.photo_width, PORTRAIT_WIDTH)
        return width, round(self.photo_height * width / self.photo_width)

    def edge_lists(self):
        """Purged softly (newsroom/edge.py): the stories whose byline names them (articles/bylines.py) and their page's
        list of their stories, by user (Article.edge_lists). The page itself carries the profile's own key."""
        return [edge.key("person", self.user_id), edge.key("author", self.user_id)]


class ArticleCoauthor(models.Model):
    """A co-author of a story, in the order the byline names them after the story's author."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="coauthor_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coauthor_links",
        verbose_name=_("соавтор"),
    )
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("соавтор")
        verbose_name_plural = _("соавторы")
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="article_coauthor_once")]

    def __str__(self):
        return str(self.user)

    def edge_lists(self):
        """The story's own page names its co-authors, and their pages list it (purged softly, newsroom/edge.py)."""
        return [edge.key("article", self.article_id), edge.key("author", self.user_id)]
