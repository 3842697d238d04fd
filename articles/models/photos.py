"""The photo library: every photo on the site is a Photo, checked once by articles.images and reused anywhere."""

import posixpath

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from articles import images, renditions
from articles.models.history import ArticleRevision
from articles.roles import sees_every_article
from newsroom.references import referenced_names

FOLDER = "photos"
RENDITIONS = (
    "rendition_480_webp",
    "rendition_800_webp",
    "rendition_1200_webp",
    "rendition_480_jpeg",
    "rendition_800_jpeg",
    "rendition_1200_jpeg",
    "open_graph",
)


class PhotoFileField(models.ImageField):
    """An ImageField that measures a photo when a file is assigned, not each time a row is loaded.

    Django's own reads the file of a row loaded without width and height (a cover moved into the library by
    migration 0026 from before dimensions were kept): with the file missing from the storage (a site restored
    without its media), every page listing it would fail.
    """

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        if force:
            super().update_dimension_fields(instance, force, *args, **kwargs)


class PhotoQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The photos `user` may see and reuse: their own; a moderator's or a superuser's, everyone's."""
        if user.is_superuser or sees_every_article(user):
            return self
        if user.is_active and user.is_staff:
            return self.filter(uploaded_by=user)
        return self.none()

    def search(self, term):
        """Photos whose alt text, caption, credit or a tag contains `term` (any case)."""
        term = (term or "").strip()
        if not term:
            return self
        matches = (
            models.Q(alt_text__icontains=term)
            | models.Q(caption__icontains=term)
            | models.Q(credit__icontains=term)
            | models.Q(pk__in=PhotoTag.objects.filter(tag__name__icontains=term).values("content_object_id"))
        )
        return self.filter(matches)

    def in_use(self):
        """Photos something uses: the one definition of "in use" (the delete check and the sweep ask it).

        Used is: named by a file link in any text of the content apps (a story's body, a revision's snapshot, an
        autosaved draft, a party's description), or as an article's cover now or in a revision's snapshot.
        """
        return self.filter(self.use_condition())

    def unused(self):
        return self.exclude(self.use_condition())

    def use_condition(self):
        named = referenced_names([FOLDER], file_fields=False)
        # A cover a revision names stays, so restoring the revision brings it back.
        snapshots = ArticleRevision.objects.exclude(data__cover_photo=None).values_list("data__cover_photo", flat=True)
        photos_then = {value for value in snapshots if isinstance(value, int)}
        # So do the photos of a gallery a revision records ([photo id, caption, credit] each).
        galleries = ArticleRevision.objects.filter(data__has_key="gallery").exclude(data__gallery=[])
        for rows in galleries.values_list("data__gallery", flat=True):
            photos_then |= {row[0] for row in rows or () if isinstance(row, list) and row and isinstance(row[0], int)}
        condition = models.Q(file__in=named) | models.Q(pk__in=photos_then)
        for relation in self.model.USES:
            condition |= models.Q(**{f"{relation}__isnull": False})
        return condition


class PhotoManager(models.Manager.from_queryset(PhotoQuerySet)):
    def create_from_upload(self, uploaded, user, **fields):
        """Check `uploaded` (articles.images: type from content, limits, metadata stripped) and store it as a Photo.

        The one way a new file enters the library; raises ValidationError, before anything is stored, when it is
        refused.
        """
        photo = self.model(uploaded_by=user if user is not None and user.pk else None, **fields)
        return self.store(photo, uploaded)

    def store(self, photo, uploaded):
        """Save the unsaved `photo` with the file `uploaded`, checked and cleaned (create_from_upload's one path)."""
        # A photo the article form or a kept revision already cleaned is not re-encoded a second time.
        clean = uploaded if isinstance(uploaded, images.CleanedUpload) else images.clean_upload(uploaded)
        photo.file.save(clean.name, clean, save=False)
        with transaction.atomic():
            photo.save()
        return photo


