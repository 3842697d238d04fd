"""View and share counts cannot be inflated by a script, another site's page, a bot or one address."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from articles import counters
from articles.counters import page_token
from articles.models import Article, CounterMark
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PROXY = "127.0.0.1"


def post(client, article, kind="view", *, token=None, address="10.0.0.1", agent=FIREFOX, **headers):
    data = {"token": page_token(article.pk) if token is None else token}
    return client.post(
        f"/news/{article.slug}/{kind}/", data, REMOTE_ADDR=address, HTTP_USER_AGENT=agent, headers=headers
    )


def views(article):
    return Article.objects.values_list("views_count", flat=True).get(pk=article.pk)


def token_on_page(content):
    return re.search(r'data-counter-token="([^"]+)"', content).group(1)


def test_a_post_without_the_pages_token_is_refused(client):
    article = ArticleFactory(published=True)

    response = client.post(f"/news/{article.slug}/view/", REMOTE_ADDR="10.0.0.1", HTTP_USER_AGENT=FIREFOX)

    assert response.status_code == 403
    assert views(article) == 0


def test_a_forged_token_is_refused(client):
    article = ArticleFactory(published=True)

    assert post(client, article, token=f"{article.pk}.999999999:forged").status_code == 403
    assert views(article) == 0


def test_the_token_of_another_story_is_refused(client):
    article, other = ArticleFactory(published=True), ArticleFactory(published=True)

    assert post(client, article, token=page_token(other.pk)).status_code == 403
    assert views(article) == 0


def test_the_token_on_the_cached_page_counts_and_is_the_same_for_every_reader(client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # both readers get a freshly rendered page
    article = ArticleFactory(published=True)
    start = timezone.now().replace(minute=10)

    with time_machine.travel(start, tick=False):
        first = token_on_page(client.get(article.get_absolute_url(), REMOTE_ADDR="10.0.0.1").content.decode())
        client.cookies["newsroom_city"] = "almaty/almaty"
        second = token_on_page(client.get(article.get_absolute_url(), REMOTE_ADDR="10.0.0.2").content.decode())
        response = post(client, article, token=first)

    assert first == second
    assert response.json() == {"counted": True, "count": 1}


def test_a_token_outlives_the_page_cache_but_not_much_longer(client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    article = ArticleFactory(published=True)
    rendered_at = timezone.now().replace(minute=59, second=50)
    token = page_token(article.pk, rendered_at)

    # Served from the page cache five minutes later, in the next hour, and posted then.
    with time_machine.travel(rendered_at + timedelta(seconds=300), tick=False):
        assert post(client, article, token=token, address="10.0.0.1").json()["counted"] is True
    with time_machine.travel(rendered_at + timedelta(hours=1), tick=False):
        assert post(client, article, token=token, address="10.0.0.2").json()["counted"] is True
    with time_machine.travel(rendered_at + timedelta(hours=3), tick=False):
        assert post(client, article, token=token, address="10.0.0.3").status_code == 403

    assert views(article) == 2


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://testserver", "Sec-Fetch-Site": "cross-site"},
    ],
    ids=["foreign-origin", "null-origin", "cross-site", "same-site", "cross-site-despite-origin"],
)
def test_a_post_from_another_sites_page_is_refused(client, headers):
    article = ArticleFactory(published=True)

    assert post(client, article, **headers).status_code == 403
    assert views(article) == 0


def test_a_post_from_the_sites_own_page_is_counted(client):
    article = ArticleFactory(published=True)

    response = post(client, article, Origin="http://testserver", **{"Sec-Fetch-Site": "same-origin"})

    assert response.json() == {"counted": True, "count": 1}


def test_one_visitor_is_counted_once_across_workers_and_servers(client, settings):
    article = ArticleFactory(published=True)

    assert post(client, article).json()["counted"] is True
    # Another worker: its own local-memory cache, empty.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "another-worker"}
    }
    cache.clear()

    assert post(client, article).json() == {"counted": False, "count": 1}
    assert views(article) == 1


def test_one_address_cannot_inflate_many_stories(client, settings):
    settings.NEWSROOM_COUNTS_PER_ADDRESS = 3
    articles = [ArticleFactory(published=True) for _ in range(5)]

    answers = [post(client, article, agent=f"{FIREFOX} #{number}").json() for number, article in enumerate(articles)]

    assert [answer["counted"] for answer in answers] == [True, True, True, False, False]
    assert post(client, articles[4], address="10.0.0.2").json()["counted"] is True


def test_the_address_limit_opens_again_after_half_an_hour(client, settings):
    settings.NEWSROOM_COUNTS_PER_ADDRESS = 1
    first, second = ArticleFactory(published=True), ArticleFactory(published=True)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        assert post(client, first).json()["counted"] is True
        assert post(client, second).json()["counted"] is False
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert post(client, second).json()["counted"] is True


def test_a_forged_forwarded_for_does_not_escape_the_address_limit(client, settings):
    settings.NEWSROOM_COUNTS_PER_ADDRESS = 2
    article = ArticleFactory(published=True)

    answers = [
        post(client, article, agent=f"{FIREFOX} #{n}", **{"X-Forwarded-For": f"198.51.100.{n}"}).json()["counted"]
        for n in range(4)
    ]

    assert answers == [True, True, False, False]


def test_readers_behind_a_trusted_proxy_are_limited_one_by_one(client, settings):
    settings.NEWSROOM_TRUSTED_PROXIES = [PROXY]
    settings.NEWSROOM_COUNTS_PER_ADDRESS = 1
    article = ArticleFactory(published=True)

    first = post(client, article, address=PROXY, **{"X-Forwarded-For": "198.51.100.1"}).json()
    second = post(client, article, address=PROXY, **{"X-Forwarded-For": "198.51.100.2"}).json()
    again = post(client, article, address=PROXY, agent="Other", **{"X-Forwarded-For": "198.51.100.1"}).json()

    assert [first["counted"], second["counted"], again["counted"]] == [True, True, False]


def test_addresses_of_one_ipv6_network_share_the_limit(client, settings):
    settings.NEWSROOM_COUNTS_PER_ADDRESS = 1
    article = ArticleFactory(published=True)

    assert post(client, article, address="2001:db8:1:2::1").json()["counted"] is True
    assert post(client, article, address="2001:db8:1:2:ffff::9").json()["counted"] is False
    assert post(client, article, address="2001:db8:1:3::1").json()["counted"] is True


@pytest.mark.parametrize(
    "agent",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "TelegramBot (like TwitterBot)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "WhatsApp/2.23.20.0",
        "Mozilla/5.0 (compatible; Yahoo! Slurp)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0 Safari/537.36",
        "python-requests/2.32.3",
        "curl/8.5.0",
        "Wget/1.21.4",
        "Go-http-client/2.0",
        "Mozilla/5.0 (compatible; SemrushBot-SA/0.97; +http://www.semrush.com/bot.html) crawler spider",
    ],
)
def test_known_bots_are_not_counted(client, agent):
    article = ArticleFactory(published=True)

    response = post(client, article, agent=agent)

    assert response.json() == {"counted": False, "count": 0}
    assert views(article) == 0


def test_counting_many_visitors_never_evicts_a_cached_page(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "small",
            "OPTIONS": {"MAX_ENTRIES": 20},
        }
    }
    cache.clear()
    article = ArticleFactory(published=True)
    assert client.get("/news/")["X-Page-Cache"] == "miss"

    for number in range(60):
        assert post(client, article, address=f"10.1.0.{number}").json()["counted"] is True

    assert client.get("/news/")["X-Page-Cache"] == "hit"


def test_expired_marks_are_deleted_while_counting(client, monkeypatch):
    monkeypatch.setattr(counters, "PRUNE_EVERY", 1)
    article = ArticleFactory(published=True)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for number in range(3):
            post(client, article, address=f"10.2.0.{number}")
    assert CounterMark.objects.count() == 3

    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        post(client, article, address="10.2.0.9")

    assert CounterMark.objects.count() == 1
