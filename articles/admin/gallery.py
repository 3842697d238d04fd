from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles import workflow
from articles.admin.photos import PhotoPickerMixin
from articles.admin.story_inline import StoryPartInline
from articles.models import GalleryItem, Photo


class GalleryInline(PhotoPickerMixin, StoryPartInline):
    """The story's photo gallery, shown after its text in the order of the numbers; editable with the story."""

    model = GalleryItem
    photo_fields = ["photo"]
    fields = ["thumbnail", "photo", "position", "caption", "credit"]
    readonly_fields = ["thumbnail"]
    autocomplete_fields = ["photo"]  # searched in the library as the cover is: what the Photo admin shows the user
    extra = 1
    verbose_name = _("фото галереи")
    verbose_name_plural = _("фотогалерея (после текста, по возрастанию номера)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("photo")

    def get_formset(self, request, obj=None, **kwargs):
        """Accept the photos the user may link to (workflow.linkable, as the cover), and those already in this
        gallery: a journalist picks no other's private upload, nor loses a photo an editor put in their story."""
        formset = super().get_formset(request, obj, **kwargs)
        offered = workflow.linkable(request.user, Photo.objects.all())
        if obj is not None and obj.pk:
            offered = offered | Photo.objects.filter(gallery_items__article=obj)
        formset.form.base_fields["photo"].queryset = offered.distinct()
        return formset

    @admin.display(description=_("превью"))
    def thumbnail(self, obj):
        if not obj.pk:
            return ""
        return format_html('<img src="{}" alt="" width="120">', obj.photo.rendition_480_jpeg.url)
