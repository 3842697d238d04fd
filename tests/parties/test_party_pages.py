from datetime import timedelta

import html5lib
import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article
from regions.models import Region
from tests.factories import ArticleFactory
from tests.parties.factories import NKO_SLUG, PartyFactory, PartyProjectFactory, PrimaryOrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def amanat():
    party = PartyFactory(amanat=True, description="Крупнейшая партия страны.")
    nko = Region.objects.get(slug=NKO_SLUG)
    PrimaryOrganisationFactory(party=party, region=nko, members_count=28_000, name="ППО № 1")
    PrimaryOrganisationFactory(party=party, region=nko, members_count=500, name="ППО № 2")
    PrimaryOrganisationFactory(party=party, region=nko, members_count=9, name="ППО закрытая", is_active=False)
    PrimaryOrganisationFactory(party=party, region=Region.objects.get(slug="astana"), members_count=40)
    PartyProjectFactory(
        party=party,
        name="«Ауыл аманаты»",
        name_kk="«Ауыл аманаты»",
        slug="auyl-amanaty",
        description="Проект о селе: дороги, вода, связь.",
    )
    PartyProjectFactory(party=party, name="Счастливая семья", name_kk="«Бақытты отбасы»", slug="bakytty-otbasy")
    return party


def parse(response):
    assert response.status_code == 200
    content = response.content.decode()
    html5lib.HTMLParser(strict=True).parse(content)
    return content


def test_party_list_shows_each_party_with_its_totals(client, amanat):
    PartyFactory(name="Партия «Ақ жол»", short_name="Ақ жол", slug="ak-zhol")
    content = parse(client.get("/parties/"))
    assert '<a href="/parties/amanat/">Партия «AMANAT»</a>' in content
    assert "<td>3</td>" in content  # active organisations only
    assert "<td>28\xa0540</td>" in content
    assert '<a href="/parties/ak-zhol/">Партия «Ақ жол»</a>' in content
    assert '<link rel="canonical" href="http://testserver/parties/">' in content
    assert '<meta property="og:title"' in content
    assert '<span aria-current="page">Партии</span>' in content


def test_party_page_shows_totals_regions_projects_and_breadcrumbs(client, amanat):
    content = parse(client.get("/parties/amanat/"))
    assert content.count("<h1") == 1
    assert '» <a href="/parties/">Партии</a> » <span aria-current="page">Партия «AMANAT»</span>' in content
    assert "<dd>3</dd>" in content and "<dd>28\xa0540</dd>" in content and "<dd>2</dd>" in content
    assert '<a href="/regions/severo-kazakhstanskaya-oblast/">Северо-Казахстанская область</a>' in content
    assert "<td>28\xa0500</td>" in content
    assert '<a href="/regions/astana/">Астана</a>' in content
    assert '<a href="/parties/amanat/projects/auyl-amanaty/">«Ауыл аманаты»</a>' in content
    assert '<span lang="kk">(«Бақытты отбасы»)</span>' in content
    assert '<link rel="canonical" href="http://testserver/parties/amanat/">' in content
    assert '<meta property="og:title" content="Партия «AMANAT»">' in content
    assert '<meta name="description" content="Партия «AMANAT»: первичные организации' in content


def test_kazakh_party_page_uses_kazakh_names(client, amanat):
    content = parse(client.get("/kk/parties/amanat/"))
    assert '<html lang="kk">' in content
    assert "<h1>«AMANAT» партиясы</h1>" in content
    assert "«Бақытты отбасы»</a>" in content
    assert '<link rel="canonical" href="http://testserver/kk/parties/amanat/">' in content


def test_unknown_party_or_project_is_not_found(client, amanat):
    other = PartyFactory(slug="ak-zhol")
    assert client.get("/parties/nobody/").status_code == 404
    assert client.get("/parties/amanat/projects/nothing/").status_code == 404
    assert client.get(f"/parties/{other.slug}/projects/auyl-amanaty/").status_code == 404


