"""The photo library in the admin: each journalist keeps their own photos, moderators everyone's."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles import images
from articles.models import Photo


class PhotoForm(forms.ModelForm):
    class Meta:
        model = Photo
        fields = ["file", "alt_text", "caption", "credit", "tags"]
        # Photos are checked by articles.images, whose messages say what is wrong.
        field_classes = {"file": forms.FileField}

    def clean_alt_text(self):
        """A cover keeps its alt text: publication asks for it, and every story showing the photo loses it."""
        alt_text = self.cleaned_data.get("alt_text", "").strip()
        if not alt_text and self.instance.pk and self.instance.cover_of.exists():
            raise forms.ValidationError(
                _("Это главное фото материала: опишите, что на нём, иначе его не увидят незрячие читатели.")
            )
        return alt_text

    def clean_file(self):
        """Check a new photo by its content before anything is stored (PhotoAdmin.save_model stores it)."""
        return images.clean_form_upload(self.cleaned_data.get("file"))


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    form = PhotoForm
    list_display = ["thumbnail", "__str__", "caption", "credit", "uploaded_by", "uploaded_at"]
    list_display_links = ["thumbnail", "__str__"]
    list_filter = [("uploaded_by", admin.RelatedOnlyFieldListFilter), "uploaded_at"]
    date_hierarchy = "uploaded_at"
    search_fields = [
        "alt_text",
        "caption",
        "credit",
        "tags__name",
        "uploaded_by__username",
        "uploaded_by__first_name",
        "uploaded_by__last_name",
    ]
    list_select_related = ["uploaded_by"]

    def get_queryset(self, request):
        """A journalist's own photos; a moderator's or superuser's, everyone's (the editor's browser agrees)."""
        return super().get_queryset(request).visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return found, may_have_duplicates or bool(search_term)  # a photo with two matching tags is one photo

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["file", "alt_text", "caption", "credit", "tags"]
        return ["preview", "alt_text", "caption", "credit", "tags", "uploaded_by", "uploaded_at", "used_in"]

    def get_readonly_fields(self, request, obj=None):
        # The file of a saved photo stays: stories link it, and its renditions are made from it.
        return ["preview", "uploaded_by", "uploaded_at", "used_in"] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.can_be_edited_by(request.user))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.can_be_edited_by(request.user))

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.uploaded_by = request.user
        Photo.objects.store(obj, form.cleaned_data["file"])

    def get_deleted_objects(self, objs, request):
        """Refuse to delete a photo in use, naming where: as protected objects, which the admin will not delete."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for photo in objs:
            protected += [f"{photo}: {use}" for use in photo.uses() if f"{photo}: {use}" not in protected]
        return deleted, model_count, perms_needed, protected

    def delete_view(self, request, object_id, extra_context=None):
        photo = self.get_object(request, object_id)
        if photo is not None and self.has_delete_permission(request, photo):
            uses = photo.uses()
            if uses:
                message = gettext("Фото используется, его нельзя удалить: %(uses)s. Сначала уберите его оттуда.")
                self.message_user(request, message % {"uses": "; ".join(uses)}, messages.ERROR)
                return redirect("admin:articles_photo_change", photo.pk)
        return super().delete_view(request, object_id, extra_context)

    @admin.display(description=_("превью"))
    def thumbnail(self, obj):
        return format_html('<img src="{}" alt="" width="96" class="photo-thumbnail">', obj.rendition_480_jpeg.url)

    @admin.display(description=_("фото"))
    def preview(self, obj):
        return format_html(
            '<img src="{}" alt="{}" width="480"><br>{}×{}',
            obj.rendition_800_jpeg.url,
            obj.alt_text,
            obj.width or "?",
            obj.height or "?",
        )

    @admin.display(description=_("где используется"))
    def used_in(self, obj):
        # Stories only: the whole check (every revision and draft) runs when someone deletes the photo.
        return "; ".join(obj.uses(everywhere=False)) or gettext("ни в одном материале")


class PhotoPickerMixin:
    """A story's photo pickers (cover, gallery): choosing from the library, with no links that change or delete a
    library photo from inside the story's form (its red cross would delete the photo, not take it off the story)."""

    photo_fields = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in self.photo_fields and formfield is not None:
            formfield.widget.can_change_related = formfield.widget.can_delete_related = False
        return formfield
