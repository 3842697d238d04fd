"""Every public page names its counterpart in the other language, and the header's switch leads there."""

from urllib.parse import urlencode

import pytest

from articles import story_parts, workflow
from articles.models import Article, Section, StoryPart
from tests.articles.test_story_parts import render_queued, tamper_with_stored_body
from tests.factories import ArticleFactory
from tests.pages import get_page, parse
from tests.parties.factories import PartyFactory, PartyProjectFactory

pytestmark = pytest.mark.django_db

SKO = "severo-kazakhstanskaya-oblast"


@pytest.fixture
def site(db):
    Section.objects.create(name="Экономика", slug="ekonomika")
    party = PartyFactory(amanat=True)
    project = PartyProjectFactory(party=party, name="«Жасыл ел»", slug="zhasyl-el")
    ArticleFactory(published=True, tags=["аманат"])
    return {"party": party, "project": project}


def russian_paths(site):
    """The public pages other than stories, as their Russian addresses."""
    party, project = site["party"], site["project"]
    return [
        "/",
        "/news/",
        "/sections/ekonomika/",
        "/tags/аманат/",  # as the canonical link names it: unencoded, as the browser requested it
        "/regions/",
        f"/regions/{SKO}/",
        f"/regions/{SKO}/petropavlovsk/",
        "/parties/",
        f"/parties/{party.slug}/",
        f"/parties/{party.slug}/projects/{project.slug}/",
        "/search/",
    ]


def alternates(tree):
    return {
        link.get("hreflang"): link.get("href")
        for link in tree.iterfind(".//head/link[@rel='alternate']")
        if link.get("hreflang")
    }


def switch(tree):
    """The header's language switch: {language: href} of its links (the current language is no link)."""
    [nav] = tree.findall(".//nav[@class='language-switch']")
    return {link.get("hreflang"): link.get("href") for link in nav.iterfind("a")}


@pytest.mark.parametrize("prefix", ["", "/kk"])
def test_every_kind_of_page_names_both_languages_and_the_default(client, site, prefix):
    for path in russian_paths(site):
        tree = parse(get_page(client, prefix + path))
        assert alternates(tree) == {
            "ru": f"http://testserver{path}",
            "kk": f"http://testserver/kk{path}",
            "x-default": f"http://testserver{path}",
        }, prefix + path


@pytest.mark.parametrize("prefix", ["", "/kk"])
def test_the_switch_leads_to_the_same_page_in_the_other_language(client, site, prefix):
    for path in russian_paths(site):
        other, target = ("kk", f"/kk{path}") if prefix == "" else ("ru", path)
        assert switch(parse(get_page(client, prefix + path))) == {other: target}, prefix + path


def test_the_switch_keeps_the_search_and_the_alternates_do_not(client, site):
    query = urlencode({"q": "форум", "region": SKO})
    tree = parse(get_page(client, f"/search/?{query}"))
    assert switch(tree) == {"kk": f"/kk/search/?{query}"}
    assert alternates(tree)["kk"] == "http://testserver/kk/search/"


def test_alternates_use_the_configured_site_address(client, site, settings):
    settings.NEWSROOM_SITE_URL = "https://sk-news.kz"
    tree = parse(get_page(client, "/kk/regions/"))
    assert alternates(tree) == {
        "ru": "https://sk-news.kz/regions/",
        "kk": "https://sk-news.kz/kk/regions/",
        "x-default": "https://sk-news.kz/regions/",
    }


def test_later_pages_of_a_list_name_no_counterpart(client, settings):
    for _ in range(25):
        ArticleFactory(published=True)
    first, second = (parse(get_page(client, url)) for url in ["/news/", "/news/?page=2"])
    assert set(alternates(first)) == {"ru", "kk", "x-default"}
    assert alternates(second) == {}
    assert switch(second) == {"kk": "/kk/news/?page=2"}


