"""Blocks kept per content generation (home's regions, a region's side column) change with the content at once."""

import pytest

from regions.models import Region
from tests.factories import ArticleFactory
from tests.parties.factories import PrimaryOrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # what is kept here is the blocks, not whole pages


def test_a_story_from_a_new_region_joins_the_home_regions_at_once(client):
    almaty = Region.objects.get(slug="almaty")
    ArticleFactory(published=True, region=Region.objects.get(slug="severo-kazakhstanskaya-oblast"))
    assert 'id="region-almaty"' not in client.get("/").content.decode()

    ArticleFactory(published=True, region=almaty, title="Новость Алматы")

    page = client.get("/").content.decode()
    assert 'id="region-almaty"' in page and "Новость Алматы" in page


def test_a_new_organisation_changes_the_region_figures_at_once(client):
    north = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    PrimaryOrganisationFactory(region=north, members_count=120)
    assert "120" in client.get(north.get_absolute_url()).content.decode()

    PrimaryOrganisationFactory(region=north, members_count=130)

    assert "250" in client.get(north.get_absolute_url()).content.decode()


def test_unknown_region_or_city_is_not_found(client):
    assert client.get("/regions/atlantida/").status_code == 404
    assert client.get("/regions/severo-kazakhstanskaya-oblast/atlantida/").status_code == 404
    assert client.get("/regions/almaty/petropavlovsk/").status_code == 404
