from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from articles import corrections, front_page, translations, workflow
from articles.models import Article, ArticleRevision, WorkflowEvent
from newsroom.admin_site import RecordAdmin


class AuditTrailAdmin(RecordAdmin):
    """A story's history: read-only; a moderator sees that of their desks' stories, a journalist of their own;
    only a superuser deletes it. The «Срочно» banner's events name no story: every moderator sees them, as every
    moderator arranges the front page."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if workflow.is_moderator(request.user):
            return queryset.filter(Q(article__in=Article.objects.on_desk_of(request.user)) | Q(article__isnull=True))
        return queryset.filter(article__author=request.user)


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(AuditTrailAdmin):
    list_display = ["article", "version", "is_applied", "created_by", "created_at"]
    list_filter = ["is_applied"]
    list_select_related = ["article", "created_by"]
    search_fields = ["article__title"]


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(AuditTrailAdmin):
    list_display = ["article", "action", "from_status", "to_status", "actor", "created_at", "comment"]
    list_filter = ["transition", "to_status"]
    list_select_related = ["article", "actor"]
    search_fields = ["article__title", "comment"]

    @admin.display(description=_("действие"), ordering="transition")
    def action(self, event):
        """The transition's or the front page change's name in words (the stored name for an unknown one)."""
        transition = workflow.TRANSITIONS.get(event.transition)
        other_actions = {**front_page.ACTIONS, **corrections.ACTIONS, **translations.ACTIONS}
        return transition.label if transition else other_actions.get(event.transition, event.transition)
