"""The public article page and what search engines and messengers read from it; valid HTML on every page."""

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article, Section
from parties.models import Party, PartyProject, PrimaryOrganisation
from regions.models import Region
from tests.factories import ArticleFactory, UserFactory, jpeg_file
from tests.pages import get_page, parse

pytestmark = pytest.mark.django_db

ALMATY_TIME = ZoneInfo("Asia/Almaty")


@pytest.fixture
def north():
    return Region.objects.get(slug="severo-kazakhstanskaya-oblast")


def text_of(element):
    return " ".join("".join(element.itertext()).split())


def meta(tree, attribute, name):
    [element] = tree.findall(f".//meta[@{attribute}='{name}']")
    return element.get("content")


def json_ld(content):
    [block] = parse(content).findall(".//script[@type='application/ld+json']")
    return json.loads(block.text)


def related_titles(content):
    sections = parse(content).findall(".//section[@class='related']")
    if not sections:
        return []
    return [text_of(link) for link in sections[0].iterfind(".//h3/a")]


# --- what the reader sees -------------------------------------------------------------------------


def test_breadcrumbs_lead_home_then_to_news_then_name_the_story(client):
    article = ArticleFactory(published=True, title="Форум в Петропавловске")

    tree = parse(get_page(client, article.get_absolute_url()))
    [crumbs] = tree.findall(".//nav[@class='breadcrumbs']")
    links = crumbs.findall("a")

    assert text_of(crumbs) == "Главная страница » Новости » Форум в Петропавловске"
    assert [(link.get("href"), text_of(link)) for link in links] == [("/", "Главная страница"), ("/news/", "Новости")]
    assert crumbs.find("span").get("aria-current") == "page"


def test_page_has_exactly_one_h1_with_the_headline(client):
    article = ArticleFactory(published=True, title="Форум в Петропавловске", tags=["аманат"])
    ArticleFactory(published=True, tags=["аманат"])

    tree = parse(get_page(client, article.get_absolute_url()))
    headings = list(tree.iter("h1"))

    assert [text_of(h1) for h1 in headings] == ["Форум в Петропавловске"]


MONTHS_GENITIVE = [
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
]  # fmt: skip


@pytest.mark.parametrize("month", range(1, 13))
def test_publication_date_is_written_in_russian_words(client, month):
    published = datetime(2025, month, 28, 9, 5, tzinfo=ALMATY_TIME)
    article = ArticleFactory(published=True, publish_at=published)

    tree = parse(get_page(client, article.get_absolute_url()))
    [time] = tree.findall(".//p[@class='article__meta']/time")

    assert text_of(time) == f"28 {MONTHS_GENITIVE[month - 1]} 2025, 09:05"
    assert datetime.fromisoformat(time.get("datetime")) == published


def test_machine_readable_times_are_valid_html_to_the_second(client):
    """HTML's date and time strings have no fraction of a second; a story saved now has microseconds."""
    article = ArticleFactory(published=True, publish_at=timezone.now() - timedelta(minutes=5))
    article.title += " (уточнено)"
    article.save()  # a correction: its time is shown too
    content = get_page(client, article.get_absolute_url())
    stamps = [time.get("datetime") for time in parse(content).iter("time")]
    stamps += [meta.get("content") for meta in parse(content).iter("meta") if "_time" in (meta.get("property") or "")]
    stamps += [json_ld(content)["datePublished"], json_ld(content)["dateModified"]]
    assert len(stamps) == 6  # the story's two times, and each in the meta tags and in JSON-LD
    for stamp in stamps:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:00", stamp), stamp


def test_region_and_section_are_linked(client, north):
    section = Section.objects.create(name="Экономика", slug="ekonomika")
    article = ArticleFactory(published=True, region=north, section=section)

    tree = parse(get_page(client, article.get_absolute_url()))
    links = {link.get("href"): text_of(link) for link in tree.iterfind(".//p[@class='article__meta']/a")}

    assert links == {
        "/regions/severo-kazakhstanskaya-oblast/": "Северо-Казахстанская область",
        "/sections/ekonomika/": "Экономика",
    }


def test_byline_is_shown_when_given(client):
    article = ArticleFactory(published=True, byline="Айдос Серик, фото автора")

    tree = parse(get_page(client, article.get_absolute_url()))

    assert text_of(tree.find(".//span[@class='article__author']")) == "Айдос Серик, фото автора"


