import pytest

from parties.models import Party, PartyProject, PrimaryOrganisation
from regions.models import District, Region
from tests.parties.factories import NKO_SLUG, PartyFactory, PartyProjectFactory, PrimaryOrganisationFactory

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/admin/parties/primaryorganisation/"


@pytest.fixture
def organisation():
    return PrimaryOrganisationFactory(
        party=PartyFactory(amanat=True),
        name="ППО села Саумалколь",
        district=District.objects.get(slug="ayyrtauskiy-rayon"),
        members_count=85,
    )


def change_data(organisation, **changes):
    data = {
        "party": organisation.party_id,
        "region": organisation.region_id,
        "district": organisation.district_id or "",
        "city": organisation.city_id or "",
        "name": organisation.name,
        "leader": organisation.leader,
        "members_count": organisation.members_count,
        "founded_on": "",
        "is_active": "on",
    }
    return data | changes


def test_list_shows_party_region_place_leader_members_and_status(client, journalist, organisation):
    client.force_login(journalist)
    content = client.get(ORGANISATIONS).content.decode()
    for text in ["ППО села Саумалколь", "AMANAT", "Северо-Казахстанская область", "Айыртауский район", "85"]:
        assert text in content
    assert "район или город" in content.lower()


def test_list_filters_and_searches(client, moderator, organisation):
    PrimaryOrganisationFactory(
        party=organisation.party, name="ППО при акимате", region=Region.objects.get(slug="astana")
    )
    client.force_login(moderator)
    by_region = client.get(ORGANISATIONS, {"region__id__exact": Region.objects.get(slug=NKO_SLUG).pk})
    assert list(by_region.context["cl"].result_list) == [organisation]
    found = client.get(ORGANISATIONS, {"q": "Айыртауский"})
    assert list(found.context["cl"].result_list) == [organisation]


def test_journalist_sees_organisations_read_only(client, journalist, organisation):
    client.force_login(journalist)
    page = client.get(f"{ORGANISATIONS}{organisation.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()

    response = client.post(f"{ORGANISATIONS}{organisation.pk}/change/", change_data(organisation, members_count=1))
    assert response.status_code == 403
    assert client.get(f"{ORGANISATIONS}add/").status_code == 403
    assert client.post(f"{ORGANISATIONS}{organisation.pk}/delete/", {"post": "yes"}).status_code == 403
    organisation.refresh_from_db()
    assert organisation.members_count == 85


def test_journalist_cannot_change_parties_or_projects(client, journalist):
    project = PartyProjectFactory(party=PartyFactory(amanat=True))
    client.force_login(journalist)
    data = {"name": "Другое", "party": project.party_id, "slug": project.slug, "description": ""}
    assert client.post(f"/admin/parties/partyproject/{project.pk}/change/", data).status_code == 403
    assert client.get("/admin/parties/party/add/").status_code == 403
    assert PartyProject.objects.get().name == project.name


def test_moderator_edits_and_adds_organisations(client, moderator, organisation):
    client.force_login(moderator)
    response = client.post(f"{ORGANISATIONS}{organisation.pk}/change/", change_data(organisation, members_count=90))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.members_count == 90

    data = change_data(organisation, name="ППО села Лобаново", members_count=12, district="")
    assert client.post(f"{ORGANISATIONS}add/", data).status_code == 302
    assert PrimaryOrganisation.objects.filter(name="ППО села Лобаново", members_count=12).exists()


def test_moderator_cannot_give_a_negative_member_count(client, moderator, organisation):
    client.force_login(moderator)
    response = client.post(f"{ORGANISATIONS}{organisation.pk}/change/", change_data(organisation, members_count=-1))
    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.members_count == 85


def test_party_list_in_the_admin_shows_totals(client, moderator, organisation):
    PartyProjectFactory(party=organisation.party)
    client.force_login(moderator)
    response = client.get("/admin/parties/party/")
    party = response.context["cl"].result_list[0]
    assert (party.organisations_count, party.members_count, party.projects_count) == (1, 85, 1)


@pytest.mark.parametrize(
    ("field", "term", "expected"),
    [("party_organisations", "Саумал", "ППО села Саумалколь"), ("party_projects", "Ауыл", "«Ауыл аманаты»")],
)
def test_journalist_links_organisations_and_projects_by_autocomplete(
    client, journalist, organisation, field, term, expected
):
    PartyProjectFactory(party=organisation.party, name="«Ауыл аманаты»", slug="auyl-amanaty")
    client.force_login(journalist)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": field, "term": term},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == [expected]


def test_party_slug_is_unique(client, moderator):
    PartyFactory(amanat=True)
    client.force_login(moderator)
    data = {"name": "Другая партия", "short_name": "AMANAT", "slug": "amanat", "name_kk": "", "description": ""}
    response = client.post("/admin/parties/party/add/", data | {"website": ""})
    assert response.status_code == 200
    assert Party.objects.count() == 1
