from django.contrib import admin

from regions.models import City, District, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_kk", "short_name", "kind", "kato", "centre"]
    list_filter = ["kind"]
    search_fields = ["name", "name_kk", "short_name", "slug", "kato"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "name_kk", "region", "centre", "kato"]
    list_filter = ["region"]
    search_fields = ["name", "name_kk", "slug", "kato"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "name_kk",
        "region",
        "district",
        "population",
        "temperature",
        "weather_observed_at",
    ]
    list_filter = ["region", "is_centre"]
    search_fields = ["name", "name_kk", "slug"]
    autocomplete_fields = ["region", "district"]
    list_select_related = ["region", "district"]
    readonly_fields = ["temperature", "weather_condition", "weather_observed_at"]
