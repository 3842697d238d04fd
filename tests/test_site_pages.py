"""What every public page shares: valid HTML5, the security headers, one h1, the language it declares."""

from urllib.parse import urlencode

import html5lib
import pytest
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.urls import reverse

from articles.models import Correction, Section
from regions.models import City, Region
from tests.factories import ArticleFactory, jpeg_file
from tests.pages import get_page, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_content(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    north = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    section = Section.objects.create(name="Экономика", slug="ekonomika")
    city = City.objects.get(region=north, slug="petropavlovsk")
    article = ArticleFactory(
        published=True,
        title="Форум «Аманат» & встреча",
        lead="Лид с <угловыми> скобками & амперсандом.",
        region=north,
        section=section,
        tags=["аманат", "село"],
        is_featured=True,
        cover_image=jpeg_file(),
        cover_alt="Зал форума",
    )
    article.cities.add(city)
    for _ in range(3):
        other = ArticleFactory(published=True, region=north, section=section, tags=["аманат"])
        other.cities.add(city)
    ArticleFactory(published=True, language="kk", title="Петропавлдағы форум", region=north, translation_of=article)
    Correction.objects.create(article=article, text="Уточнено число участников <форума> & дата.\nВторая строка.")
    return article


def site_pages(article):
    return [
        "/",
        "/news/",
        article.get_absolute_url(),
        "/search/?" + urlencode({"q": "форум"}),
        "/search/?q=",
        "/search/?" + urlencode({"q": "ничего", "region": "almaty"}),
        "/regions/",
        "/regions/severo-kazakhstanskaya-oblast/",
        "/regions/severo-kazakhstanskaya-oblast/petropavlovsk/",
        "/sections/ekonomika/",
        reverse("articles:tag", args=["аманат"]),
        "/kk/",
        "/kk/news/",
        "/corrections/",
        "/kk/corrections/",
        "/kk/search/?" + urlencode({"q": "форум"}),
    ]


def test_every_public_page_is_valid_html5(client, site_content):
    for url in site_pages(site_content):
        content = get_page(client, url)
        try:
            html5lib.HTMLParser(strict=True).parse(content)
        except html5lib.html5parser.ParseError as error:
            pytest.fail(f"{url}: {error}")


def test_every_public_page_carries_the_security_headers(client, site_content):
    for url in site_pages(site_content):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "default-src 'self'" in response["Content-Security-Policy"], url
        assert "unsafe-inline" not in response["Content-Security-Policy"], url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        assert response["X-Frame-Options"] == "DENY", url


def test_every_public_page_has_one_h1(client, site_content):
    for url in site_pages(site_content):
        tree = parse(get_page(client, url))
        assert len(list(tree.iter("h1"))) == 1, url


def test_russian_pages_declare_russian_and_kazakh_pages_kazakh(client, site_content):
    for url in site_pages(site_content):
        language = "kk" if url.startswith("/kk/") else "ru"
        assert f'<html lang="{language}">' in get_page(client, url), url


def test_the_path_alone_chooses_the_language(client):
    """Kazakh under /kk/, Russian everywhere else, whatever the reader's language cookie or browser says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    kazakh_reader = {"accept-language": "kk,ru;q=0.5"}
    russian = client.get("/", headers=kazakh_reader)
    assert russian["Content-Language"] == "ru" and '<html lang="ru">' in russian.content.decode()
    assert "Accept-Language" not in russian.get("Vary", "")
    assert client.get("/kk/", headers=kazakh_reader)["Content-Language"] == "kk"
    assert client.get("/admin/login/", headers=kazakh_reader)["Content-Language"] == "ru"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert client.get("/kk/", headers={"accept-language": "ru"})["Content-Language"] == "kk"


def test_the_urls_prefix_every_language_but_the_default():
    """What newsroom.middleware.PathLanguageMiddleware relies on: i18n_patterns(prefix_default_language=False)."""
    assert is_language_prefix_patterns_used(settings.ROOT_URLCONF) == (True, False)


def test_only_the_exact_prefix_makes_a_kazakh_page(client):
    assert client.get("/kk")["Content-Language"] == "kk"  # redirected to /kk/
    for url in ["/KK/", "/kk-kz/", "/ru/"]:
        response = client.get(url)
        assert response.status_code == 404 and response["Content-Language"] == "ru", url