class Photo(models.Model):
    # The reverse relations that make a photo used (see PhotoQuerySet.in_use): a story's cover, a gallery's photo.
    USES = ("cover_of", "gallery_items")

    file = PhotoFileField(
        _("файл"),
        upload_to=f"{FOLDER}/%Y/%m/",
        max_length=255,
        width_field="width",
        height_field="height",
        help_text=_("JPEG, PNG или WebP до 20 МБ. Геометки и другие метаданные удаляются при загрузке."),
    )
    width = models.PositiveIntegerField(_("ширина"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("высота"), null=True, blank=True, editable=False)
    alt_text = models.CharField(
        _("описание фото для незрячих (alt)"),
        max_length=255,
        blank=True,
        help_text=_("Что изображено на фото. Без него фото нельзя опубликовать как главное."),
    )
    caption = models.CharField(_("подпись к фото"), max_length=300, blank=True)
    credit = models.CharField(_("автор фото"), max_length=150, blank=True, help_text=_("Например: «Фото: Айдос Серик»"))
    tags = TaggableManager(
        _("теги"), through="PhotoTag", blank=True, help_text=_("Через запятую: помогают найти фото в библиотеке.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("загрузил"),
    )
    uploaded_at = models.DateTimeField(_("загружено"), default=timezone.now, editable=False, db_index=True)

    rendition_480_webp = renditions.rendition(480, "WEBP")
    rendition_800_webp = renditions.rendition(800, "WEBP")
    rendition_1200_webp = renditions.rendition(1200, "WEBP")
    rendition_480_jpeg = renditions.rendition(480, "JPEG")
    rendition_800_jpeg = renditions.rendition(800, "JPEG")
    rendition_1200_jpeg = renditions.rendition(1200, "JPEG")
    open_graph = renditions.open_graph_rendition()

    objects = PhotoManager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("фото")
        verbose_name_plural = _("фотобиблиотека")
        indexes = [models.Index(fields=["uploaded_by", "-uploaded_at"], name="photo_uploader_idx")]

    def __str__(self):
        return self.alt_text or self.caption or self.file.name.rpartition("/")[2]

    @property
    def renditions(self):
        return renditions.PhotoRenditions(self)

    def can_be_edited_by(self, user):
        """Whether `user` may change or delete this photo: its uploader, a moderator, a superuser."""
        if not user.has_perm("articles.change_photo"):
            return False
        if user.is_superuser or sees_every_article(user):
            return True
        return user.is_active and user.is_staff and self.uploaded_by_id == user.pk

    def uses(self, everywhere=True):
        """Where the photo is used, as lines for the newsroom (the delete refusal lists them).

        Covers and texts of stories are named; with `everywhere`, a use elsewhere (in_use(): revisions, drafts,
        other texts, which reads every text column of the site) is said too.
        """
        stories = self._meta.get_field("cover_of").related_model.objects.only("title")
        lines = [
            _("главное фото материала «%(title)s»") % {"title": story} for story in stories.filter(cover_photo=self)
        ]
        in_text = stories.filter(body__contains=self.file.name).exclude(cover_photo=self)
        lines += [_("в тексте материала «%(title)s»") % {"title": story} for story in in_text]
        in_gallery = stories.filter(gallery_items__photo=self).distinct()
        lines += [_("в фотогалерее материала «%(title)s»") % {"title": story} for story in in_gallery]
        if everywhere and not lines and Photo.objects.filter(pk=self.pk).in_use().exists():
            lines.append(_("в прежних редакциях, черновиках или описаниях"))
        return lines

    def make_renditions(self):
        """Make the renditions imagekit makes when a photo is saved, for a file that entered the library another way
        (migration 0028); those already made are left as they are."""
        for name in RENDITIONS:
            getattr(self, name).generate()

    def delete_files(self):
        """Remove the stored photo and the renditions imagekit made of it (renditions/<name without extension>/)."""
        storage, name = self.file.storage, self.file.name
        if not name:
            return
        folder = posixpath.join(settings.IMAGEKIT_CACHEFILE_DIR, posixpath.splitext(name)[0])
        try:
            _folders, made = storage.listdir(folder)
        except FileNotFoundError:
            made = []
        for path in [name, *(posixpath.join(folder, rendition) for rendition in made)]:
            storage.delete(path)


class PhotoTag(TaggedItemBase):
    """A tag of a library photo (the site's one tag table, as articles use)."""

    content_object = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="taggings", verbose_name=_("фото"))
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="photo_taggings")

    class Meta:
        verbose_name = _("тег фото")
        verbose_name_plural = _("теги фото")
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="photo_tag_unique")]
