"""View and share counters: POST endpoints counting each visitor once per 30 minutes."""

from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.utils import timezone

from articles.counters import page_token
from articles.models import Article, HourlyCount
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
KINDS = {"view": "views_count", "share": "shares_count"}


def post(client, article, kind, address="10.0.0.1", agent=FIREFOX, prefix=""):
    """Post as the article page's script does, with the token the page carries."""
    return client.post(
        f"{prefix}/news/{article.slug}/{kind}/",
        {"token": page_token(article.pk)},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=agent,
    )


def stored_count(article, kind):
    return Article.objects.values_list(KINDS[kind], flat=True).get(pk=article.pk)


@pytest.mark.parametrize("kind", KINDS)
def test_first_post_counts_and_answers_the_new_count(client, kind):
    article = ArticleFactory(published=True)
    Article.objects.filter(pk=article.pk).update(**{KINDS[kind]: 41})

    response = post(client, article, kind)

    assert response.status_code == 200
    assert response.json() == {"counted": True, "count": 42}
    assert stored_count(article, kind) == 42


@pytest.mark.parametrize("kind", KINDS)
def test_same_visitor_is_counted_once_per_half_hour(client, kind):
    article = ArticleFactory(published=True)

    first = post(client, article, kind)
    second = post(client, article, kind)
    third = post(client, article, kind)

    assert first.json() == {"counted": True, "count": 1}
    assert second.json() == {"counted": False, "count": 1}
    assert third.json() == {"counted": False, "count": 1}
    assert stored_count(article, kind) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_another_browser_at_the_same_address_is_counted(client, kind):
    article = ArticleFactory(published=True)

    post(client, article, kind, agent=FIREFOX)
    response = post(client, article, kind, agent=CHROME)

    assert response.json() == {"counted": True, "count": 2}
    assert stored_count(article, kind) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_another_address_with_the_same_browser_is_counted(client, kind):
    article = ArticleFactory(published=True)

    post(client, article, kind, address="10.0.0.1")
    post(client, article, kind, address="10.0.0.2")

    assert stored_count(article, kind) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_same_visitor_is_counted_again_after_thirty_minutes(client, kind):
    article = ArticleFactory(published=True)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        post(client, article, kind)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert post(client, article, kind).json() == {"counted": False, "count": 1}
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert post(client, article, kind).json() == {"counted": True, "count": 2}

    assert stored_count(article, kind) == 2


def test_a_view_and_a_share_are_counted_separately(client):
    article = ArticleFactory(published=True)

    post(client, article, "view")
    share = post(client, article, "share")

    assert share.json() == {"counted": True, "count": 1}
    assert stored_count(article, "view") == 1
    assert stored_count(article, "share") == 1


def test_counting_one_article_does_not_mark_another_as_counted(client):
    first, second = ArticleFactory(published=True), ArticleFactory(published=True)

    post(client, first, "view")

    assert post(client, second, "view").json() == {"counted": True, "count": 1}


def test_counter_works_under_the_kazakh_prefix(client):
    article = ArticleFactory(published=True, language="kk")

    assert post(client, article, "view", prefix="/kk").json() == {"counted": True, "count": 1}


@pytest.mark.parametrize("kind", KINDS)
def test_get_is_not_allowed(client, kind):
    article = ArticleFactory(published=True)

    response = client.get(f"/news/{article.slug}/{kind}/")

    assert response.status_code == 405
    assert stored_count(article, kind) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_article_is_not_found(client, kind):
    assert client.post(f"/news/no-such-article/{kind}/").status_code == 404


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("status", "offset"),
    [
        (Article.Status.DRAFT, -timedelta(days=1)),
        (Article.Status.REVIEW, -timedelta(days=1)),
        (Article.Status.ARCHIVED, -timedelta(days=1)),
        (Article.Status.PUBLISHED, timedelta(hours=1)),
    ],
    ids=["draft", "review", "archived", "scheduled"],
)
def test_unpublished_article_is_not_found_and_not_counted(client, kind, status, offset):
    article = ArticleFactory(status=status, publish_at=timezone.now() + offset)

    assert post(client, article, kind).status_code == 404
    assert stored_count(article, kind) == 0


def test_counter_answers_are_never_cached(client):
    article = ArticleFactory(published=True)

    response = post(client, article, "view")

    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_counter_needs_no_csrf_token_because_the_cached_page_carries_none(client):
    from django.test import Client

    strict_client = Client(enforce_csrf_checks=True)
    article = ArticleFactory(published=True)

    assert post(strict_client, article, "share").json() == {"counted": True, "count": 1}


