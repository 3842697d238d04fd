from django.contrib import admin
from taggit.models import Tag

from articles.models import ArticleTag


class ArticleTagInline(admin.TabularInline):
    model = ArticleTag
    fields = ["content_object", "status", "language", "publish_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False  # a story's tags are edited on the story


# taggit's own Tag admin lists and merges taggit's generic taggings, which stories no longer use (their
# tags are ArticleTag rows): its merge would leave the stories on the old tags. This one shows the stories.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    ordering = ["name"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ArticleTagInline]
