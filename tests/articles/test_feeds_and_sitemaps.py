from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import feedparser
import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from regions.models import Region
from tests.factories import ArticleFactory, SectionFactory, UserFactory, jpeg_file

pytestmark = pytest.mark.django_db

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SITEMAP_NS, "news": NEWS_NS, "xhtml": "http://www.w3.org/1999/xhtml"}
SKO = "severo-kazakhstanskaya-oblast"


def read_feed(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    return feed


def read_sitemap(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    return root


def locations(root):
    return [loc.text for loc in root.findall("sm:url/sm:loc", NS)]


def url_element(root, location):
    [element] = [url for url in root.findall("sm:url", NS) if url.findtext("sm:loc", namespaces=NS) == location]
    return element


def titles(feed):
    return [entry.title for entry in feed.entries]


def test_feed_lists_published_russian_articles_newest_first(client):
    now = timezone.now()
    older = ArticleFactory(published=True, title="Вчерашняя новость", publish_at=now - timedelta(days=1))
    newer = ArticleFactory(published=True, title="Сегодняшняя новость", publish_at=now - timedelta(minutes=5))
    ArticleFactory(title="Черновик без публикации")
    ArticleFactory(status=Article.Status.REVIEW, title="Материал на модерации", publish_at=now - timedelta(hours=1))
    ArticleFactory(status=Article.Status.ARCHIVED, title="Снятый материал", publish_at=now - timedelta(hours=1))
    ArticleFactory(published=True, language="kk", title="Қазақша жаңалық")

    feed = read_feed(client, "/feed/")

    assert titles(feed) == [newer.title, older.title]
    assert feed.feed.language == "ru"
    assert feed.feed.link == "http://testserver/"


def test_feed_item_carries_link_lead_date_author_and_tags(client):
    article = ArticleFactory(
        published=True,
        title="Форум «Ауыл аманаты» & итоги года",
        lead="Как передаёт корреспондент, в Петропавловске прошёл форум.",
        byline="Айдос Серик",
        tags=["аманат", "село"],
    )

    entry = read_feed(client, "/feed/").entries[0]

    link = f"http://testserver/news/{article.slug}/"
    assert entry.title == article.title
    assert entry.link == link
    assert entry.id == link
    assert entry.summary == article.lead
    assert entry.author == "Айдос Серик"
    assert sorted(tag.term for tag in entry.tags) == ["аманат", "село"]
    assert datetime(*entry.published_parsed[:6], tzinfo=UTC) == article.publish_at.replace(microsecond=0)
    assert "enclosures" not in entry or entry.enclosures == []


def test_feed_item_offers_the_cover_photo_as_an_enclosure(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    article = ArticleFactory(
        published=True, cover=jpeg_file("forum.jpg", size=(320, 200)), cover_alt="Участники форума в зале"
    )

    entry = read_feed(client, "/feed/").entries[0]

    [enclosure] = entry.enclosures
    assert enclosure.href == f"http://testserver{article.cover_photo.file.url}"
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) == article.cover_photo.file.size > 0


def test_kazakh_feed_lists_kazakh_articles_under_the_kazakh_prefix(client):
    ArticleFactory(published=True, title="Русская новость")
    article = ArticleFactory(published=True, language="kk", title="Облыста форум өтті")

    feed = read_feed(client, "/kk/feed/")

    assert titles(feed) == [article.title]
    assert feed.feed.language == "kk"
    assert feed.entries[0].link == f"http://testserver/kk/news/{article.slug}/"


def test_region_feed_lists_only_that_regions_articles(client):
    local = ArticleFactory(published=True, in_north_kazakhstan=True, title="Новость Северо-Казахстанской области")
    ArticleFactory(published=True, region=Region.objects.get(slug="almaty"), title="Новость Алматы")
    ArticleFactory(published=True, title="Новость для всей страны")

    feed = read_feed(client, f"/regions/{SKO}/feed/")

    assert titles(feed) == [local.title]
    assert feed.feed.link == f"http://testserver/regions/{SKO}/"
    assert "Северо-Казахстанская" in feed.feed.title


def test_region_feed_of_an_unknown_region_is_not_found(client):
    assert client.get("/regions/atlantida/feed/").status_code == 404


def test_sitemap_lists_public_pages_and_published_articles_only(client):
    section = SectionFactory(name="Политика", slug="politika")
    article = ArticleFactory(published=True, section=section)
    kazakh = ArticleFactory(published=True, language="kk")
    draft = ArticleFactory(title="Черновик для карты сайта")
    archived = ArticleFactory(status=Article.Status.ARCHIVED, publish_at=timezone.now() - timedelta(days=2))

    root = read_sitemap(client, "/sitemap.xml")

    urls = locations(root)
    for expected in [
        "http://testserver/",
        "http://testserver/kk/",
        "http://testserver/news/",
        "http://testserver/sections/politika/",
        "http://testserver/kk/sections/politika/",
        f"http://testserver/regions/{SKO}/",
        f"http://testserver/kk/regions/{SKO}/",
        f"http://testserver/news/{article.slug}/",
        f"http://testserver/kk/news/{kazakh.slug}/",
    ]:
        assert expected in urls
    slugs = Region.objects.values_list("slug", flat=True)
    assert {f"http://testserver{prefix}/regions/{slug}/" for slug in slugs for prefix in ["", "/kk"]} <= set(urls)
    assert f"/news/{draft.slug}/" not in "".join(urls)
    assert f"/news/{archived.slug}/" not in "".join(urls)
    entry = url_element(root, f"http://testserver/news/{article.slug}/")
    lastmod = datetime.fromisoformat(entry.findtext("sm:lastmod", namespaces=NS))
    assert lastmod == article.updated_at.replace(microsecond=0)
    home = url_element(root, "http://testserver/")
    hreflangs = {link.get("hreflang"): link.get("href") for link in home.findall("xhtml:link", NS)}
    assert hreflangs == {"ru": "http://testserver/", "kk": "http://testserver/kk/", "x-default": "http://testserver/"}


def test_news_sitemap_lists_only_the_last_48_hours(client):
    now = timezone.now()
    fresh = ArticleFactory(published=True, title="Свежая новость & «итоги»", publish_at=now - timedelta(hours=47))
    kazakh = ArticleFactory(published=True, language="kk", publish_at=now - timedelta(hours=1))
    ArticleFactory(published=True, title="Старая новость", publish_at=now - timedelta(hours=49))
    ArticleFactory(title="Черновик", publish_at=now - timedelta(hours=1))

    root = read_sitemap(client, "/news-sitemap.xml")

    assert locations(root) == [
        f"http://testserver/kk/news/{kazakh.slug}/",
        f"http://testserver/news/{fresh.slug}/",
    ]
    news = root.findall("sm:url/news:news", NS)
    assert [item.findtext("news:publication/news:language", namespaces=NS) for item in news] == ["kk", "ru"]
    assert {item.findtext("news:publication/news:name", namespaces=NS) for item in news} == {"Newsroom"}
    assert news[1].findtext("news:title", namespaces=NS) == fresh.title
    published = datetime.fromisoformat(news[1].findtext("news:publication_date", namespaces=NS))
    assert published.tzinfo is not None
    assert published == fresh.publish_at.replace(microsecond=0)


def test_news_sitemap_may_be_empty(client):
    ArticleFactory(published=True, publish_at=timezone.now() - timedelta(days=3))

    root = read_sitemap(client, "/news-sitemap.xml")

    assert root.findall("sm:url", NS) == []


def test_robots_txt_names_both_sitemaps_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for path in ["/admin/", "/ckeditor/", "/preview/", "/search/"]:
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines


def test_links_follow_the_request_host_when_no_site_url_is_set(client, settings):
    settings.NEWSROOM_SITE_URL = ""
    article = ArticleFactory(published=True, in_north_kazakhstan=True)
    host = {"HTTP_HOST": "localhost", "secure": True}

    assert read_feed(client, "/feed/", **host).entries[0].link == f"https://localhost/news/{article.slug}/"
    assert f"https://localhost/news/{article.slug}/" in locations(read_sitemap(client, "/sitemap.xml", **host))
    assert "Sitemap: https://localhost/sitemap.xml" in client.get("/robots.txt", **host).content.decode()


def test_absolute_links_use_the_site_url_and_never_example_com(client, settings, tmp_path):
    settings.NEWSROOM_SITE_URL = "https://news.example.kz"
    settings.MEDIA_ROOT = tmp_path / "media"
    article = ArticleFactory(published=True, in_north_kazakhstan=True, cover=jpeg_file("cover.jpg", size=(64, 48)))
    site = "https://news.example.kz"

    feed = read_feed(client, "/feed/")
    assert feed.feed.link == f"{site}/"
    assert feed.entries[0].link == f"{site}/news/{article.slug}/"
    assert feed.entries[0].enclosures[0].href.startswith(f"{site}/media/photos/")
    region_feed = read_feed(client, f"/regions/{SKO}/feed/")
    assert region_feed.entries[0].link == f"{site}/news/{article.slug}/"
    sitemap = locations(read_sitemap(client, "/sitemap.xml"))
    assert f"{site}/" in sitemap
    assert f"{site}/news/{article.slug}/" in sitemap
    assert all(url.startswith(f"{site}/") for url in sitemap)
    assert locations(read_sitemap(client, "/news-sitemap.xml")) == [f"{site}/news/{article.slug}/"]
    robots = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {site}/sitemap.xml" in robots
    assert f"Sitemap: {site}/news-sitemap.xml" in robots

    for url in ["/feed/", f"/regions/{SKO}/feed/", "/kk/feed/", "/sitemap.xml", "/news-sitemap.xml", "/robots.txt"]:
        content = client.get(url).content.decode()
        assert "example.com" not in content
        assert "testserver" not in content


def test_scheduled_article_stays_out_of_feeds_and_sitemaps_until_its_time(client):
    at = timezone.now() + timedelta(hours=3)
    article = ArticleFactory(published=True, in_north_kazakhstan=True, title="Запланированный репортаж", publish_at=at)
    path = f"/news/{article.slug}/"

    with time_machine.travel(at - timedelta(minutes=1), tick=False):
        assert article.title not in titles(read_feed(client, "/feed/"))
        assert article.title not in titles(read_feed(client, f"/regions/{SKO}/feed/"))
        assert f"http://testserver{path}" not in locations(read_sitemap(client, "/sitemap.xml"))
        assert f"http://testserver{path}" not in locations(read_sitemap(client, "/news-sitemap.xml"))
    with time_machine.travel(at + timedelta(minutes=1), tick=False):
        assert article.title in titles(read_feed(client, "/feed/"))
        assert article.title in titles(read_feed(client, f"/regions/{SKO}/feed/"))
        assert f"http://testserver{path}" in locations(read_sitemap(client, "/sitemap.xml"))
        assert f"http://testserver{path}" in locations(read_sitemap(client, "/news-sitemap.xml"))


@pytest.fixture
def many_tagged_articles():
    author = UserFactory(username="korrespondent", is_staff=True)
    section = SectionFactory()
    return ArticleFactory.create_batch(
        45, published=True, in_north_kazakhstan=True, author=author, section=section, tags=["аманат", "село", "форум"]
    )


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        ("/feed/", 3),
        (f"/regions/{SKO}/feed/", 4),
        ("/sitemap.xml", 8),
        ("/news-sitemap.xml", 6),
    ],
)
def test_feeds_and_sitemaps_run_a_constant_number_of_queries(
    client, django_assert_max_num_queries, many_tagged_articles, url, budget
):
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200
    if "feed" in url:
        feed = feedparser.parse(response.content)
        assert len(feed.entries) == 30
        assert all(len(entry.tags) == 3 for entry in feed.entries)
    else:
        assert len(locations(ElementTree.fromstring(response.content))) >= 45
