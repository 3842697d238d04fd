from django.contrib import admin

from parties.models import Party, PartyProject, PrimaryOrganisation


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "website"]
    search_fields = ["name", "name_kk", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}


@admin.register(PrimaryOrganisation)
class PrimaryOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "party", "region", "district", "city", "leader", "members_count", "is_active"]
    list_filter = ["party", "is_active", "region", "district"]
    search_fields = ["name", "leader", "region__name", "district__name", "city__name"]
    autocomplete_fields = ["party", "region", "district", "city"]
    list_select_related = ["party", "region", "district", "city"]


@admin.register(PartyProject)
class PartyProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "name_kk", "party"]
    list_filter = ["party"]
    search_fields = ["name", "name_kk", "description"]
    autocomplete_fields = ["party"]
    prepopulated_fields = {"slug": ["name"]}