def test_a_page_not_found_names_no_counterpart(client):
    response = client.get("/kk/sections/no-such-section/")
    assert response.status_code == 404
    assert alternates(parse(response.content.decode())) == {}


# --- stories: the counterpart is the published translation ----------------------------------------


def test_story_with_a_published_translation_names_it_and_the_switch_leads_there(client):
    original = ArticleFactory(published=True, title="Форум в Петропавловске")
    kazakh = ArticleFactory(published=True, language="kk", translation_of=original, title="Петропавлдағы форум")
    expected = {
        "ru": f"http://testserver/news/{original.slug}/",
        "kk": f"http://testserver/kk/news/{kazakh.slug}/",
        "x-default": f"http://testserver/news/{original.slug}/",
    }

    russian = parse(get_page(client, f"/news/{original.slug}/"))
    on_kazakh = parse(get_page(client, f"/kk/news/{kazakh.slug}/"))

    assert alternates(russian) == alternates(on_kazakh) == expected
    assert switch(russian) == {"kk": f"/kk/news/{kazakh.slug}/"}
    assert switch(on_kazakh) == {"ru": f"/news/{original.slug}/"}


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.ARCHIVED])
def test_story_without_a_published_translation_names_none_and_switches_to_the_other_home(client, status):
    original = ArticleFactory(published=True)
    ArticleFactory(status=status, language="kk", translation_of=original, title="Аударманың жобасы")

    tree = parse(get_page(client, f"/news/{original.slug}/"))

    assert alternates(tree) == {}
    assert switch(tree) == {"kk": "/kk/"}


def test_kazakh_story_without_translation_switches_to_the_russian_home(client):
    kazakh = ArticleFactory(published=True, language="kk")
    tree = parse(get_page(client, f"/kk/news/{kazakh.slug}/"))
    assert alternates(tree) == {}
    assert switch(tree) == {"ru": "/"}


def test_publishing_and_withdrawing_the_translation_changes_the_originals_page(client, moderator):
    original = ArticleFactory(published=True)
    kazakh = ArticleFactory(language="kk", translation_of=original, title="Петропавлдағы форум")
    assert "hreflang" not in get_page(client, f"/news/{original.slug}/").split("</head>")[0]

    workflow.apply(kazakh, "publish", by=moderator)
    tree = parse(get_page(client, f"/news/{original.slug}/"))
    assert alternates(tree)["kk"] == f"http://testserver/kk/news/{kazakh.slug}/"
    assert switch(tree) == {"kk": f"/kk/news/{kazakh.slug}/"}

    workflow.apply(kazakh, "unpublish", by=moderator)
    tree = parse(get_page(client, f"/news/{original.slug}/"))
    assert alternates(tree) == {}
    assert switch(tree) == {"kk": "/kk/"}


def test_the_originals_stored_part_is_rendered_again_when_its_translation_comes_and_goes(
    client, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        original = ArticleFactory(published=True)
        kazakh = ArticleFactory(language="kk", translation_of=original, title="Петропавлдағы форум")
    render_queued()
    alternate = f'hreflang="kk" href="{story_parts.ORIGIN}/kk/news/{kazakh.slug}/"'
    assert alternate not in StoryPart.objects.get(article=original).head

    with django_capture_on_commit_callbacks(execute=True):
        workflow.apply(kazakh, "publish", by=moderator)
    render_queued()
    assert alternate in StoryPart.objects.get(article=original).head
    tamper_with_stored_body(original, "stored-part-used")
    page = get_page(client, f"/news/{original.slug}/")
    assert "stored-part-used" in page  # the page is the stored part's, and it names the translation
    assert alternates(parse(page))["kk"] == f"http://testserver/kk/news/{kazakh.slug}/"

    with django_capture_on_commit_callbacks(execute=True):
        workflow.apply(kazakh, "unpublish", by=moderator)
    render_queued()
    assert "hreflang" not in StoryPart.objects.get(article=original).head
