"""Author profiles in the admin: each person keeps their own, editors keep everyone's (articles.profiles)."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles import images, profiles
from articles.admin.story_inline import StoryPartInline
from articles.models import ArticleCoauthor, AuthorProfile


def desk_people():
    """Whom a profile or a co-author credit may name: the newsroom's active staff."""
    return get_user_model().objects.filter(is_active=True, is_staff=True).order_by("last_name", "first_name")


class AuthorProfileForm(forms.ModelForm):
    class Meta:
        model = AuthorProfile
        fields = ["user", "name", "photo", "bio_ru", "bio_kk", "is_public"]
        # Photos are checked by articles.images, whose messages say what is wrong.
        field_classes = {"photo": forms.FileField}

    def clean_photo(self):
        """Check a new photo by its content and store a copy without metadata."""
        return images.clean_form_upload(self.cleaned_data.get("photo"))


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    form = AuthorProfileForm
    list_display = ["name", "user", "slug", "is_public"]
    list_filter = ["is_public"]
    search_fields = ["name", "slug", "user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    readonly_fields = ["slug", "page"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if profiles.keeps_every_profile(request.user) else queryset.filter(user=request.user)

    def get_fields(self, request, obj=None):
        fields = ["user", "name", "slug", "page", "photo", "bio_ru", "bio_kk", "is_public"]
        if not profiles.keeps_every_profile(request.user):
            fields.remove("user")  # one's own profile: whose it is is not a choice
        return fields if obj is not None else [name for name in fields if name not in ("slug", "page")]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = desk_people()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        # Asked by every admin page's sidebar: only those who keep their own profile alone cost a query.
        return (
            profiles.keeps_every_profile(request.user) or not AuthorProfile.objects.filter(user=request.user).exists()
        )

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or profiles.can_edit_profile(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or profiles.can_edit_profile(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and profiles.keeps_every_profile(request.user)

    def save_model(self, request, obj, form, change):
        if not profiles.keeps_every_profile(request.user):
            obj.user = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("страница на сайте"))
    def page(self, obj):
        if not obj.pk or not obj.is_shown():
            return _("скрыта от читателей")
        return format_html('<a href="{0}">{0}</a>', obj.get_absolute_url())


class CoauthorInline(StoryPartInline):
    """The story's co-authors, named in the byline after its author in this order; editable with the story."""

    model = ArticleCoauthor
    fields = ["user", "order"]
    extra = 1
    verbose_name = _("соавтор")
    verbose_name_plural = _("соавторы (в подписи — после автора, по порядку)")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = desk_people()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
