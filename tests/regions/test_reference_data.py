import json
from pathlib import Path

import pytest

from regions.models import City, District, Region

pytestmark = pytest.mark.django_db

DATA = json.loads((Path(__file__).resolve().parents[2] / "regions/data/kazakhstan_regions.json").read_text())


def test_all_twenty_top_level_units_ship():
    assert Region.objects.count() == 20
    assert Region.objects.filter(kind="oblast").count() == 17
    assert set(Region.objects.filter(kind="city").values_list("slug", flat=True)) == {
        "astana",
        "almaty",
        "shymkent",
    }


def test_region_slugs_are_those_of_the_reference_file():
    assert set(Region.objects.values_list("slug", flat=True)) == {item["slug"] for item in DATA["regions"]}


def test_north_kazakhstan_has_thirteen_districts_and_petropavl():
    region = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    assert region.short_name == "СКО"
    assert region.kato == "590000000"
    assert District.objects.filter(region=region).count() == 13
    petropavl = City.objects.get(region=region, slug="petropavlovsk")
    assert (petropavl.name, petropavl.name_kk) == ("Петропавловск", "Петропавл")
    assert petropavl.is_centre and petropavl.district is None
    assert float(petropavl.latitude) == pytest.approx(54.8734)


def test_every_city_has_coordinates():
    expected = sum(len(item["cities"]) for item in DATA["regions"])
    assert City.objects.count() == expected
    assert City.objects.with_coordinates().count() == expected


def test_district_towns_are_linked_to_their_district():
    assert City.objects.get(slug="bulaevo").district.slug == "rayon-magzhana-zhumabaeva"
