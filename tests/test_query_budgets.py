"""Every public page runs a small, constant number of SQL queries, whatever the amount of content.

Each page is measured three ways: cold (empty cache: page cache miss, header navigation and the
page-cache generation read from the database), warm (navigation cached, page cache switched off, so
the page is really rendered) and from the page cache. The cold and warm counts must stay within the
budget and be the same with 25 and with 60 published stories (25, not 10: /news/?page=2 needs more
than one page of 20).
"""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import ArticleCoauthor, AuthorProfile, Correction, Section
from newsroom.caching import forget_local_copies
from parties.models import Party, PartyProject, PrimaryOrganisation
from regions.models import City, Region
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

BUDGET = 10
FEW, MANY = 25, 60
REGION_SLUGS = ["severo-kazakhstanskaya-oblast", "almaty", "astana", "pavlodarskaya-oblast", "kostanayskaya-oblast"]
TAGS = ["село", "форум", "экономика", "образование", "здоровье", "спорт", "дороги"]


class Newsroom:
    """A growing body of published stories: 5 regions, 3 tags each, cities, party links, translations, and a
    four correction notes on every fourth."""

    def __init__(self):
        self.author = UserFactory(username="budget-author", is_staff=True)
        self.profile = AuthorProfile.objects.create(user=self.author, name="Автор Бюджетов", bio_ru="Пишет обо всём.")
        self.coauthor = UserFactory(username="budget-coauthor", is_staff=True)
        AuthorProfile.objects.create(user=self.coauthor, name="Соавтор Бюджетов")
        self.sections = [
            Section.objects.create(name=name, slug=slug)
            for name, slug in [("Экономика", "ekonomika"), ("Общество", "obshchestvo"), ("Политика", "politika")]
        ]
        self.regions = [Region.objects.get(slug=slug) for slug in REGION_SLUGS]
        self.cities = {region.pk: region.cities.order_by("-is_centre", "name").first() for region in self.regions}
        party = Party.objects.create(name="Партия «Аманат»", short_name="Аманат", slug="amanat")
        self.organisations = {
            region.pk: [
                PrimaryOrganisation.objects.create(party=party, region=region, name=f"ППО №{number} {region.name}")
                for number in range(3)
            ]
            for region in self.regions
        }
        self.projects = [
            PartyProject.objects.create(party=party, name=name, slug=slug)
            for name, slug in [("Жасыл ел", "zhasyl-el"), ("Народный контроль", "narodnyy-kontrol")]
        ]
        self.count = 0
        self.corrected = None
        self.subject = self.add_story(with_party_links=False)
        self.with_party_links = self.add_story()

    def add_story(self, with_party_links=True):
        number = self.count
        self.count += 1
        region = self.regions[number % len(self.regions)]
        tags = ["аманат", TAGS[number % len(TAGS)], TAGS[(number + 3) % len(TAGS)]]
        article = ArticleFactory(
            published=True,
            publish_at=timezone.now() - timedelta(hours=number + 1),
            title=f"Форум номер {number}: новости региона",
            lead=f"Лид материала {number} о форуме в регионе.",
            body=f"<p>Подробности материала {number}.</p>",
            region=region,
            section=self.sections[number % len(self.sections)],
            author=self.author,
            tags=tags,
            is_featured=number == 3,
            views_count=number * 7 % 50,
        )
        article.cities.add(self.cities[region.pk])
        if number % 2:
            ArticleCoauthor.objects.create(article=article, user=self.coauthor)
        if with_party_links:
            article.party_organisations.add(*self.organisations[region.pk][:2])
            article.party_projects.add(self.projects[number % len(self.projects)])
        if number % 4 == 2:
            # four each: more than one page of /corrections/ already with FEW stories
            for note in range(4):
                Correction.objects.create(article=article, text=f"Уточнение {note} к материалу {number}.")
            self.corrected = self.corrected or article
        if number % 5 == 0:
            ArticleFactory(
                published=True,
                publish_at=article.publish_at,
                language="kk",
                title=f"Форум {number}: өңір жаңалықтары",
                region=region,
                section=article.section,
                author=self.author,
                tags=tags,
                translation_of=article,
            )
        return article

    def grow_to(self, total):
        while self.count < total:
            self.add_story()


