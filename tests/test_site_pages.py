"""What every public page shares: valid HTML5, the security headers, one h1, the language it declares."""

from datetime import timedelta
from urllib.parse import urlencode

import html5lib
import pytest
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import preview
from articles.models import BreakingBanner, Correction, GalleryItem, Photo, Section
from newsroom import pagination
from regions.models import City, Region
from tests import nu_checker
from tests.factories import ArticleFactory, PhotoFactory, jpeg_file
from tests.pages import get_page, parse
from tests.parties.factories import PartyFactory, PartyProjectFactory, PrimaryOrganisationFactory

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
        cover=jpeg_file(),
        cover_alt="Зал форума",
    )
    article.cities.add(city)
    for _ in range(3):
        other = ArticleFactory(published=True, region=north, section=section, tags=["аманат"])
        other.cities.add(city)
    ArticleFactory(published=True, language="kk", title="Петропавлдағы форум", region=north, translation_of=article)
    Correction.objects.create(article=article, text="Уточнено число участников <форума> & дата.\nВторая строка.")
    for number, (alt_text, credit) in enumerate([("Зал «форума» & сцена", "Айдос Серик"), ("", "")]):
        photo = Photo.objects.create(file=jpeg_file(name=f"gallery-{number}.jpg"), alt_text=alt_text, credit=credit)
        GalleryItem.objects.create(article=article, photo=photo, position=number, caption="Подпись <к фото> & др.")
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


RICH_BODY = """
<h2>Итоги года</h2>
<p>Текст со <strong>словом</strong>, <em>курсивом</em>, <u>подчёркиванием</u>, <s>зачёркнутым</s>, H<sub>2</sub>O,
м<sup>2</sup> и <a href="https://example.kz/otchet" title="Отчёт">ссылкой</a>.<br>Вторая строка.</p>
<h3>Подробности</h3><h4>Цифры</h4>
<ul><li>244 первичные организации</li><li>28,5 тысячи членов</li></ul>
<ol start="3"><li>третий пункт</li><li>четвёртый</li></ol>
<blockquote><p>«Ауыл аманаты» — проект о селе.</p></blockquote>
<hr>
<figure><img src="/static/img/logo.png" alt="Логотип" width="120" height="40"><figcaption>Подпись</figcaption></figure>
<table><caption>Обращения</caption><thead><tr><th scope="col">Район</th><th scope="col">Число</th></tr></thead>
<tbody><tr><td>Кызылжарский</td><td>1243</td></tr><tr><td colspan="2">Итого</td></tr></tbody>
<tfoot><tr><th scope="row">Всего</th><td>1243</td></tr></tfoot></table>
"""

# What a paste from a word processor brings, which the sanitiser must turn into valid HTML.
PASTED_BODY = """
<p><a name="_GoBack"></a>Справки по <a href="tel:+7 (7152) 46-12-00">телефону</a>.</p>
<p><img src="/static/img/logo.png" alt="Логотип" width="100%" height="auto"></p>
<ol start="один"><li>пункт</li></ol>
<table><tr><th scope="left" colspan="0">Район</th><td rowspan="x">12</td></tr></table>
"""

# A link of each allow-listed provider alone in its paragraph: each becomes an embed's placeholder (articles/embeds.py).
EMBEDS_BODY = """
<p>https://youtu.be/dQw4w9WgXcQ?si=abc</p>
<p><a href="https://t.me/sko_news/4521">Пост канала «СКО»</a></p>
<p>https://www.instagram.com/reel/C9xYz_1AbCd/</p>
<p>https://vk.com/video-22822305_456242110</p>
<p>https://www.tiktok.com/@akimat.sko/video/7301234567890123456</p>
"""


@pytest.fixture
def every_page_kind(client, site_content, journalist, monkeypatch):
    """Each kind of public page, in both languages, by name: what the Nu HTML Checker is run on.

    A new kind of page is one more line here (and its content in `site_content` or below).
    """
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)  # every list has a second page, and its links
    north = site_content.region
    party = PartyFactory(amanat=True, description="Крупнейшая партия страны.")
    PrimaryOrganisationFactory(party=party, region=north, members_count=28_000, name="ППО № 1")
    project = PartyProjectFactory(party=party, name="«Ауыл аманаты»", name_kk="«Ауыл аманаты»", slug="auyl-amanaty")
    rich = ArticleFactory(published=True, title="Итоги года в цифрах", body=RICH_BODY + PASTED_BODY, region=north)
    rich.party_projects.add(project)
    rich.title += " (уточнено)"
    rich.save()  # a correction: its time is shown too
    BreakingBanner.objects.create(
        text="Штормовое предупреждение", link=rich.get_absolute_url(), ends_at=timezone.now() + timedelta(hours=2)
    )
    draft = ArticleFactory(
        author=journalist,
        title="Черновик о посевной",
        body=RICH_BODY + EMBEDS_BODY,
        cover=jpeg_file(),
        cover_alt="Поле",
    )
    embedded = ArticleFactory(published=True, title="Форум: видео и посты", body=EMBEDS_BODY, region=north)
    in_text = PhotoFactory(file=jpeg_file("quay.jpg", size=(1600, 1000)))  # shown as a <picture> in the text
    pictured = ArticleFactory(
        published=True,
        title="Паводок в фотографиях",
        body=f'<p>Набережная утром.</p><figure><img src="/media/{in_text.file.name}" alt="Набережная Ишима">'
        "<figcaption>Вода у набережной</figcaption></figure>",
        region=north,
    )
    embedded_kk = ArticleFactory(published=True, language="kk", title="Форум: бейне", body=EMBEDS_BODY)
    urls = [
        *site_pages(site_content),
        "/news/?page=2",
        rich.get_absolute_url(),
        embedded.get_absolute_url(),
        embedded_kk.get_absolute_url(),
        pictured.get_absolute_url(),
        site_content.translations.get().get_absolute_url(),
        "/kk/regions/",
        "/kk/regions/severo-kazakhstanskaya-oblast/",
        "/kk/regions/severo-kazakhstanskaya-oblast/petropavlovsk/",
        "/kk/sections/ekonomika/",
        "/kk" + reverse("articles:tag", args=["аманат"]),
        "/parties/",
        "/parties/amanat/",
        project.get_absolute_url(),
        "/kk/parties/",
        "/kk/parties/amanat/",
        "/kk" + project.get_absolute_url(),
        preview.share_url(draft),
    ]
    pages = {url: get_page(client, url) for url in urls}
    for url in ["/news/no-such-story/", "/kk/news/no-such-story/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        pages[url] = response.content.decode()
    response = client.get(reverse("articles:preview", args=[signing.dumps({"article": draft.pk}, salt=preview.SALT)]))
    assert response.status_code == 410
    pages["a preview link that has ended"] = response.content.decode()
    editor = Client()
    editor.force_login(journalist)
    pages["the staff preview of a draft"] = get_page(editor, reverse("admin:articles_article_preview", args=[draft.pk]))
    return pages


@pytest.mark.skipif(bool(nu_checker.MISSING), reason=nu_checker.MISSING or "-")
def test_every_public_page_passes_the_nu_html_checker(every_page_kind):
    control = every_page_kind["/"].replace('datetime="', 'datetime="2026-03-01T09:05:06.789123+05:00" data-was="', 1)
    found = nu_checker.errors({**every_page_kind, "control": control})
    assert any("fraction of a second" in line for line in found.pop("control"))  # the checker did read the pages
    assert {url: lines for url, lines in found.items() if lines} == {}