def linked_articles(amanat):
    """A live story per link kind, plus stories readers must not see: a draft, a scheduled one, an archived one."""
    organisation = amanat.organisations.first()
    project = amanat.projects.get(slug="auyl-amanaty")
    stories = {
        "organisation": ArticleFactory(published=True, title="Форум первичных организаций в Петропавловске"),
        "project": ArticleFactory(published=True, title="«Ауыл аманаты» отремонтировал дорогу"),
        "draft": ArticleFactory(title="Черновик о партии"),
        "scheduled": ArticleFactory(
            published=True, title="Запланированная новость о проекте", publish_at=timezone.now() + timedelta(hours=2)
        ),
        "archived": ArticleFactory(
            status=Article.Status.ARCHIVED, title="Снятая с публикации новость", publish_at=timezone.now()
        ),
        "unrelated": ArticleFactory(published=True, title="Новость без партии"),
    }
    stories["organisation"].party_organisations.add(organisation)
    stories["project"].party_projects.add(project)
    for key in ["draft", "scheduled", "archived"]:
        stories[key].party_organisations.add(organisation)
        stories[key].party_projects.add(project)
    other_party_story = ArticleFactory(published=True, title="Новость другой партии")
    other_party_story.party_projects.add(PartyProjectFactory(party=PartyFactory()))
    return stories


def test_party_page_lists_only_live_news_linked_to_its_organisations_or_projects(client, amanat):
    stories = linked_articles(amanat)
    content = parse(client.get("/parties/amanat/"))
    assert stories["organisation"].title in content
    assert "«Ауыл аманаты» отремонтировал дорогу" in content
    for hidden in ["Черновик", "Запланированная", "Снятая", "Новость без партии", "Новость другой партии"]:
        assert hidden not in content
    assert content.count('class="card"') == 2


def test_project_page_shows_description_and_only_its_live_news(client, amanat):
    stories = linked_articles(amanat)
    content = parse(client.get("/parties/amanat/projects/auyl-amanaty/"))
    assert "<h1>«Ауыл аманаты»</h1>" in content
    assert "Проект о селе: дороги, вода, связь." in content
    assert (
        '» <a href="/parties/">Партии</a> » <a href="/parties/amanat/">Партия «AMANAT»</a> » '
        '<span aria-current="page">«Ауыл аманаты»</span>'
    ) in content
    assert "«Ауыл аманаты» отремонтировал дорогу" in content
    assert stories["organisation"].title not in content
    for hidden in ["Черновик", "Запланированная", "Снятая"]:
        assert hidden not in content
    assert '<link rel="canonical" href="http://testserver/parties/amanat/projects/auyl-amanaty/">' in content
    assert '<meta property="og:title" content="«Ауыл аманаты» — Партия «AMANAT»">' in content


def test_scheduled_news_appears_once_its_time_has_come(client, amanat):
    stories = linked_articles(amanat)
    Article.objects.filter(pk=stories["scheduled"].pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    cache.clear()
    assert "Запланированная новость о проекте" in parse(client.get("/parties/amanat/projects/auyl-amanaty/"))


@pytest.fixture
def generous_registry(amanat):
    """3 regions × 30 organisations, 5 projects and 20 linked live stories."""
    regions = Region.objects.filter(slug__in=[NKO_SLUG, "astana", "akmolinskaya-oblast"])
    organisations = [
        PrimaryOrganisationFactory(party=amanat, region=region, members_count=10)
        for region in regions
        for _ in range(30)
    ]
    projects = [*amanat.projects.all(), *PartyProjectFactory.create_batch(3, party=amanat)]
    for number in range(20):
        article = ArticleFactory(published=True, in_north_kazakhstan=True, tags=["аманат"])
        article.party_organisations.add(*organisations[number::20])
        article.party_projects.add(*projects)
    return amanat


@pytest.mark.parametrize("url", ["/parties/", "/parties/amanat/", "/parties/amanat/projects/auyl-amanaty/"])
def test_party_pages_run_a_small_constant_number_of_queries(
    client, generous_registry, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    if url != "/parties/":
        assert response.content.decode().count('class="card"') == (12 if url == "/parties/amanat/" else 20)
