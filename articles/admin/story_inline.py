"""The base of the inlines that are part of a story (its co-authors, its gallery): editable with the story."""

from django.contrib import admin

from articles import workflow


class StoryPartInline(admin.TabularInline):
    """Whoever may edit the story edits these rows with it (articles.workflow), whatever the row model's permissions."""

    def has_view_permission(self, request, obj=None):
        return obj is None or workflow.can_view(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self.may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.may_edit(request, obj)

    def may_edit(self, request, obj):
        if obj is None:
            return request.user.has_perm("articles.add_article")
        return workflow.can_edit(request.user, obj)
