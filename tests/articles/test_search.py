"""Full-text search as readers use it: /search/?q= (Russian stemming) and /kk/search/ (simple config)."""

from datetime import timedelta

import html5lib
import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article, Section
from regions.models import Region
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def search(client, query, prefix="", **params):
    response = client.get(f"{prefix}/search/", {"q": query, **params})
    assert response.status_code == 200
    return response


def parse(response):
    return html5lib.parse(response.content.decode(), treebuilder="etree", namespaceHTMLElements=False)


def result_titles(response):
    """Titles of the found articles, in the order they are listed."""
    tree = parse(response)
    return ["".join(link.itertext()).strip() for link in tree.iterfind(".//ol[@class='search-results']/li/h2/a")]


def snippets(response):
    """Inner HTML of each result's snippet paragraph, as served."""
    content = response.content.decode()
    marker = '<p class="search-result__snippet">'
    return [part.split("</p>", 1)[0] for part in content.split(marker)[1:]]


def test_russian_stemming_finds_other_forms_of_a_word(client):
    ArticleFactory(published=True, title="Форум первичных организаций")

    assert result_titles(search(client, "организация")) == ["Форум первичных организаций"]
    assert result_titles(search(client, "форумы")) == ["Форум первичных организаций"]


def test_a_word_that_is_not_in_any_article_finds_nothing(client):
    ArticleFactory(published=True, title="Форум первичных организаций")

    response = search(client, "газификация")

    assert result_titles(response) == []
    assert "ничего не нашлось" in response.content.decode()


def test_kazakh_article_is_found_on_the_kazakh_search_page_only(client):
    ArticleFactory(
        published=True,
        language="kk",
        title="Ауыл шаруашылығы жаңалықтары",
        lead="Солтүстік Қазақстан облысында егін жинау басталды.",
    )

    assert result_titles(search(client, "шаруашылығы", prefix="/kk")) == ["Ауыл шаруашылығы жаңалықтары"]
    assert result_titles(search(client, "шаруашылығы")) == []


def test_russian_article_is_not_found_on_the_kazakh_search_page(client):
    ArticleFactory(published=True, title="Форум первичных организаций")

    assert result_titles(search(client, "форум", prefix="/kk")) == []
    assert result_titles(search(client, "форум")) == ["Форум первичных организаций"]


def test_kazakh_search_matches_words_as_written_without_russian_stemming(client):
    """`simple` config: Kazakh words are only lower-cased, so a Russian-stemmed form does not match."""
    ArticleFactory(published=True, language="kk", title="Форумы өтті")

    assert result_titles(search(client, "форумы", prefix="/kk")) == ["Форумы өтті"]
    assert result_titles(search(client, "ФОРУМЫ", prefix="/kk")) == ["Форумы өтті"]
    assert result_titles(search(client, "форум", prefix="/kk")) == []


def test_title_match_ranks_above_a_body_only_match(client):
    in_title = ArticleFactory(
        published=True,
        title="Комбайны вышли в поле",
        publish_at=timezone.now() - timedelta(days=3),
    )
    in_body = ArticleFactory(
        published=True,
        title="Итоги недели в районе",
        body="<p>Среди прочего, в хозяйстве починили комбайны.</p>",
        publish_at=timezone.now() - timedelta(hours=1),
    )

    # The body-only match is newer, so only relevance can put the title match first.
    assert result_titles(search(client, "комбайн")) == [in_title.title, in_body.title]


def test_lead_match_ranks_above_a_body_only_match(client):
    in_lead = ArticleFactory(
        published=True,
        title="Новости района",
        lead="Аграрии получили новые сеялки.",
        publish_at=timezone.now() - timedelta(days=2),
    )
    in_body = ArticleFactory(
        published=True,
        title="Итоги недели",
        body="<p>Сеялки обещают к весне.</p>",
        publish_at=timezone.now() - timedelta(hours=1),
    )

    assert result_titles(search(client, "сеялки")) == [in_lead.title, in_body.title]


def test_article_is_found_by_a_word_only_in_its_tags(client):
    ArticleFactory(published=True, title="Новость с тегами", tags=["геотермальный"])

    assert result_titles(search(client, "геотермальный")) == ["Новость с тегами"]


