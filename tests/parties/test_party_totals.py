import pytest

from parties.aggregates import party_totals_by_region, region_totals
from parties.models import Party
from regions.models import Region
from tests.parties.factories import NKO_SLUG, PartyFactory, PartyProjectFactory, PrimaryOrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    """Two parties in two regions, with an inactive organisation and several projects, totals worked out by hand."""
    nko = Region.objects.get(slug=NKO_SLUG)
    akmola = Region.objects.get(slug="akmolinskaya-oblast")
    amanat = PartyFactory(amanat=True)
    other = PartyFactory(name="Партия «Ақ жол»", short_name="Ақ жол", slug="ak-zhol")
    silent = PartyFactory(name="Партия без организаций", slug="bez-organizatsiy")
    for members in [100, 250, 30]:
        PrimaryOrganisationFactory(party=amanat, region=nko, members_count=members)
    PrimaryOrganisationFactory(party=amanat, region=nko, members_count=500, is_active=False)
    for members in [40, 60]:
        PrimaryOrganisationFactory(party=amanat, region=akmola, members_count=members)
    PrimaryOrganisationFactory(party=other, region=nko, members_count=70)
    PartyProjectFactory.create_batch(2, party=amanat)
    PartyProjectFactory(party=other)
    return {"nko": nko, "akmola": akmola, "amanat": amanat, "other": other, "silent": silent}


def figures(party):
    return (party.organisations_count, party.members_count, party.projects_count)


def test_party_totals_count_active_organisations_their_members_and_all_projects(registry):
    parties = {party.slug: party for party in Party.objects.with_totals()}
    # 100 + 250 + 30 + 40 + 60: the inactive organisation's 500 members are left out, and two projects do not
    # double the sum.
    assert figures(parties["amanat"]) == (5, 480, 2)
    assert figures(parties["ak-zhol"]) == (1, 70, 1)
    assert figures(parties["bez-organizatsiy"]) == (0, 0, 0)


def test_party_totals_within_a_region(registry):
    amanat = Party.objects.with_totals(region=registry["nko"]).get(slug="amanat")
    assert figures(amanat) == (3, 380, 2)


def test_party_totals_by_region_list_only_regions_with_active_organisations(registry):
    regions = party_totals_by_region(registry["amanat"])
    assert [(region.slug, region.organisations_count, region.members_count) for region in regions] == [
        ("akmolinskaya-oblast", 2, 100),
        (NKO_SLUG, 3, 380),
    ]
    assert party_totals_by_region(registry["silent"]) == []


def test_region_totals_sum_the_parties_active_there(registry):
    totals = region_totals(registry["nko"])
    assert [(party.slug, *figures(party)) for party in totals["parties"]] == [
        ("amanat", 3, 380, 2),
        ("ak-zhol", 1, 70, 1),
    ]
    assert (totals["organisations_count"], totals["members_count"], totals["projects_count"]) == (4, 450, 3)


def test_region_without_organisations_has_zero_totals(registry):
    totals = region_totals(Region.objects.get(slug="astana"))
    assert totals == {"parties": [], "organisations_count": 0, "members_count": 0, "projects_count": 0}


def test_each_aggregate_is_one_query_however_large_the_registry(registry, django_assert_num_queries):
    regions = [registry["nko"], registry["akmola"], Region.objects.get(slug="astana")]
    for region in regions:
        PrimaryOrganisationFactory.create_batch(30, party=registry["other"], region=region, members_count=3)
    PartyProjectFactory.create_batch(10, party=registry["other"])

    with django_assert_num_queries(1):
        parties = {party.slug: party for party in Party.objects.with_totals()}
    assert figures(parties["ak-zhol"]) == (91, 70 + 270, 11)
    with django_assert_num_queries(1):
        party_totals_by_region(registry["other"])
    with django_assert_num_queries(1):
        totals = region_totals(registry["nko"])
    assert (totals["organisations_count"], totals["members_count"], totals["projects_count"]) == (34, 540, 13)
