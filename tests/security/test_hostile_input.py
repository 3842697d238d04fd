"""No public URL answers 500, whatever a stranger puts in its path, query string or cookie."""

from urllib.parse import quote, quote_from_bytes

import pytest
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from regions.models import City, Region
from tests.factories import ArticleFactory, SectionFactory
from tests.parties.factories import PartyFactory, PartyProjectFactory

pytestmark = pytest.mark.django_db

NORTH = "severo-kazakhstanskaya-oblast"
SLUGS = {
    "article": "forum-v-petropavlovske",
    "section": "obshchestvo",
    "tag": "форум",
    "region": NORTH,
    "city": "petropavlovsk",
    "party": "amanat",
    "project": "zhasyl-el",
    "token": "not-a-token",
}
# Every public page; the arguments in braces are drawn, a real slug or a hostile one. Each exists under /kk/ too.
PUBLIC_URLS = [
    "/",
    "/news/",
    "/news/{article}/",
    "/sections/{section}/",
    "/tags/{tag}/",
    "/search/",
    "/regions/",
    "/regions/{region}/",
    "/regions/{region}/{city}/",
    "/regions/{region}/feed/",
    "/regions/{region}/feed/full/",
    "/regions/choose-city/",
    "/parties/",
    "/parties/{party}/",
    "/parties/{party}/projects/{project}/",
    "/preview/{token}/",
    "/feed/",
    "/feed/full/",
]
UNPREFIXED_URLS = ["/sitemap.xml", "/news-sitemap.xml", "/robots.txt"]
PARAMETERS = ["page", "p", "q", "region", "section", "from", "to", "city", "next", "token", "utm_source"]
TSQUERY_PUNCTUATION = "!&|()<->:*'\"\\ "