def test_tags_changed_after_the_article_was_saved_are_searchable(client):
    article = ArticleFactory(published=True, title="Новость без тегов")
    assert result_titles(search(client, "водопровод")) == []

    article.tags.set(["водопровод", "село"])
    cache.clear()

    assert result_titles(search(client, "водопровод")) == ["Новость без тегов"]


def test_removed_tags_are_no_longer_searchable(client):
    article = ArticleFactory(published=True, title="Новость с тегом", tags=["водопровод"])
    assert result_titles(search(client, "водопровод")) == ["Новость с тегом"]

    article.tags.set(["электричество"])
    cache.clear()

    assert result_titles(search(client, "водопровод")) == []
    assert result_titles(search(client, "электричество")) == ["Новость с тегом"]


def test_snippet_marks_the_matched_words(client):
    ArticleFactory(published=True, title="Новость", lead="В Петропавловске открыли новую библиотеку.")

    [snippet] = snippets(search(client, "библиотека"))

    assert "<mark>библиотеку</mark>" in snippet


def test_snippet_never_lets_html_typed_in_the_lead_through(client):
    ArticleFactory(
        published=True,
        title="Новость",
        lead='Библиотека <b>x</b> <script>alert(1)</script> <img src=x onerror="alert(2)">',
    )

    response = search(client, "библиотека")
    [snippet] = snippets(response)

    assert "<mark>Библиотека</mark>" in snippet
    assert "<b>" not in snippet
    assert "<script>" not in response.content.decode()
    assert "<img" not in snippet
    html5lib.HTMLParser(strict=True).parse(response.content.decode())


def test_snippet_shows_html_typed_in_the_lead_as_escaped_text(client):
    ArticleFactory(published=True, title="Новость", lead="Библиотека <b>x</b> открыта")

    [snippet] = snippets(search(client, "библиотека"))

    assert "&lt;b&gt;x&lt;/b&gt;" in snippet


def test_query_with_html_is_echoed_escaped(client):
    response = search(client, "<script>alert(1)</script>")
    content = response.content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def make_filtered_articles():
    north = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    almaty = Region.objects.get(slug="almaty")
    economy = Section.objects.create(name="Экономика", slug="ekonomika")
    society = Section.objects.create(name="Общество", slug="obshchestvo")
    now = timezone.now()
    ArticleFactory(
        published=True,
        title="Ярмарка в Петропавловске",
        region=north,
        section=economy,
        publish_at=now - timedelta(days=40),
    )
    ArticleFactory(
        published=True,
        title="Ярмарка в Алматы",
        region=almaty,
        section=society,
        publish_at=now - timedelta(days=10),
    )
    ArticleFactory(
        published=True,
        title="Ярмарка в Алматы снова",
        region=almaty,
        section=economy,
        publish_at=now - timedelta(days=2),
    )
    return now


def test_region_filter_keeps_only_that_regions_articles(client):
    make_filtered_articles()

    titles = result_titles(search(client, "ярмарка", region="almaty"))

    assert sorted(titles) == ["Ярмарка в Алматы", "Ярмарка в Алматы снова"]


def test_section_filter_keeps_only_that_sections_articles(client):
    make_filtered_articles()

    titles = result_titles(search(client, "ярмарка", section="ekonomika"))

    assert sorted(titles) == ["Ярмарка в Алматы снова", "Ярмарка в Петропавловске"]


def test_date_filters_keep_articles_published_between_the_dates(client):
    now = make_filtered_articles()
    today = timezone.localdate(now)

    since = result_titles(search(client, "ярмарка", **{"from": (today - timedelta(days=20)).isoformat()}))
    until = result_titles(search(client, "ярмарка", to=(today - timedelta(days=20)).isoformat()))
    between = result_titles(
        search(
            client,
            "ярмарка",
            **{"from": (today - timedelta(days=15)).isoformat(), "to": (today - timedelta(days=5)).isoformat()},
        )
    )

    assert sorted(since) == ["Ярмарка в Алматы", "Ярмарка в Алматы снова"]
    assert until == ["Ярмарка в Петропавловске"]
    assert between == ["Ярмарка в Алматы"]


def test_filters_combine(client):
    make_filtered_articles()

    titles = result_titles(search(client, "ярмарка", region="almaty", section="ekonomika"))

    assert titles == ["Ярмарка в Алматы снова"]


