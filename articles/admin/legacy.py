"""What an import left, for superusers only and read-only: a redirect made in the admin could take over any address
of the site (an open redirect), so only an import run by the site's administrators makes one."""

from django.contrib import admin

from articles.models import ImportedPost, LegacyRedirect
from newsroom.admin_site import SuperuserRecordAdmin


@admin.register(LegacyRedirect)
class LegacyRedirectAdmin(SuperuserRecordAdmin):
    list_display = ["old_path", "article"]
    list_select_related = ["article"]
    search_fields = ["old_path", "article__title"]


@admin.register(ImportedPost)
class ImportedPostAdmin(SuperuserRecordAdmin):
    list_display = ["site", "post_id", "article", "imported_at"]
    list_select_related = ["article"]
    search_fields = ["site", "article__title"]
