from datetime import timedelta
from pathlib import Path

import pytest

from parties.demo import ensure_party, numbered_organisations, spread
from parties.models import Party, PartyProject
from regions.models import Region
from tests.parties.factories import NKO_SLUG, PartyFactory

pytestmark = pytest.mark.django_db

PARTY_FILE = Path(__file__).resolve().parents[2] / "articles" / "demo" / "party.json"


def test_ensure_party_creates_the_party_and_its_projects_once():
    first = ensure_party(PARTY_FILE)
    again = ensure_party(PARTY_FILE)

    assert again == first
    assert Party.objects.count() == 1
    assert PartyProject.objects.filter(party=first).count() == 5


def test_numbered_organisations_name_their_place_and_follow_each_other():
    party = PartyFactory(amanat=True)
    region = Region.objects.get(slug=NKO_SLUG)
    city = region.cities.get(slug="petropavlovsk")
    district = region.districts.order_by("kato").first()

    first, second = numbered_organisations(party, region, [(None, city), (district, None)], [120, 80], days_apart=37)

    assert (first.name, first.city, first.district) == ("ППО № 001 (Петропавловск)", city, None)
    assert (second.name, second.city, second.district) == (f"ППО № 002 ({district.name})", None, district)
    assert (first.members_count, second.members_count) == (120, 80)
    assert second.founded_on - first.founded_on == timedelta(days=37)
    assert first.leader != second.leader


def test_spread_adds_up_to_the_total():
    counts = spread(28_500, 244)

    assert sum(counts) == 28_500 and len(counts) == 244
    assert spread(28_500, 244) == counts