def test_author_name_is_shown_without_a_byline(client):
    author = UserFactory(username="aigerim", first_name="Айгерим", last_name="Нурланова", is_staff=True)
    article = ArticleFactory(published=True, author=author, byline="")

    tree = parse(get_page(client, article.get_absolute_url()))

    assert text_of(tree.find(".//span[@class='article__author']")) == "Айгерим Нурланова"


def test_tags_link_to_their_tag_pages_which_list_the_story(client):
    article = ArticleFactory(published=True, title="Форум в Петропавловске", tags=["аманат", "Село Бесколь"])

    tree = parse(get_page(client, article.get_absolute_url()))
    links = {text_of(link): link.get("href") for link in tree.iterfind(".//ul[@class='tags']/li/a")}

    assert links == {f"#{tag.name}": reverse("articles:tag", args=[tag.slug]) for tag in article.tags.all()}
    for href in links.values():
        assert href.startswith("/tags/")
        assert "Форум в Петропавловске" in get_page(client, href)


def test_fresh_story_shows_no_update_notice(client):
    article = ArticleFactory(published=True)

    content = get_page(client, article.get_absolute_url())

    assert "Обновлено" not in content
    assert "article:modified_time" not in content


def test_correcting_a_live_story_shows_when_it_was_updated(client):
    article = ArticleFactory(published=True, publish_at=datetime(2026, 3, 7, 9, 0, tzinfo=ALMATY_TIME))
    assert "Обновлено" not in get_page(client, article.get_absolute_url())

    with time_machine.travel(datetime(2026, 3, 8, 14, 30, tzinfo=ALMATY_TIME), tick=False):
        article.title = "Форум в Петропавловске (дополнено)"
        article.save()
    tree = parse(get_page(client, article.get_absolute_url()))
    [updated] = tree.findall(".//span[@class='article__updated']")

    assert text_of(updated) == "Обновлено 8 марта 2026, 14:30"
    assert text_of(tree.find(".//h1")) == "Форум в Петропавловске (дополнено)"


def test_saving_a_live_story_marks_it_as_corrected(client):
    article = ArticleFactory(published=True)

    article.lead = "Уточнено: мероприятие перенесли на субботу."
    article.save()
    content = get_page(client, article.get_absolute_url())

    assert article.corrected_at is not None
    assert "Обновлено" in content
    assert "Уточнено: мероприятие перенесли на субботу." in content
    assert 'property="article:modified_time"' in content


def test_saving_a_story_that_is_not_live_yet_is_not_a_correction(client):
    article = ArticleFactory(status=Article.Status.REVIEW)

    article.lead = "Поправка до публикации."
    article.save()
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.PUBLISHED, publish_at=timezone.now() - timedelta(minutes=5)
    )

    assert "Обновлено" not in get_page(client, article.get_absolute_url())


def test_related_stories_share_a_tag_or_the_region_and_exclude_the_story_itself(client, north):
    almaty = Region.objects.get(slug="almaty")
    article = ArticleFactory(published=True, title="Главный материал", region=north, tags=["аманат"])
    ArticleFactory(published=True, title="Тот же тег", region=almaty, tags=["аманат"])
    ArticleFactory(published=True, title="Тот же регион", region=north, tags=["погода"])
    ArticleFactory(published=True, title="Ничего общего", region=almaty, tags=["спорт"])
    ArticleFactory(title="Черновик с тем же тегом", region=north, tags=["аманат"])
    ArticleFactory(published=True, title="Қазақша, тот же тег", language="kk", region=north, tags=["аманат"])

    titles = related_titles(get_page(client, article.get_absolute_url()))

    assert sorted(titles) == ["Тот же регион", "Тот же тег"]


def test_related_stories_are_listed_once_even_when_they_share_several_tags(client, north):
    article = ArticleFactory(published=True, title="Главный материал", region=north, tags=["аманат", "село", "форум"])
    ArticleFactory(published=True, title="Много общего", region=north, tags=["аманат", "село", "форум"])

    assert related_titles(get_page(client, article.get_absolute_url())) == ["Много общего"]