def test_article_page_renders_both_counts_on_the_server(client):
    article = ArticleFactory(published=True)
    Article.objects.filter(pk=article.pk).update(views_count=1234, shares_count=7)

    content = client.get(article.get_absolute_url()).content.decode()

    assert "<span data-share-count>7</span>" in content
    assert "<span data-view-count>1234</span>" in content


def test_counted_view_shows_on_the_next_rendering_of_the_page(client):
    article = ArticleFactory(published=True)

    post(client, article, "view")
    post(client, article, "share")
    content = client.get(article.get_absolute_url()).content.decode()

    assert "<span data-view-count>1</span>" in content
    assert "<span data-share-count>1</span>" in content


def test_share_links_are_plain_links_with_the_encoded_absolute_article_url(client):
    article = ArticleFactory(published=True, title="Форум & встреча")
    encoded_url = quote(f"http://testserver/news/{article.slug}/", safe="")

    content = client.get(article.get_absolute_url()).content.decode()

    for start in (
        "https://t.me/share/url?url=",
        "https://wa.me/?text=",
        "https://vk.com/share.php?url=",
        "https://www.facebook.com/sharer/sharer.php?u=",
        "https://twitter.com/intent/tweet?url=",
    ):
        assert f'href="{start}' in content
    assert content.count(encoded_url) >= 5
    assert f"https://t.me/share/url?url={encoded_url}&amp;text=" in content
    assert f"https://www.facebook.com/sharer/sharer.php?u={encoded_url}" in content
    # The title's ampersand is encoded, not left to split the query string.
    assert "%26" in content.split("https://t.me/share/url?url=", 1)[1].split('"', 1)[0]


def test_share_links_use_the_configured_site_address(client, settings):
    settings.NEWSROOM_SITE_URL = "https://sko-news.kz"
    article = ArticleFactory(published=True)

    content = client.get(article.get_absolute_url()).content.decode()

    assert quote(f"https://sko-news.kz/news/{article.slug}/", safe="") in content
    assert "testserver" not in content


def test_article_page_works_without_javascript(client):
    """The share block is links and server-rendered numbers; the only script is deferred and optional."""
    article = ArticleFactory(published=True)

    content = client.get(article.get_absolute_url()).content.decode()
    share_block = content.split('<section class="share"', 1)[1].split("</section>", 1)[0]

    assert share_block.count("<a ") == 5
    assert "onclick" not in content
    assert "<script>" not in content
    assert 'data-copy-link="http://testserver/news/' in share_block
    # The copy button needs JavaScript, so it stays hidden until the script reveals it.
    assert 'data-copy-link="http://testserver/news/' + article.slug + '/" hidden>' in share_block


def counted_hours(article):
    return list(HourlyCount.objects.filter(article=article).order_by("hour").values_list("hour", "views", "shares"))


def test_counted_views_and_shares_are_added_to_the_hour_they_happen_in(client):
    article = ArticleFactory(published=True)
    start = timezone.now().replace(minute=50, second=0, microsecond=0)

    with time_machine.travel(start, tick=False):
        post(client, article, "view", address="10.0.0.1")
        post(client, article, "view", address="10.0.0.2")
        post(client, article, "share", address="10.0.0.1")
    with time_machine.travel(start + timedelta(minutes=15), tick=False):
        post(client, article, "view", address="10.0.0.3")

    hour = start.replace(minute=0)
    assert counted_hours(article) == [(hour, 2, 1), (hour + timedelta(hours=1), 1, 0)]
    assert stored_count(article, "view") == 3
    assert stored_count(article, "share") == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_refused_count_adds_nothing_to_the_hour(client, kind):
    article = ArticleFactory(published=True)

    post(client, article, kind)
    post(client, article, kind)  # the same visitor within half an hour
    post(client, article, kind, agent="curl/8.5.0")  # a bot

    assert [(views + shares) for _, views, shares in counted_hours(article)] == [1]


def test_counting_costs_the_same_three_statements_as_before_the_hourly_record(client, django_assert_num_queries):
    """The story, the visitor's mark, and the total with its hour in one statement."""
    article = ArticleFactory(published=True)

    with django_assert_num_queries(3):
        response = post(client, article, "view")

    assert response.json() == {"counted": True, "count": 1}
