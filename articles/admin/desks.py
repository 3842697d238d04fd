from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles.models import Desk, DeskRegion


class DeskRegionInline(admin.TabularInline):
    model = DeskRegion
    extra = 1


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    """Chief editors set the desks up; moderators see who covers what."""

    list_display = ["name", "is_default", "region_names", "member_names"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    fields = ["name", "is_default", "members", "telegram_chat_id"]
    inlines = [DeskRegionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("coverage__region", "members")

    @admin.display(description=_("регионы"))
    def region_names(self, desk):
        return ", ".join(str(link.region) for link in desk.coverage.all()) or "—"

    @admin.display(description=_("модераторы"))
    def member_names(self, desk):
        return ", ".join(member.get_full_name() or member.get_username() for member in desk.members.all()) or "—"
