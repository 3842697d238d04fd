"""Load Kazakhstan's 20 top-level units, North Kazakhstan's districts and the main cities.

The data is the project's own copy of the verified reference file (regions/data/).
"""

import json
from pathlib import Path

from django.db import migrations

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "kazakhstan_regions.json"


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    District = apps.get_model("regions", "District")
    City = apps.get_model("regions", "City")
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    for item in data["regions"]:
        region, _ = Region.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name_ru"],
                "name_kk": item["name_kk"] or "",
                "kind": item["kind"],
                "short_name": item["short_ru"] or "",
                "kato": item["kato"],
                "centre": item["centre_ru"],
                "centre_kk": item["centre_kk"] or "",
                "latitude": item["lat"],
                "longitude": item["lon"],
            },
        )
        districts_by_centre = {}
        for entry in item["districts"]:
            if entry["kind"] != "district":
                continue  # cities of regional significance (Petropavl) are cities, not districts
            district, _ = District.objects.update_or_create(
                region=region,
                slug=entry["slug"],
                defaults={
                    "name": entry["name_ru"],
                    "name_kk": entry["name_kk"] or "",
                    "kato": entry["kato"],
                    "centre": entry["centre_ru"] or "",
                    "centre_kk": entry["centre_kk"] or "",
                },
            )
            districts_by_centre[entry["centre_ru"]] = district
        for position, entry in enumerate(item["cities"]):
            City.objects.update_or_create(
                region=region,
                slug=entry["slug"],
                defaults={
                    "name": entry["name_ru"],
                    "name_kk": entry["name_kk"] or "",
                    "district": districts_by_centre.get(entry["name_ru"]),
                    "is_centre": position == 0,
                    "population": entry["population"],
                    "population_year": entry["population_year"],
                    "latitude": entry["lat"],
                    "longitude": entry["lon"],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