def test_chosen_filters_are_kept_in_the_form(client):
    make_filtered_articles()

    content = search(client, "ярмарка", region="almaty", section="ekonomika", to="2026-01-31").content.decode()

    assert '<option value="almaty" selected>' in content
    assert '<option value="ekonomika" selected>' in content
    assert 'name="to" value="2026-01-31"' in content


@pytest.mark.parametrize(
    "params",
    [
        {"region": "no-such-region"},
        {"section": "no-such-section"},
        {"from": "not-a-date"},
        {"to": "2026-02-31"},
        {"from": "\x00"},
    ],
)
def test_unreadable_filters_are_ignored(client, params):
    make_filtered_articles()

    assert len(result_titles(search(client, "ярмарка", **params))) == 3


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_query_shows_the_form_without_results(client, query):
    ArticleFactory(published=True, title="Форум первичных организаций")

    response = search(client, query)
    content = response.content.decode()

    assert 'id="search-q"' in content
    assert "search-results" not in content
    assert "ничего не нашлось" not in content


def test_search_page_without_a_query_parameter_shows_the_form(client):
    response = client.get("/search/")

    assert response.status_code == 200
    assert 'id="search-q"' in response.content.decode()
    assert "search-results" not in response.content.decode()


HOSTILE_QUERIES = [
    '"',
    "!",
    "&|",
    "(",
    ":*",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "форум\x00организация",
    "а" * 5000,
    "форум " * 1000,
    "🔥📰",
    "форум 🔥",
    "-",
    "or",
    '"форум',
    "\\",
    "%",
    "'; DROP TABLE articles_article; --",
]


@pytest.mark.parametrize("prefix", ["", "/kk"])
@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_are_answered(client, query, prefix):
    ArticleFactory(published=True, title="Форум первичных организаций")
    ArticleFactory(published=True, language="kk", title="Форум өтті")

    response = search(client, query, prefix=prefix)

    assert "<script>alert(1)" not in response.content.decode()
    assert Article.objects.count() == 2


@pytest.mark.parametrize(
    ("status", "offset"),
    [
        (Article.Status.DRAFT, -timedelta(days=1)),
        (Article.Status.REVIEW, -timedelta(days=1)),
        (Article.Status.ARCHIVED, -timedelta(days=1)),
        (Article.Status.PUBLISHED, timedelta(hours=2)),
        (Article.Status.PUBLISHED, None),
    ],
    ids=["draft", "review", "archived", "scheduled", "published-without-time"],
)
def test_only_published_visible_articles_are_found(client, status, offset):
    ArticleFactory(
        title="Невидимая новость про элеватор",
        status=status,
        publish_at=None if offset is None else timezone.now() + offset,
    )
    ArticleFactory(published=True, title="Видимая новость про элеватор")

    assert result_titles(search(client, "элеватор")) == ["Видимая новость про элеватор"]


@pytest.mark.parametrize("page", ["99", "0", "-1", "abc"])
def test_out_of_range_result_page_is_not_found(client, page):
    ArticleFactory(published=True, title="Форум первичных организаций")

    assert client.get("/search/", {"q": "форум", "page": page}).status_code == 404


def test_results_are_paginated(client):
    for number in range(25):
        ArticleFactory(published=True, title=f"Элеватор номер {number}")

    first = search(client, "элеватор")
    second = search(client, "элеватор", page="2")

    assert len(result_titles(first)) == 20
    assert len(result_titles(second)) == 5
    assert "Найдено материалов: 25" in first.content.decode()
    assert set(result_titles(first)).isdisjoint(result_titles(second))


def test_language_switch_keeps_the_search_query(client):
    content = search(client, "форум").content.decode()

    assert 'href="/kk/search/?q=%D1%84%D0%BE%D1%80%D1%83%D0%BC"' in content


def test_search_reached_with_a_raw_utf8_query_string_keeps_valid_links(client):
    ArticleFactory(published=True, title="Форум первичных организаций")

    response = client.get("/search/?q=форум")
    content = response.content.decode()

    assert result_titles(response) == ["Форум первичных организаций"]
    assert 'href="/kk/search/?q=%D1%84%D0%BE%D1%80%D1%83%D0%BC"' in content
    html5lib.HTMLParser(strict=True).parse(content)
