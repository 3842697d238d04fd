"""The full-text feeds for news aggregators (Yandex, Dzen): /feed/full/ and /regions/<slug>/feed/full/.

Read with a real XML parser (lxml) and validated against tests/articles/aggregator_feed.rng, a RELAX NG
schema written from the aggregators' published format descriptions (they publish no schema file).
"""

from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import html5lib
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone
from lxml import etree

from articles.models import Article
from articles.sanitize import plain_text, sanitize_for_aggregators
from newsroom import edge
from regions.models import Region
from tests.factories import ArticleFactory, SectionFactory, jpeg_file

pytestmark = pytest.mark.django_db

SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).with_name("aggregator_feed.rng"))))
YANDEX = "http://news.yandex.ru"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
MEDIA = "http://search.yahoo.com/mrss/"
NS = {"yandex": YANDEX, "content": CONTENT, "media": MEDIA}
SKO = "severo-kazakhstanskaya-oblast"
# What content:encoded may hold: the aggregators' common ground.
ALLOWED_TAGS = {"p", "a", "b", "i", "ul", "ol", "li", "blockquote", "figure", "img", "figcaption", "h2", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}

BODY = (
    "<h2>Итоги года</h2>"
    "<p>В форуме участвовали <strong>около 100</strong> человек, <em>244</em> первичные организации.</p>"
    '<p>Подробнее <a href="/news/drugoy-material/">в другом материале</a> и '
    '<a href="https://amanat.kz/proekty/">на сайте партии</a>.</p>'
    '<figure><img src="/media/uploads/2026/12/zal.jpg" alt="Зал форума" width="800" height="500">'
    "<figcaption>Зал форума</figcaption></figure>"
    "<ul><li>17 мобильных приёмных</li><li>99 постов партийного контроля</li></ul>"
    "<table><tr><td>Обращения</td><td>1243</td></tr></table>"
    "<blockquote><p>«Работа продолжается», — сказал председатель.</p></blockquote>"
    "<p>Строка<br>с переносом, <u>подчёркнутое</u> и H<sub>2</sub>O.</p><hr>"
)