def page_url(page, newsroom):
    north = newsroom.regions[0]
    return {
        "home": "/",
        "news": "/news/",
        "news page 2": "/news/?page=2",
        "article": newsroom.subject.get_absolute_url(),
        "article with party links": newsroom.with_party_links.get_absolute_url(),
        "article with a correction": newsroom.corrected.get_absolute_url(),
        "corrections": "/corrections/",
        "corrections page 2": "/corrections/?page=2",
        "regions": "/regions/",
        "region": north.get_absolute_url(),
        "city": City.objects.get(region=north, slug="petropavlovsk").get_absolute_url(),
        "section": "/sections/ekonomika/",
        "tag": reverse("articles:tag", args=["аманат"]),
        "search": "/search/?" + urlencode({"q": "форум"}),
        "search with filters": "/search/?" + urlencode({"q": "форум", "region": north.slug, "section": "ekonomika"}),
        "kazakh home": "/kk/",
        "author": f"/authors/{newsroom.profile.slug}/",
        "author page 2": f"/authors/{newsroom.profile.slug}/?page=2",
        "full-text feed": "/feed/full/",
        "region full-text feed": f"/regions/{north.slug}/feed/full/",
    }[page]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def measure(client, url):
    """(cold, warm, from the page cache) query counts of one page."""
    cache.clear()
    forget_local_copies()
    with override_settings(NEWSROOM_PAGE_CACHE_SECONDS=300, NEWSROOM_PAGE_CACHE_STORE_AFTER=1):
        cold = queries_for(client, url)
        from_page_cache = queries_for(client, url)
    with override_settings(NEWSROOM_PAGE_CACHE_SECONDS=0):
        warm = queries_for(client, url)
    return cold, warm, from_page_cache


PAGES = [
    "home",
    "news",
    "news page 2",
    "article",
    "article with party links",
    "article with a correction",
    "corrections",
    "corrections page 2",
    "regions",
    "region",
    "city",
    "section",
    "tag",
    "search",
    "search with filters",
    "kazakh home",
    "author",
    "author page 2",
    "full-text feed",
    "region full-text feed",
]


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Content built once for the module (rolled back at its end): every page measured with FEW, then MANY stories.

    The tests of this module run inside this transaction, on the MANY stories.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with translation.override("ru"):
                client = Client()
                newsroom = Newsroom()
                newsroom.grow_to(FEW)
                few = {page: measure(client, page_url(page, newsroom)) for page in PAGES}
                newsroom.grow_to(MANY)
                many = {page: measure(client, page_url(page, newsroom)) for page in PAGES}
            yield newsroom, few, many
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()


@pytest.mark.parametrize("page", PAGES)
def test_public_page_runs_at_most_ten_queries_on_a_cold_cache(
    client, measured, page, django_assert_max_num_queries, record_property
):
    newsroom, few, many = measured
    url = page_url(page, newsroom)
    record_property("queries", {"page": page, "url": url, "few": few[page], "many": many[page]})

    cache.clear()
    forget_local_copies()
    with django_assert_max_num_queries(BUDGET):
        response = client.get(url)

    assert response.status_code == 200
    cold, warm, from_page_cache = many[page]
    assert cold <= BUDGET
    assert warm <= BUDGET
    assert from_page_cache <= 1


@pytest.mark.parametrize("page", PAGES)
def test_query_count_of_a_public_page_does_not_grow_with_content(measured, page):
    _, few, many = measured

    assert few[page] == many[page], (
        f"{page}: (cold, warm, from page cache) = {few[page]} with {FEW} stories, {many[page]} with {MANY}"
    )


def test_a_publication_shows_at_once_despite_the_cached_pages(client, measured):
    """The page cache is what keeps warm pages cheap; it must not hide a new story."""
    newsroom, _, _ = measured
    assert "Свежая новость" not in client.get("/").content.decode()

    ArticleFactory(published=True, title="Свежая новость", author=newsroom.author, section=newsroom.sections[0])

    assert "Свежая новость" in client.get("/").content.decode()


# Rendered pages (navigation cached, page cache off): the exact counts, so that a query added to a page is
# a decision made in this table, not a drift that the budget of ten hides.
WARM_QUERIES = {
    # the content generation, the latest and the most read stories; the region blocks are kept per generation
    "home": 3,
    # a list: the content generation and the page's rows, read by key (the page's keys and the list's count are
    # kept per generation)
    "news": 2,
    "news page 2": 2,
    # the content generation; the story, its tags, translations, party links and related stories are kept per
    # content generation
    "article": 1,
    "article with party links": 1,
    "article with a correction": 1,
    # a list: the page of notes with their stories
    "corrections": 2,
    "corrections page 2": 2,
    "regions": 1,
    # a list; the side column is kept per generation
    "region": 2,
    "city": 2,
    # the section, then a list
    "section": 3,
    # the tag, then a list
    "tag": 3,
    # the content generation, the page's rows read by the keys of its ranking, and their snippets
    "search": 3,
    "search with filters": 3,
    "kazakh home": 3,
    # the profile, then a list
    "author": 3,
    "author page 2": 3,
    # the stories with their authors and sections (and the region): each story's text and cover are columns
    "full-text feed": 1,
    "region full-text feed": 2,
}


@pytest.mark.parametrize("page", PAGES)
def test_rendered_page_runs_its_pinned_number_of_queries(measured, page):
    _, _, many = measured
    cold, warm, from_page_cache = many[page]

    assert warm == WARM_QUERIES[page], f"{page}: {warm} queries rendered (pinned {WARM_QUERIES[page]})"
    assert from_page_cache == 1