def test_story_without_tags_or_region_has_no_related_block(client):
    article = ArticleFactory(published=True, region=None)
    ArticleFactory(published=True, region=None)

    content = get_page(client, article.get_absolute_url())

    assert 'class="related"' not in content


def test_related_stories_are_at_most_four_newest(client, north):
    article = ArticleFactory(published=True, region=north)
    for hours in range(2, 8):
        ArticleFactory(
            published=True, region=north, title=f"Соседняя {hours}", publish_at=timezone.now() - timedelta(hours=hours)
        )

    titles = related_titles(get_page(client, article.get_absolute_url()))

    assert titles == ["Соседняя 2", "Соседняя 3", "Соседняя 4", "Соседняя 5"]


def test_party_organisations_and_projects_are_linked(client, north):
    party = Party.objects.create(name="Партия «Аманат»", short_name="Аманат", slug="amanat")
    project = PartyProject.objects.create(party=party, name="Жасыл ел", slug="zhasyl-el")
    organisation = PrimaryOrganisation.objects.create(party=party, region=north, name="ППО села Бесколь")
    article = ArticleFactory(published=True, region=north)
    article.party_organisations.add(organisation)
    article.party_projects.add(project)

    response = client.get(article.get_absolute_url())
    tree = parse(response.content.decode())
    [aside] = tree.findall(".//aside[@class='article__parties']")
    links = {text_of(link): link.get("href") for link in aside.iterfind(".//a")}

    assert response.status_code == 200
    assert links["ППО села Бесколь"] == "/parties/amanat/"
    assert links["Жасыл ел"] == "/parties/amanat/projects/zhasyl-el/"
    assert "Аманат" in text_of(aside)


def test_story_without_party_links_has_no_party_block(client):
    article = ArticleFactory(published=True)

    assert "article__parties" not in get_page(client, article.get_absolute_url())


# --- translations -----------------------------------------------------------------------------------


@pytest.fixture
def translated_pair():
    original = ArticleFactory(published=True, title="Форум в Петропавловске")
    translation = ArticleFactory(published=True, language="kk", title="Петропавлдағы форум", translation_of=original)
    return original, translation


def alternates(tree):
    return {
        link.get("hreflang"): link.get("href")
        for link in tree.iterfind(".//link[@rel='alternate']")
        if link.get("hreflang")
    }


def test_russian_story_links_to_its_kazakh_translation(client, translated_pair):
    original, translation = translated_pair

    tree = parse(get_page(client, original.get_absolute_url()))
    [link] = tree.findall(".//p[@class='article__translation']/a")

    assert link.get("hreflang") == "kk"
    assert link.get("lang") == "kk"
    assert link.get("href") == f"/kk/news/{translation.slug}/"
    assert alternates(tree) == {
        "kk": f"http://testserver/kk/news/{translation.slug}/",
        "ru": f"http://testserver/news/{original.slug}/",
        "x-default": f"http://testserver/news/{original.slug}/",
    }


def test_kazakh_translation_links_back_to_the_russian_story(client, translated_pair):
    original, translation = translated_pair

    tree = parse(get_page(client, f"/kk/news/{translation.slug}/"))
    [link] = tree.findall(".//p[@class='article__translation']/a")

    assert link.get("hreflang") == "ru"
    assert link.get("href").endswith(f"/news/{original.slug}/")
    assert set(alternates(tree)) == {"ru", "kk", "x-default"}
    assert alternates(tree)["ru"].endswith(f"/news/{original.slug}/")
    assert alternates(tree)["kk"].endswith(f"/news/{translation.slug}/")


def test_hreflang_alternates_point_to_each_story_in_its_own_language_interface(client, translated_pair):
    original, translation = translated_pair
    expected = {
        "ru": f"http://testserver/news/{original.slug}/",
        "kk": f"http://testserver/kk/news/{translation.slug}/",
        "x-default": f"http://testserver/news/{original.slug}/",
    }

    on_russian_page = alternates(parse(get_page(client, f"/news/{original.slug}/")))
    on_kazakh_page = alternates(parse(get_page(client, f"/kk/news/{translation.slug}/")))

    assert on_russian_page == expected
    assert on_kazakh_page == expected


