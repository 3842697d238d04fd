"""Correction and update notes in the admin: added from the story's change page, fixed or removed here.

Every answer comes from articles.workflow (can_correct) and articles.corrections (can_change), and every change
goes through articles.corrections, which records it in the story's audit trail.
"""

from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from articles import corrections, workflow
from articles.models import Article, Correction


class CorrectionForm(forms.ModelForm):
    user = None  # set per request by CorrectionAdmin.get_form

    class Meta:
        model = Correction
        fields = ["article", "kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "cols": 60})}

    def clean(self):
        cleaned = super().clean()
        article = cleaned.get("article")
        if self.instance.pk is None and article is not None and not workflow.can_correct(self.user, article):
            raise forms.ValidationError(str(corrections.refusal(self.user, article)))
        return cleaned


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    form = CorrectionForm
    list_display = ["article", "kind", "excerpt", "created_at", "created_by", "edited_at"]
    list_filter = ["kind"]
    list_select_related = ["article", "created_by"]
    search_fields = ["article__title", "text"]
    autocomplete_fields = ["article"]
    readonly_fields = ["created_at", "created_by", "edited_at", "edited_by"]
    date_hierarchy = "created_at"

    # --- who sees and does what: every answer comes from articles.workflow ---

    def get_queryset(self, request):
        stories = Article.objects.on_desk_of(request.user)
        return super().get_queryset(request).filter(article__in=stories.values("pk"))

    def has_module_permission(self, request):
        return workflow.is_moderator(request.user) and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        allowed = self.has_module_permission(request)
        return allowed and (obj is None or workflow.can_view(request.user, obj.article))

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        allowed = self.has_module_permission(request)
        return allowed and (obj is None or corrections.can_change(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one, each recorded with its text (articles/corrections.py)
        return actions

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "article"] if obj is not None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    # --- saving and removing: through articles.corrections, recorded ---

    def save_model(self, request, obj, form, change):
        if change:
            corrections.change(Correction.objects.get(pk=obj.pk), by=request.user, kind=obj.kind, text=obj.text)
            return
        added = corrections.add(obj.article, by=request.user, kind=obj.kind, text=obj.text)
        # The admin logs and redirects with the object it saved: the one just added.
        obj.pk, obj.created_at, obj.created_by = added.pk, added.created_at, added.created_by

    def delete_model(self, request, obj):
        corrections.remove(obj, by=request.user)

    def response_post_save_add(self, request, obj):
        return self.back_to_story(obj)

    def response_post_save_change(self, request, obj):
        return self.back_to_story(obj)

    def back_to_story(self, obj):
        """After a save, the story's change page, where its notes are listed."""
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.article_id]))

    # --- the list ---

    @admin.display(description=_("текст"))
    def excerpt(self, correction):
        return Truncator(correction.text).chars(120)
