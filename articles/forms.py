"""The article form of the admin, with the lost-update guard."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from articles import images, revisions, workflow
from articles.models import Article, Photo, RevisionPhoto

MINE, THEIRS = "mine", "theirs"
# The article form's fields describing the cover → the library photo's.
COVER_DESCRIPTION = {"cover_alt": "alt_text", "cover_caption": "caption", "cover_credit": "credit"}


class ArticleAdminForm(forms.ModelForm):
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The unapplied revision holding the photo of this person's save that lost a conflict (a file input
    # cannot be filled in again): «мой» for the photo applies it.
    kept_photo = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # A new cover uploaded in the article form enters the library (articles.models.Photo) with the description below;
    # the description of a photo picked from the library changes that photo, if this person may change it.
    cover_upload = forms.FileField(
        label=_("загрузить новое фото"),
        required=False,
        help_text=_("JPEG, PNG или WebP до 20 МБ. Геометки и другие метаданные удаляются при загрузке."),
    )
    cover_alt = forms.CharField(
        label=_("описание фото для незрячих (alt)"),
        max_length=255,
        required=False,
        help_text=_("Что изображено на фото. Обязательно, если фото есть."),
    )
    cover_caption = forms.CharField(label=_("подпись к фото"), max_length=300, required=False)
    cover_credit = forms.CharField(
        label=_("автор фото"), max_length=150, required=False, help_text=_("Например: «Фото: Айдос Серик»")
    )

    class Meta:
        model = Article
        fields = [
            "title", "lead", "body", "cover_photo",
            "section", "region", "cities", "tags", "language", "translation_of",
            "party_organisations", "party_projects", "byline", "is_featured", "publish_at", "proposed_publish_at",
        ]  # fmt: skip

    user = None  # set by ArticleAdmin.get_form to the person editing

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version
        cover = self.instance.cover_photo if self.instance.cover_photo_id else None
        if cover is not None:
            for name, attribute in COVER_DESCRIPTION.items():
                self.fields[name].initial = getattr(cover, attribute)
        self.cover_description = None
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

    def clean_cover_upload(self):
        """Check a new photo by its content and keep a copy without metadata (stored in the library on save)."""
        return images.clean_form_upload(self.cleaned_data.get("cover_upload"))

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
        self.clean_cover_description(cleaned)
        return cleaned

    def clean_cover_description(self, cleaned):
        """Decide what the cover's alt text, caption and credit become, and refuse a cover without alt text.

        For a new photo they are what was typed. For a photo from the library, what was typed changes the photo
        (its description is shared by every story showing it), which only its uploader or a moderator may do;
        left as it was, the picked photo keeps its own.
        """
        typed = {attribute: (cleaned.get(name) or "").strip() for name, attribute in COVER_DESCRIPTION.items()}
        changed = {attribute for name, attribute in COVER_DESCRIPTION.items() if name in self.changed_data}
        if cleaned.get("cover_upload"):
            description = typed
        elif cleaned.get("cover_photo"):
            photo = cleaned["cover_photo"]
            description = {attribute: getattr(photo, attribute) for attribute in COVER_DESCRIPTION.values()}
            edits = {attribute: typed[attribute] for attribute in changed if typed[attribute] != description[attribute]}
            if edits and not photo.can_be_edited_by(self.user):
                self.add_error(
                    "cover_alt",
                    _(
                        "Это фото загрузил другой автор: его описание меняет он или модератор. "
                        "Верните описание как было или загрузите своё фото."
                    ),
                )
                return
            description.update(edits)
            self.cover_description = (photo, edits)
        else:
            return
        if not description["alt_text"]:
            self.add_error("cover_alt", _("Опишите, что на фото: без этого его не увидят незрячие читатели."))
            return
        if cleaned.get("cover_upload"):
            self.cover_description = (None, description)

    def save(self, commit=True):
        """Put a new cover into the library, or the typed description on the picked one, then save the story."""
        if self.cover_description is not None:
            photo, description = self.cover_description
            if photo is None:
                photo = Photo.objects.create_from_upload(self.cleaned_data["cover_upload"], self.user, **description)
            elif description:
                for attribute, value in description.items():
                    setattr(photo, attribute, value)
                photo.save(update_fields=list(description))
            self.instance.cover_photo = photo
        return super().save(commit)

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
            if self.data.get("resolve_cover_photo") == THEIRS:
                cleaned["cover_upload"] = None
            elif kept is not None and upload is None and self.data.get("resolve_cover_photo") == MINE:
                cleaned["cover_upload"] = kept.as_upload()
            return
        base = revisions.base_snapshot(current, base_version)
        mine = revisions.snapshot_of_form(cleaned, theirs)
        if upload is None and kept is not None:
            mine["cover_photo"] = revisions.KEPT_PHOTO + kept.name
        revision = revisions.record(current, self.user, is_applied=False, data=mine, version=base_version)
        if upload is not None or kept is not None:
            description = {attribute: cleaned.get(name) or "" for name, attribute in COVER_DESCRIPTION.items()}
            revisions.keep_photo(revision, upload or kept.as_upload(), description)
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
            if row["name"] == "cover_photo":
                row["old_photo"] = current.cover_photo.rendition_480_jpeg.url if current.cover_photo else ""
                if revisions.is_kept_photo(mine["cover_photo"]):
                    row["new_photo"] = reverse("admin:articles_article_revision_photo", args=[current.pk, revision.pk])
                elif cleaned.get("cover_photo"):
                    row["new_photo"] = cleaned["cover_photo"].rendition_480_jpeg.url
        self.conflict = {"revision": last, "rows": rows, "version": current.version, "base_known": base is not None}
        self.data = self.data.copy()
        self.data["seen_version"] = current.version
        self.data["kept_photo"] = revision.pk if revisions.is_kept_photo(mine["cover_photo"]) else ""
        raise ValidationError(
            _(
                "Пока вы редактировали, материал сохранил другой человек. Ваш текст не потерян: "
                "он остался в форме и сохранён как неприменённая редакция. Сверьте поля ниже и сохраните снова."
            ),
            code="conflict",
        )

    def photo_of_this_save(self, cleaned, current):
        """The photo uploaded now, and the one kept from this person's last lost save of this article, if any."""
        upload = cleaned.get("cover_upload")
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