def test_a_story_has_one_address_in_its_own_language(client):
    article = ArticleFactory(published=True)

    response = client.get(f"/kk/news/{article.slug}/")

    assert response.status_code == 301
    assert response["Location"] == f"/news/{article.slug}/"
    tree = parse(get_page(client, f"/news/{article.slug}/"))
    assert tree.find(".//link[@rel='canonical']").get("href") == f"http://testserver/news/{article.slug}/"


def test_translation_that_is_not_live_is_not_linked(client):
    original = ArticleFactory(published=True)
    ArticleFactory(status=Article.Status.REVIEW, language="kk", translation_of=original)

    content = get_page(client, original.get_absolute_url())

    assert "article__translation" not in content
    assert 'hreflang="kk" href="http://' not in content


# --- search engines and messengers ----------------------------------------------------------------


def test_canonical_and_open_graph_describe_the_story(client):
    article = ArticleFactory(published=True, title="Форум «Аманат» & встреча", lead="Главное о форуме.")
    url = f"http://testserver/news/{article.slug}/"

    tree = parse(get_page(client, article.get_absolute_url()))

    assert [link.get("href") for link in tree.iterfind(".//link[@rel='canonical']")] == [url]
    assert meta(tree, "property", "og:title") == "Форум «Аманат» & встреча"
    assert meta(tree, "property", "og:description") == "Главное о форуме."
    assert meta(tree, "property", "og:url") == url
    assert meta(tree, "property", "og:type") == "article"
    assert meta(tree, "name", "twitter:card") == "summary"
    assert meta(tree, "name", "twitter:title") == "Форум «Аманат» & встреча"


def test_canonical_open_graph_and_json_ld_use_the_configured_site_address(client, settings):
    settings.NEWSROOM_SITE_URL = "https://sko-news.kz"
    article = ArticleFactory(published=True)
    url = f"https://sko-news.kz/news/{article.slug}/"

    content = get_page(client, article.get_absolute_url())
    tree = parse(content)

    assert tree.find(".//link[@rel='canonical']").get("href") == url
    assert meta(tree, "property", "og:url") == url
    assert json_ld(content)["url"] == url
    assert json_ld(content)["publisher"]["url"] == "https://sko-news.kz/"
    assert "testserver" not in content


def test_json_ld_describes_a_news_article(client, settings):
    settings.NEWSROOM_SITE_NAME = "Солтүстік жаңалықтары"
    published = datetime(2025, 11, 28, 10, 0, tzinfo=ALMATY_TIME)
    article = ArticleFactory(
        published=True, title="Форум в Петропавловске", byline="Айдос Серик", publish_at=published, tags=["аманат"]
    )

    data = json_ld(get_page(client, article.get_absolute_url()))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Форум в Петропавловске"
    assert datetime.fromisoformat(data["datePublished"]) == published
    assert [author["name"] for author in data["author"]] == ["Айдос Серик"]
    assert data["publisher"]["name"] == "Солтүстік жаңалықтары"
    assert data["url"] == f"http://testserver/news/{article.slug}/"
    assert data["keywords"] == ["аманат"]
    assert "image" not in data


def test_json_ld_cannot_be_broken_out_of_by_the_headline(client):
    title = "Запрет </script><script>alert(1)</script> отменён"
    article = ArticleFactory(published=True, title=title, lead="</script><b>лид</b>")

    content = get_page(client, article.get_absolute_url())

    assert json_ld(content)["headline"] == title
    assert json_ld(content)["description"] == "</script><b>лид</b>"
    assert "<script>alert(1)" not in content


