from django.contrib import admin

from articles.models import Section


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_kk", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "name_kk"]
    prepopulated_fields = {"slug": ["name"]}
