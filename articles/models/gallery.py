"""A story's photo gallery: library photos in the editor's order, each with a caption and credit for this use."""

import json

from django.db import models
from django.db.models.functions import JSONObject
from django.utils.translation import gettext_lazy as _

from articles.models.photos import Photo
from newsroom import edge


class GalleryItemQuerySet(models.QuerySet):
    def as_rows(self):
        """Each item in order as one JSON object with what the story page shows of it and of its photo (read back
        by GalleryItem.from_row): ArticleQuerySet.with_link_summary() takes the gallery so, in the story's row."""
        return self.order_by("position", "id").values(
            row=JSONObject(
                id="id",
                position="position",
                caption="caption",
                credit="credit",
                photo_id="photo_id",
                file="photo__file",
                width="photo__width",
                height="photo__height",
                alt_text="photo__alt_text",
                photo_caption="photo__caption",
                photo_credit="photo__credit",
            )
        )


class GalleryItem(models.Model):
    """One photo of a story's gallery; a blank caption or credit shows the photo's own."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="gallery_items", verbose_name=_("материал")
    )
    photo = models.ForeignKey(
        "articles.Photo",
        on_delete=models.PROTECT,  # a photo a gallery shows is not deleted from the library under it
        related_name="gallery_items",
        verbose_name=_("фото"),
        help_text=_("Фото из фотобиблиотеки: ваши собственные (редактору — все)."),
    )
    position = models.PositiveSmallIntegerField(
        _("порядок"), default=0, help_text=_("Фото показываются по возрастанию этого числа.")
    )
    caption = models.CharField(
        _("подпись"), max_length=300, blank=True, help_text=_("Пусто — подпись из фотобиблиотеки.")
    )
    credit = models.CharField(
        _("автор фото"), max_length=150, blank=True, help_text=_("Пусто — автор из фотобиблиотеки.")
    )

    objects = GalleryItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("фото галереи")
        verbose_name_plural = _("фотогалерея")
        indexes = [models.Index(fields=["article", "position", "id"], name="gallery_item_article_idx")]

    def __str__(self):
        return _("Фото №%(number)s в галерее материала «%(story)s»") % {
            "number": self.position,
            "story": self.article,
        }

    @property
    def shown_caption(self):
        return self.caption or self.photo.caption

    @property
    def shown_credit(self):
        return self.credit or self.photo.credit

    @property
    def credit_is_labelled(self):
        """Whether the credit says «Фото: …» itself (the library suggests it): the page then adds no label."""
        return self.shown_credit.casefold().startswith(("фото", "photo"))

    def shown_values(self):
        """What the story page shows of the item and its photo (a story part's fingerprint, articles/story_parts.py)."""
        photo = self.photo
        shown = (photo.pk, photo.file.name, photo.width, photo.height, photo.alt_text)
        return (self.pk, self.shown_caption, self.shown_credit, *shown)

    @classmethod
    def of_story(cls, article, rows=None):
        """`article`'s gallery in order, each item with its photo: from its gallery_rows when it was read with them
        (ArticleQuerySet.with_link_summary), else in one query."""
        if rows is not None:
            return [cls.from_row(article, row) for row in rows]
        return list(article.gallery_items.select_related("photo"))

    @classmethod
    def from_row(cls, article, row):
        """An item of `article`'s gallery, its photo attached, from one of its gallery_rows
        (ArticleQuerySet.with_link_summary): a dict, or its JSON text as the compiled story statement reads it."""
        row = json.loads(row) if isinstance(row, str) else row
        photo = Photo(
            id=row["photo_id"],
            file=row["file"],
            width=row["width"],
            height=row["height"],
            alt_text=row["alt_text"],
            caption=row["photo_caption"],
            credit=row["photo_credit"],
        )
        return cls(
            id=row["id"],
            article=article,
            photo=photo,
            position=row["position"],
            caption=row["caption"],
            credit=row["credit"],
        )

    def edge_lists(self):
        """The story's own page shows its gallery (purged softly, newsroom/edge.py)."""
        return [edge.key("article", self.article_id)]