# Values as they travel in a URL, percent-encoded: any Unicode text that UTF-8 can carry (lone surrogates
# cannot be encoded; their bytes come with the raw bytes), any bytes (NUL, %ff, overlong %c0%af, a
# surrogate's %ed%a0%80), integers past any integer type, search-syntax punctuation, and known troublemakers.
unicode_text = st.text(st.characters(codec="utf-8"), max_size=60).map(lambda text: quote(text, safe=""))
raw_bytes = st.binary(max_size=24).map(lambda data: quote_from_bytes(data, safe=""))
huge_integers = st.integers(min_value=-(10**40), max_value=10**40).map(str)
search_syntax = st.text(st.sampled_from(TSQUERY_PUNCTUATION + "аб1x"), max_size=400).map(lambda s: quote(s, safe=""))
troublemakers = st.sampled_from(
    [
        "%00",
        "a%00b",
        "99999999999999999999999",
        "-1",
        "1e9",
        "last",
        "%ff",
        "%c0%af",
        "%ed%a0%80",
        "%E2%80%8F%D8%A7",
        "(" * 500 + "a" + ")" * 500,
        "!!!!",
        "%3C-%3E" * 300,
        "a%20" * 3000,
        "9" * 5000,
        "2024-02-30",
        "0000-00-00",
        "99999-01-01",
        "%F0%9F%98%80",
    ]
)
hostile = st.one_of(troublemakers, unicode_text, raw_bytes, huge_integers, search_syntax)
query_strings = st.lists(st.tuples(st.sampled_from(PARAMETERS), hostile), max_size=5).map(
    lambda pairs: "&".join(f"{name}={value}" for name, value in pairs)
)
cookies = st.one_of(st.none(), st.text(st.characters(min_codepoint=1, max_codepoint=255), max_size=80))
BOUNDED = settings(
    max_examples=12,  # ~0.3 s a request in tests: 23 pages × 12 inputs keep the module near a minute
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def site(db):
    region = Region.objects.get(slug=NORTH)
    article = ArticleFactory(
        published=True,
        slug=SLUGS["article"],
        title="Форум в Петропавловске",
        region=region,
        section=SectionFactory(slug=SLUGS["section"], name="Общество"),
        tags=[SLUGS["tag"]],
    )
    article.cities.add(City.objects.get(region=region, slug=SLUGS["city"]))
    project = PartyProjectFactory(party=PartyFactory(amanat=True), slug=SLUGS["project"])
    project.articles.add(article)
    return article


def request(url, query="", cookie=None, page_cache=True, method="get"):
    """Answer one request in a savepoint that is then rolled back, raising whatever the view raised."""
    client = Client()  # raise_request_exception: a 500 shows as the traceback of what broke
    extra = {} if cookie is None else {"HTTP_COOKIE": f"newsroom_city={cookie}"}
    with override_settings(NEWSROOM_PAGE_CACHE_SECONDS=300 if page_cache else 0), transaction.atomic():
        response = getattr(client, method)(f"{url}?{query}" if query else url, **extra)
        transaction.set_rollback(True)
    assert response.status_code < 500, (url, query, cookie, response.status_code)
    return response


def segments(pattern):
    """For each slug in `pattern`: the real one, or a hostile one."""
    names = [name for name in SLUGS if "{" + name + "}" in pattern]
    return st.fixed_dictionaries({name: st.one_of(st.just(quote(SLUGS[name])), hostile) for name in names})


@pytest.mark.parametrize("pattern", PUBLIC_URLS + UNPREFIXED_URLS)
def test_no_public_page_answers_500_to_hostile_input(site, pattern):
    @BOUNDED
    @given(
        slugs=segments(pattern),
        query=query_strings,
        cookie=cookies,
        kazakh=st.booleans() if pattern in PUBLIC_URLS else st.just(False),
        page_cache=st.booleans(),
    )
    @example(slugs={}, query="page=99999999999999999999999&q=форум", cookie=None, kazakh=False, page_cache=False)
    @example(slugs={}, query="q=%00&region=%00&from=%00&page=%00", cookie="%00", kazakh=True, page_cache=False)
    @example(slugs={}, query="city=%00&next=home", cookie=None, kazakh=False, page_cache=True)
    def check(slugs, query, cookie, kazakh, page_cache):
        url = ("/kk" if kazakh else "") + pattern.format(**dict.fromkeys(SLUGS, "") | slugs)
        request(url, query, cookie, page_cache)

    check()


@pytest.mark.parametrize("kind", ["view", "share"])
def test_the_counters_answer_no_500_to_hostile_input(site, kind):
    @BOUNDED
    @given(slug=st.one_of(st.just(SLUGS["article"]), hostile), token=hostile)
    def check(slug, token):
        request(f"/news/{slug}/{kind}/", f"token={token}", method="post")

    check()


# The causes the property test found, each pinned by name.


@pytest.mark.parametrize("prefix", ["", "/kk"])
@pytest.mark.parametrize("slug", ["%00", "a%00b", "форум%00", "%ff%fe"])
def test_a_tag_with_a_nul_byte_or_odd_bytes_is_not_found(site, prefix, slug):
    assert request(f"{prefix}/tags/{slug}/").status_code == 404


def test_a_cyrillic_tag_is_still_found(site):
    assert request(f"/tags/{quote(SLUGS['tag'])}/").status_code == 200


@pytest.mark.parametrize("page_cache", [True, False], ids=["cached", "uncached"])
@pytest.mark.parametrize("page", ["99999999999999999999999", "9223372036854775807", "101", "-1", "1e9", "last"])
def test_a_search_page_past_any_integer_is_not_found(site, page_cache, page):
    response = request("/search/", f"q=%D1%84%D0%BE%D1%80%D1%83%D0%BC&page={page}", page_cache=page_cache)

    assert response.status_code == 404


@pytest.mark.parametrize("target", ["home", "a%00b", "admin:index", "%ff", "//evil.example/", "https://evil.example/"])
def test_choosing_a_city_with_an_odd_next_goes_home(site, target):
    response = request("/regions/choose-city/", f"city=almaty/almaty&next={target}")

    assert response.status_code == 302
    assert response["Location"] == "/"
