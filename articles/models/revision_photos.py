"""A cover photo uploaded in a save that lost an edit conflict, kept with that unapplied revision."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.images import CleanedUpload


class RevisionPhoto(models.Model):
    """The photo as articles.images cleaned it, in the database: no media URL reaches it until it is applied.

    Deleting the revision (discarding it) or its article deletes the photo with it.
    """

    revision = models.OneToOneField(
        "articles.ArticleRevision", on_delete=models.CASCADE, related_name="photo", verbose_name=_("редакция")
    )
    name = models.CharField(_("имя файла"), max_length=100)
    content_type = models.CharField(_("тип"), max_length=20)
    content = models.BinaryField(_("содержимое"))
    # What the person typed for the photo: it enters the library with it when the revision is applied.
    alt_text = models.CharField(_("описание фото для незрячих (alt)"), max_length=255, blank=True)
    caption = models.CharField(_("подпись к фото"), max_length=300, blank=True)
    credit = models.CharField(_("автор фото"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("фото неприменённой редакции")
        verbose_name_plural = _("фото неприменённых редакций")

    def __str__(self):
        return self.name

    def as_upload(self) -> CleanedUpload:
        """The photo as the article form's cover field gives an upload (already cleaned), to be saved like one."""
        return CleanedUpload(self.name, bytes(self.content), content_type=self.content_type)

    def description(self) -> dict:
        return {"alt_text": self.alt_text, "caption": self.caption, "credit": self.credit}
