from django.contrib import admin

from articles import workflow
from articles.models import Article, ArticleRevision, WorkflowEvent
from newsroom.admin_site import RecordAdmin


class AuditTrailAdmin(RecordAdmin):
    """A story's history: read-only; a moderator sees that of their desks' stories, a journalist of their own;
    only a superuser deletes it."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if workflow.is_moderator(request.user):
            return queryset.filter(article__in=Article.objects.on_desk_of(request.user))
        return queryset.filter(article__author=request.user)


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(AuditTrailAdmin):
    list_display = ["article", "version", "is_applied", "created_by", "created_at"]
    list_filter = ["is_applied"]
    list_select_related = ["article", "created_by"]
    search_fields = ["article__title"]


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(AuditTrailAdmin):
    list_display = ["article", "transition", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["transition", "to_status"]
    list_select_related = ["article", "actor"]
    search_fields = ["article__title", "comment"]