def fetch(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/rss+xml")
    return response


def read(client, url, **extra):
    """The feed's root element, parsed and valid by the schema."""
    root = etree.fromstring(fetch(client, url, **extra).content)
    SCHEMA.assertValid(root)
    return root


def items(root):
    return root.findall("channel/item")


def titles(root):
    return [item.findtext("title") for item in items(root)]


def html_elements(fragment):
    return list(html5lib.parseFragment(fragment, treebuilder="etree", namespaceHTMLElements=False).iter())[1:]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def story(media):
    article = ArticleFactory(
        published=True,
        in_north_kazakhstan=True,
        title="Форум первичных организаций «Аманат» в Петропавловске",
        lead="Как передаёт корреспондент, в Петропавловске прошёл региональный форум.",
        body=BODY,
        byline="Айдос Серик",
        section=SectionFactory(name="Политика", name_kk="Саясат", slug="politika"),
        cover=jpeg_file("forum.jpg", size=(1600, 1000)),
        cover_alt="Участники форума в зале",
        cover_caption="Участники форума",
        cover_credit="Фото: Айдос Серик",
    )
    return article


def test_full_feed_is_valid_by_the_schema_and_declares_the_aggregators_namespaces(client, story):
    root = read(client, "/feed/full/")

    assert root.tag == "rss" and root.get("version") == "2.0"
    assert {prefix: root.nsmap.get(prefix) for prefix in NS} == NS
    assert root.findtext("channel/link") == "http://testserver/"
    assert root.findtext("channel/language") == "ru"
    assert "полным текстом" in root.findtext("channel/title")
    assert titles(root) == [story.title]


def test_feed_readers_read_the_full_text_feed_too(client, story):
    feed = feedparser.parse(fetch(client, "/feed/full/").content)

    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    [entry] = feed.entries
    assert entry.summary == story.lead
    assert "<h2>Итоги года</h2>" in entry.content[0].value
    assert entry.enclosures[0].type == "image/jpeg"


def test_schema_refuses_a_feed_that_lacks_what_aggregators_require(client, story):
    """The schema is a check that can fail: without the full text, or with a relative link, the feed is invalid."""
    root = etree.fromstring(fetch(client, "/feed/full/").content)
    assert SCHEMA.validate(root)

    [item] = items(root)
    full_text = item.find("yandex:full-text", NS)
    item.remove(full_text)
    assert not SCHEMA.validate(root)
    item.append(full_text)
    item.find("link").text = f"/news/{story.slug}/"
    assert not SCHEMA.validate(root)
    item.find("link").text = f"http://testserver/news/{story.slug}/"
    item.find("pubDate").text = story.publish_at.isoformat()
    assert not SCHEMA.validate(root)


def test_each_item_carries_full_text_cover_section_author_and_date(client, story):
    [item] = items(read(client, "/feed/full/"))

    link = f"http://testserver/news/{story.slug}/"
    assert item.findtext("link") == link
    assert item.findtext("guid") == link
    assert item.findtext("description") == story.lead
    assert item.findtext("author") == "Айдос Серик"
    assert parsedate_to_datetime(item.findtext("pubDate")) == story.publish_at.replace(microsecond=0)
    assert [category.text for category in item.findall("category")] == ["Политика", "format-article", "index"]
    assert item.findtext("yandex:genre", namespaces=NS) == "message"
    assert item.findtext("media:rating", namespaces=NS) == "nonadult"

    [enclosure] = item.findall("enclosure")
    rendition = story.cover_photo.rendition_1200_jpeg
    assert enclosure.get("url") == f"http://testserver{rendition.url}"
    assert enclosure.get("url").endswith(".jpg") and "/renditions/" in enclosure.get("url")
    assert enclosure.get("type") == "image/jpeg"
    assert int(enclosure.get("length")) == default_storage.size(rendition.name) > 0

    full_text = item.findtext("yandex:full-text", namespaces=NS)
    paragraphs = full_text.split("\n\n")
    assert paragraphs[:3] == [
        story.lead,
        "Итоги года",
        "В форуме участвовали около 100 человек, 244 первичные организации.",
    ]
    assert "«Работа продолжается», — сказал председатель." in paragraphs
    assert "Обращения 1243" in paragraphs
    assert "Строка с переносом, подчёркнутое и H2O." in paragraphs
    assert "<" not in full_text and "&amp;" not in full_text


def test_full_text_html_holds_only_allowed_tags_with_absolute_urls(client, story):
    [item] = items(read(client, "/feed/full/"))
    content = item.findtext("content:encoded", namespaces=NS)
    elements = html_elements(content)

    assert {element.tag for element in elements} <= ALLOWED_TAGS
    for element in elements:
        assert set(element.attrib) <= ALLOWED_ATTRIBUTES.get(element.tag, set()), element.tag
    urls = [element.get("href") for element in elements if element.tag == "a"]
    urls += [element.get("src") for element in elements if element.tag == "img"]
    assert urls == [
        "http://testserver/news/drugoy-material/",
        "https://amanat.kz/proekty/",
        f"http://testserver{story.cover_photo.rendition_1200_jpeg.url}",
        "http://testserver/media/uploads/2026/12/zal.jpg",
    ]
    # The lead opens the text, the cover follows with its caption and credit; the body's marks become b and i.
    assert content.startswith(f"<p>{story.lead}</p><figure><img src=")
    cover = next(element for element in elements if element.tag == "figure")
    assert cover.find("img").get("alt") == "Участники форума в зале"
    assert cover.findtext("figcaption") == "Участники форума Фото: Айдос Серик"
    assert "<b>около 100</b>" in content and "<i>244</i>" in content
    assert "Обращения 1243" in content and "подчёркнутое" in content


def test_a_story_stored_with_hostile_html_reaches_aggregators_clean(client, media):
    """A body written around the sanitiser (an import, raw SQL) is still cut down before it leaves."""
    article = ArticleFactory(published=True)
    Article.objects.filter(pk=article.pk).update(
        body='<p onclick="steal()">Текст <a href="javascript:alert(1)">ссылка</a></p>'
        '<script>alert(1)</script><iframe src="https://evil.example/"></iframe>'
        '<img src="data:image/png;base64,AAAA" alt="x"><div style="color:red">блок</div>'
        '<a href="//evil.example/x">протокол</a><a href="//[evil/x">адрес</a><img src="//[::1" alt="y">'
    )

    [item] = items(read(client, "/feed/full/"))
    content = item.findtext("content:encoded", namespaces=NS)
    elements = html_elements(content)

    assert {element.tag for element in elements} <= ALLOWED_TAGS
    assert all(not element.get("onclick") and not element.get("style") for element in elements)
    assert "alert" not in content and 'evil.example/"' not in content and "data:" not in content
    assert [element.get("href") for element in elements if element.tag == "a"] == [None, "http://evil.example/x", None]
    assert [element.get("src") for element in elements if element.tag == "img"] == [None, None]
    assert "блок" in content and "alert" not in item.findtext("yandex:full-text", namespaces=NS)


def test_region_full_feed_lists_only_that_regions_stories(client):
    local = ArticleFactory(published=True, in_north_kazakhstan=True, title="Новость Северо-Казахстанской области")
    ArticleFactory(published=True, region=Region.objects.get(slug="almaty"), title="Новость Алматы")
    ArticleFactory(published=True, title="Новость для всей страны")

    root = read(client, f"/regions/{SKO}/feed/full/")

    assert titles(root) == [local.title]
    assert root.findtext("channel/link") == f"http://testserver/regions/{SKO}/"
    assert "Северо-Казахстанская" in root.findtext("channel/title")
    assert client.get("/regions/atlantida/feed/full/").status_code == 404


def test_drafts_stories_in_review_withdrawn_and_scheduled_ones_stay_out(client):
    now = timezone.now()
    live = ArticleFactory(published=True, in_north_kazakhstan=True, title="Опубликованный материал")
    ArticleFactory(in_north_kazakhstan=True, title="Черновик", publish_at=now - timedelta(hours=1))
    ArticleFactory(status=Article.Status.REVIEW, in_north_kazakhstan=True, title="На модерации")
    ArticleFactory(status=Article.Status.ARCHIVED, in_north_kazakhstan=True, title="Снятый", publish_at=now)
    at = now + timedelta(hours=3)
    scheduled = ArticleFactory(published=True, in_north_kazakhstan=True, title="Запланированный", publish_at=at)

    for url in ["/feed/full/", f"/regions/{SKO}/feed/full/"]:
        assert titles(read(client, url)) == [live.title]
    with time_machine.travel(at + timedelta(minutes=1), tick=False):
        for url in ["/feed/full/", f"/regions/{SKO}/feed/full/"]:
            assert titles(read(client, url)) == [scheduled.title, live.title]


def test_kazakh_full_feed_lists_kazakh_stories_under_the_kazakh_prefix(client):
    ArticleFactory(published=True, title="Русская новость")
    article = ArticleFactory(
        published=True,
        language="kk",
        title="Облыста форум өтті",
        section=SectionFactory(name="Общество", name_kk="Қоғам"),
    )

    root = read(client, "/kk/feed/full/")

    assert titles(root) == [article.title]
    assert root.findtext("channel/language") == "kk"
    assert root.findtext("channel/title") == "Newsroom: толық мәтінді жаңалықтар"
    assert items(root)[0].findtext("link") == f"http://testserver/kk/news/{article.slug}/"
    assert items(root)[0].findtext("category") == "Қоғам"


def test_full_feed_holds_the_fifty_newest_in_a_constant_number_of_queries(client, django_assert_num_queries):
    now = timezone.now()
    section = SectionFactory()
    stories = [
        ArticleFactory(published=True, section=section, publish_at=now - timedelta(minutes=number), body=BODY)
        for number in range(55)
    ]

    # the content generation and the stories with their authors and sections
    with django_assert_num_queries(2):
        root = read(client, "/feed/full/")

    assert titles(root) == [story.title for story in stories[:50]]


def test_full_feed_names_each_story_for_the_edge(client, story):
    other = ArticleFactory(published=True, section=story.section)

    keys = set(fetch(client, "/feed/full/")[edge.HEADER].split())

    assert {edge.ALL_STORIES, f"article-{story.pk}", f"article-{other.pk}", f"section-{story.section_id}"} <= keys


def test_links_and_images_use_the_site_url(client, settings, story):
    settings.NEWSROOM_SITE_URL = "https://news.example.kz"

    response = fetch(client, "/feed/full/")
    root = etree.fromstring(response.content)
    SCHEMA.assertValid(root)

    [item] = items(root)
    assert item.findtext("link") == f"https://news.example.kz/news/{story.slug}/"
    assert item.find("enclosure").get("url").startswith("https://news.example.kz/media/renditions/")
    content = item.findtext("content:encoded", namespaces=NS)
    assert 'src="https://news.example.kz/media/uploads/2026/12/zal.jpg"' in content
    assert "testserver" not in response.content.decode()


def test_plain_text_keeps_paragraphs_apart_and_unescapes_entities():
    html = sanitize_for_aggregators("<p>Один &amp;\n два<br>и</p><ul><li>три</li><li>&lt;четыре&gt;</li></ul>", str)

    assert plain_text(html) == "Один & два и\n\nтри\n\n<четыре>"
