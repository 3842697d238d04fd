"""The party registry of the demo site and of the benchmark database: a party with its projects, its organisations."""

import json
from datetime import timedelta

from django.utils import timezone

from parties.models import Party, PartyProject, PrimaryOrganisation


def ensure_party(path):
    """Create the party that the JSON file at `path` describes, and its projects, where missing; return the party."""
    data = json.loads(path.read_text(encoding="utf-8"))
    fields = ["name", "name_kk", "short_name", "description", "website"]
    party, _ = Party.objects.get_or_create(slug=data["slug"], defaults={key: data[key] for key in fields})
    for project in data["projects"]:
        PartyProject.objects.get_or_create(
            party=party,
            slug=project["slug"],
            defaults={key: project[key] for key in ["name", "name_kk", "description"]},
        )
    return party


def numbered_organisations(party, region, places, members, *, days_apart):
    """Return unsaved organisations «ППО № 001 (place)», … of `party` in `region`: one per (district, city) place.

    `members` gives each one's member count; each is founded `days_apart` days after the one before it.
    """
    founded = timezone.localdate().replace(year=2007, month=3, day=1)
    leaders = demo_names()
    return [
        PrimaryOrganisation(
            party=party,
            region=region,
            district=district,
            city=city,
            name=f"ППО № {number:03d} ({(city or district).name})",
            leader=leaders[number % len(leaders)],
            members_count=count,
            founded_on=founded + timedelta(days=days_apart * number),
        )
        for number, ((district, city), count) in enumerate(zip(places, members, strict=True), start=1)
    ]


def spread(total, parts):
    """Split `total` into `parts` uneven but deterministic whole numbers that add up to it."""
    weights = [60 + (index * 37) % 140 for index in range(parts)]
    scale = total / sum(weights)
    counts = [int(weight * scale) for weight in weights]
    for index in range(total - sum(counts)):
        counts[index % parts] += 1
    return counts


def demo_names():
    return [
        "Айгуль Касымова", "Сергей Петренко", "Бауыржан Жумабаев", "Елена Ковальчук",
        "Нурлан Сейткали", "Гульнара Ибраева", "Андрей Морозов", "Жанар Тулегенова",
        "Марат Искаков", "Ольга Белова", "Ержан Калиев", "Динара Абенова",
    ]  # fmt: skip
