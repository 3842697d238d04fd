"""The anonymous page cache cannot be poisoned or flooded through headers, cookies or query strings."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from parties.models import PartyProject
from regions.models import City, Region
from tests.factories import ArticleFactory, SectionFactory
from tests.parties.factories import PartyProjectFactory

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
NORTH = "severo-kazakhstanskaya-oblast"
PETROPAVL = f"{NORTH}/petropavlovsk"


@pytest.fixture
def story(db):
    article = ArticleFactory(
        published=True,
        title="Форум первичных организаций",
        region=Region.objects.get(slug=NORTH),
        section=SectionFactory(slug="obshchestvo", name="Общество"),
        tags=["форум"],
    )
    article.cities.add(City.objects.get(region__slug=NORTH, slug="petropavlovsk"))
    project = PartyProjectFactory(slug="zhasyl-el")
    project.articles.add(article)
    return article


@pytest.fixture
def behind_proxy(settings):
    settings.NEWSROOM_TRUSTED_PROXIES = [PROXY]


def get(client, url, **extra):
    """GET with a Host header, as a browser (or nginx) sends it: without it, Django adds the port to links."""
    return client.get(url, **{"HTTP_HOST": "testserver", **extra})


# The scheme


def test_https_and_http_readers_behind_the_proxy_get_their_own_entries(client, behind_proxy, story):
    url = story.get_absolute_url()
    secure = get(client, url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    plain = get(client, url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="http")

    assert f'<link rel="canonical" href="https://testserver{url}">' in secure.content.decode()
    assert plain["X-Page-Cache"] == "miss"
    assert f'<link rel="canonical" href="http://testserver{url}">' in plain.content.decode()
    assert "https://testserver" not in plain.content.decode()


def test_a_forged_forwarded_proto_neither_creates_nor_gets_an_https_entry(client, behind_proxy, story):
    url = story.get_absolute_url()
    forged = get(client, url, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    secure = get(client, url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    forged_again = get(client, url, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")

    assert "https://testserver" not in forged.content.decode()
    assert secure["X-Page-Cache"] == "miss"
    assert f'<link rel="canonical" href="https://testserver{url}">' in secure.content.decode()
    assert forged_again["X-Page-Cache"] == "hit"
    assert "https://testserver" not in forged_again.content.decode()


def test_an_http_reader_never_gets_the_https_entry_of_the_feed(client, behind_proxy, story):
    get(client, "/feed/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")

    plain = get(client, "/feed/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")

    assert plain["X-Page-Cache"] == "miss"
    assert "https://testserver" not in plain.content.decode()


# The host


def test_an_unknown_host_gets_400_and_stores_nothing(client, story):
    cache.clear()

    response = get(client, "/news/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert not response.has_header("X-Page-Cache")
    assert not cache._cache  # LocMemCache's store: not even the navigation was read
    assert get(client, "/news/")["X-Page-Cache"] == "miss"


# The city cookie


@pytest.mark.parametrize(
    "cookie",
    ["nowhere/at-all", "<script>alert(1)</script>", "almaty", "x" * 3000, PETROPAVL],
    ids=["unknown-city", "markup", "region-only", "long", "the-default-city"],
)
def test_a_city_cookie_that_names_no_other_city_shares_the_default_entry(client, story, cookie):
    assert get(client, "/news/")["X-Page-Cache"] == "miss"
    client.cookies["newsroom_city"] = cookie

    response = get(client, "/news/")

    assert response["X-Page-Cache"] == "hit"
    assert f'<a href="/regions/{PETROPAVL}/">Петропавловск</a>' in response.content.decode()


def test_a_known_city_keeps_its_own_entry(client, story):
    get(client, "/")
    client.cookies["newsroom_city"] = "almaty/almaty"

    response = get(client, "/")

    assert response["X-Page-Cache"] == "miss"
    assert "Алматы" in response.content.decode().split("</header>")[0]


# Query strings


@pytest.mark.parametrize("query", ["utm_source=x", "cachebust=123", "fbclid=abc&utm_medium=social", "q=форум"])
def test_parameters_a_page_does_not_read_share_the_bare_pages_entry(client, story, query):
    assert get(client, "/news/")["X-Page-Cache"] == "miss"

    response = get(client, f"/news/?{query}")

    assert response["X-Page-Cache"] == "hit"


def test_a_stranger_s_parameters_never_reach_the_links_of_a_cached_page(client, story):
    first = get(client, "/news/?utm_source=poison&page=1")
    bare = get(client, "/news/?page=1")

    assert bare["X-Page-Cache"] == "hit"
    assert "poison" not in first.content.decode()
    assert "poison" not in bare.content.decode()


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("/search/?q=%20%20форум%20%20", "/search/?q=форум"),
        ("/search/?utm_source=x&q=форум&region=nowhere", "/search/?q=форум"),
        ("/search/?q=форум&from=2024-02-30", "/search/?q=форум"),
        ("/search/?section=obshchestvo&q=форум", "/search/?q=форум&section=obshchestvo"),
        ("/search/?q=форум&from=2024-1-5", "/search/?q=форум&from=2024-01-05"),
        ("/news/?page=02", "/news/?page=2"),
        ("/news/?page=1e9", "/news/?page=-1"),
        ("/news/?page=99999999999999999999999", "/news/?page=last"),
    ],
)
def test_spellings_of_the_same_request_share_one_entry(client, story, spelling, canonical):
    get(client, canonical)

    assert get(client, spelling)["X-Page-Cache"] == "hit"


def paged(story):
    """Every kind of paginated page, with the story on its first page."""
    project = PartyProject.objects.get(slug="zhasyl-el")
    return [
        "/news/",
        f"/sections/{story.section.slug}/",
        "/tags/форум/",
        f"/regions/{NORTH}/",
        f"/regions/{PETROPAVL}/",
        project.get_absolute_url(),
        "/search/?q=форум",
        "/kk/search/?q=форум",
    ]


@pytest.mark.parametrize("index", range(8))
def test_the_page_parameter_stays_in_the_key_of_every_paginated_page(client, story, index):
    url = paged(story)[index]
    joiner = "&" if "?" in url else "?"

    assert get(client, url).status_code == 200
    assert get(client, f"{url}{joiner}page=2").status_code == 404


def test_sitemap_pages_stay_in_the_key(client, story):
    assert get(client, "/sitemap.xml").status_code == 200
    assert get(client, "/sitemap.xml?p=2").status_code == 404


@pytest.mark.parametrize(
    "narrower",
    [
        {"q": "выборы"},
        {"region": "almaty"},
        {"section": "ekonomika"},
        {"from": (timezone.localdate() + timedelta(days=1)).isoformat()},
        {"to": (timezone.localdate() - timedelta(days=30)).isoformat()},
    ],
    ids=["q", "region", "section", "from", "to"],
)
def test_every_search_filter_stays_in_the_key(client, story, narrower):
    SectionFactory(slug="ekonomika", name="Экономика")
    everything = get(client, "/search/", data={"q": "форум"})
    assert story.title in everything.content.decode()

    narrowed = get(client, "/search/", data={"q": "форум", **narrower})

    assert narrowed["X-Page-Cache"] == "miss"
    assert story.title not in narrowed.content.decode()


def test_the_last_of_repeated_parameters_is_the_one_keyed_as_the_view_reads_it(client, story):
    get(client, "/news/?page=2")

    assert get(client, "/news/?page=2&page=1").status_code == 200
    assert get(client, "/news/?page=1&page=2")["X-Page-Cache"] == "hit"


def test_a_cache_hit_with_parameters_and_a_city_reads_only_the_content_generation(
    client, story, django_assert_num_queries
):
    url = f"/search/?q=форум&region={NORTH}&section=obshchestvo&utm_source=x"
    client.cookies["newsroom_city"] = "almaty/almaty"
    get(client, url)

    with django_assert_num_queries(1):
        assert get(client, url)["X-Page-Cache"] == "hit"
