"""The article form of the admin, with the lost-update guard."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from articles import images, revisions, workflow
from articles.models import Article, RevisionPhoto

MINE, THEIRS = "mine", "theirs"


class ArticleAdminForm(forms.ModelForm):
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The unapplied revision holding the photo of this person's save that lost a conflict (a file input
    # cannot be filled in again): «мой» for the photo applies it.
    kept_photo = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [
            "title", "lead", "body", "cover_image", "cover_alt", "cover_caption", "cover_credit",
            "section", "region", "cities", "tags", "language", "translation_of",
            "party_organisations", "party_projects", "byline", "is_featured", "publish_at", "proposed_publish_at",
        ]  # fmt: skip
        # Photos are checked by articles.images, whose messages say what is wrong.
        field_classes = {"cover_image": forms.FileField}

    user = None  # set by ArticleAdmin.get_form to the person editing

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version
        self.limit_choices()

    def limit_choices(self):
        """Offer and accept only what the person editing may see; a link someone already saved may stay."""
        for name in revisions.FOREIGN_KEYS + revisions.MANY_TO_MANY:
            field = self.fields.get(name)
            if field is None:
                continue
            choices = workflow.linkable(self.user, field.queryset)
            if self.instance.pk:
                saved = Article.objects.filter(pk=self.instance.pk).values(name)
                choices = choices | field.queryset.filter(pk__in=saved)
            field.queryset = choices
        if "translation_of" in self.fields:
            self.fields["translation_of"].error_messages["invalid_choice"] = _(
                "Выберите материал из списка: этого материала нет среди доступных вам."
            )

    def clean_cover_image(self):
        """Check a new photo by its content and store a copy without metadata."""
        photo = self.cleaned_data.get("cover_image")
        if isinstance(photo, UploadedFile):
            return images.clean_upload(photo)
        return photo

    def clean_region(self):
        region = self.cleaned_data.get("region")
        if self.instance.pk:
            refusal = workflow.move_refusal(self.user, self.instance, region)
            if refusal:
                raise ValidationError(refusal)
        return region

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            self.check_for_conflict(cleaned)
        if (
            self.instance.status == Article.Status.PUBLISHED
            and "publish_at" in self.fields
            and not cleaned.get("publish_at")
        ):
            self.add_error("publish_at", _("Опубликованному материалу нужно время публикации."))
        if cleaned.get("cover_image") and not (cleaned.get("cover_alt") or "").strip():
            self.add_error("cover_alt", _("Опишите, что на фото: без этого его не увидят незрячие читатели."))
        return cleaned

    def check_for_conflict(self, cleaned):
        """Refuse a save based on an old version; keep what was typed as an unapplied revision."""
        current = Article.objects.select_for_update().get(pk=self.instance.pk)
        base_version = cleaned.get("base_version")
        if base_version is None or base_version == current.version:
            return
        theirs = revisions.snapshot(current)
        upload, kept = self.photo_of_this_save(cleaned, current)
        if cleaned.get("seen_version") == current.version:
            # The editor has seen this conflict and chose, field by field, whose value to keep.
            for name in revisions.TRACKED_FIELDS:
                if self.data.get(f"resolve_{name}") == THEIRS and name in self.fields:
                    cleaned[name] = saved_value(current, name)
            if kept is not None and upload is None and self.data.get("resolve_cover_image") == MINE:
                cleaned["cover_image"] = kept.as_upload()
            return
        base = revisions.base_snapshot(current, base_version)
        mine = revisions.snapshot_of_form(cleaned, theirs)
        if upload is None and kept is not None:
            mine["cover_image"] = revisions.KEPT_PHOTO + kept.name
        revision = revisions.record(current, self.user, is_applied=False, data=mine, version=base_version)
        if upload is not None or kept is not None:
            revisions.keep_photo(revision, upload or kept.as_upload())
        last = current.revisions.filter(is_applied=True).select_related("created_by").first()
        if base is None:
            # The version this form was opened at is unknown, so who changed what cannot be told:
            # propose their saved values, which keeps both sides (yours stays in the form and the revision).
            names = revisions.changed_fields(mine, theirs)
        else:
            changed = set(revisions.changed_fields(base, theirs)) | set(revisions.changed_fields(base, mine))
            differing = set(revisions.changed_fields(mine, theirs))
            names = [name for name in revisions.TRACKED_FIELDS if name in changed & differing]
        rows = revisions.comparison_rows(theirs, mine, names)
        for row in rows:
            row["default"] = THEIRS if base is None or mine.get(row["name"]) == base.get(row["name"]) else MINE
            if row["name"] == "cover_image":
                row["old_photo"] = current.cover_image.url if current.cover_image else ""
                if revisions.is_kept_photo(mine["cover_image"]):
                    row["new_photo"] = reverse("admin:articles_article_revision_photo", args=[current.pk, revision.pk])
        self.conflict = {"revision": last, "rows": rows, "version": current.version, "base_known": base is not None}
        self.data = self.data.copy()
        self.data["seen_version"] = current.version
        self.data["kept_photo"] = revision.pk if revisions.is_kept_photo(mine["cover_image"]) else ""
        raise ValidationError(
            _(
                "Пока вы редактировали, материал сохранил другой человек. Ваш текст не потерян: "
                "он остался в форме и сохранён как неприменённая редакция. Сверьте поля ниже и сохраните снова."
            ),
            code="conflict",
        )

    def photo_of_this_save(self, cleaned, current):
        """The photo uploaded now, and the one kept from this person's last lost save of this article, if any."""
        upload = cleaned.get("cover_image")
        upload = upload if isinstance(upload, UploadedFile) else None
        kept = None
        if cleaned.get("kept_photo"):
            kept = RevisionPhoto.objects.filter(
                revision_id=cleaned["kept_photo"],
                revision__article=current,
                revision__is_applied=False,
                revision__created_by=self.user,
            ).first()
        return upload, kept


def saved_value(article, name):
    """The value of field `name` on the saved article, in the form's cleaned-data shape."""
    if name == "tags":
        return sorted(article.tags.names())
    if name in revisions.MANY_TO_MANY:
        return getattr(article, name).all()
    return getattr(article, name)