def test_cover_photo_appears_in_json_ld_and_open_graph(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article = ArticleFactory(published=True, cover=jpeg_file(), cover_alt="Участники форума в зале")

    content = get_page(client, article.get_absolute_url())
    tree = parse(content)
    [image] = json_ld(content)["image"]

    assert image.startswith("http://testserver/media/")
    assert meta(tree, "property", "og:image") == image
    assert meta(tree, "name", "twitter:card") == "summary_large_image"
    stored = Path(tmp_path, image.removeprefix("http://testserver/media/"))
    with Image.open(stored) as photo:
        assert (photo.format, photo.size) == ("JPEG", (1200, 630))
    [cover] = tree.findall(".//figure[@class='article__cover']//img")
    assert cover.get("alt") == "Участники форума в зале"


def test_a_story_with_a_cover_gives_each_open_graph_property_once(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    published = datetime(2025, 11, 28, 10, 0, tzinfo=ALMATY_TIME)
    section = Section.objects.create(name="Политика", slug="politika-og")
    article = ArticleFactory(
        published=True,
        publish_at=published,
        section=section,
        tags=["аманат", "форум"],
        language="kk",
        cover=jpeg_file(),
        cover_alt="Участники форума",
    )

    tree = parse(get_page(client, article.get_absolute_url()))
    properties = [element.get("property") for element in tree.iterfind(".//meta[@property]")]

    assert {name for name in properties if properties.count(name) > 1} == {"article:tag"}  # one per tag
    assert meta(tree, "property", "og:locale") == "kk_KZ"
    assert (meta(tree, "property", "og:image:width"), meta(tree, "property", "og:image:height")) == ("1200", "630")
    assert meta(tree, "property", "og:image:alt") == "Участники форума"
    assert datetime.fromisoformat(meta(tree, "property", "article:published_time")) == published
    assert meta(tree, "property", "article:section") == "Политика"
    assert [e.get("content") for e in tree.iterfind(".//meta[@property='article:tag']")] == ["аманат", "форум"]
    assert meta(tree, "name", "twitter:description") == article.lead


# --- Kazakh pages --------------------------------------------------------------------------------


def test_kazakh_home_declares_kazakh_and_lists_only_kazakh_stories(client):
    ArticleFactory(published=True, title="Русская новость дня")
    ArticleFactory(published=True, language="kk", title="Қазақша жаңалық")

    content = get_page(client, "/kk/")

    assert '<html lang="kk">' in content
    assert "Қазақша жаңалық" in content
    assert "Русская новость дня" not in content
    assert "/kk/news/" in content


def test_russian_home_lists_only_russian_stories(client):
    ArticleFactory(published=True, title="Русская новость дня")
    ArticleFactory(published=True, language="kk", title="Қазақша жаңалық")

    content = get_page(client, "/")

    assert '<html lang="ru">' in content
    assert "Русская новость дня" in content
    assert "Қазақша жаңалық" not in content


# --- blocks kept per content generation -------------------------------------------------------------


def test_a_new_related_story_shows_on_a_page_already_seen(client, north):
    article = ArticleFactory(published=True, region=north, title="Главный материал")
    ArticleFactory(published=True, region=north, title="Старый сосед", publish_at=timezone.now() - timedelta(days=1))
    assert related_titles(get_page(client, article.get_absolute_url())) == ["Старый сосед"]

    ArticleFactory(published=True, region=north, title="Новый сосед")

    assert related_titles(get_page(client, article.get_absolute_url())) == ["Новый сосед", "Старый сосед"]


def test_a_translation_published_later_is_linked_from_a_page_already_seen(client):
    original = ArticleFactory(published=True, title="Форум в Петропавловске")
    assert "article__translation" not in get_page(client, original.get_absolute_url())

    ArticleFactory(published=True, language="kk", title="Петропавлдағы форум", translation_of=original)

    tree = parse(get_page(client, original.get_absolute_url()))
    assert [link.get("hreflang") for link in tree.findall(".//p[@class='article__translation']/a")] == ["kk"]


def test_a_party_link_added_to_a_story_shows_on_a_page_already_seen(client, north):
    party = Party.objects.create(name="Партия «Аманат»", short_name="Аманат", slug="amanat")
    project = PartyProject.objects.create(party=party, name="Жасыл ел", slug="zhasyl-el")
    article = ArticleFactory(published=True, region=north)
    assert "article__parties" not in get_page(client, article.get_absolute_url())

    article.party_projects.add(project)  # the story itself is not saved

    assert "Жасыл ел" in get_page(client, article.get_absolute_url())


def test_a_tag_added_to_a_story_shows_on_a_page_already_seen(client):
    article = ArticleFactory(published=True, tags=["аманат"])
    ArticleFactory(published=True, tags=["посевная"])  # the tag exists already
    assert "#посевная" not in get_page(client, article.get_absolute_url())

    article.tags.add("посевная")  # neither the story nor the tag is saved

    page = get_page(client, article.get_absolute_url())
    assert "#аманат" in page and "#посевная" in page
