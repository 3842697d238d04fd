"""The plan page: a week of scheduled and in-review stories by desk and day, for those who decide on them."""

from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from articles import workflow
from articles.models import Article, Desk, DeskRegion
from regions.models import Region
from tests.articles.test_desks import make_moderator
from tests.factories import ArticleFactory
from tests.pages import get_page, parse

pytestmark = pytest.mark.django_db

S = Article.Status
PLAN = reverse("admin:articles_article_plan")
# A Wednesday noon in Almaty: its week runs from Monday 7 to Sunday 13 December 2026.
NOW = timezone.make_aware(datetime(2026, 12, 9, 12, 0))


def at(day, hour):
    return timezone.make_aware(datetime(2026, 12, day, hour, 0))


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def scheduled(title, moment, **fields):
    return ArticleFactory(title=title, status=S.PUBLISHED, publish_at=moment, **fields)


def in_review(title, submitted, proposed=None, **fields):
    return ArticleFactory(title=title, status=S.REVIEW, submitted_at=submitted, proposed_publish_at=proposed, **fields)


def cells(page):
    """{(row label, column header): text of the cell} of the plan's table."""
    table = parse(page).find(".//table[@class='plan']")
    headers = [" ".join("".join(th.itertext()).split()) for th in table.find("thead/tr")][1:]
    found = {}
    for row in table.find("tbody"):
        label = "".join(row[0].itertext()).strip()
        for header, cell in zip(headers, row[1:], strict=True):
            found[(label, header)] = " ".join("".join(cell.itertext()).split())
    return headers, found


def test_plan_shows_the_weeks_scheduled_and_in_review_stories_by_day(moderator_client):
    scheduled("Открытие моста в Петропавловске", at(10, 9))
    in_review("Итоги сессии маслихата", submitted=at(8, 15), proposed=at(11, 18))
    in_review("Новый маршрут автобуса", submitted=at(9, 10))
    scheduled("Уже вышедший материал", at(9, 8))  # published this morning: not planned any more
    scheduled("Материал следующей недели", at(15, 9))
    ArticleFactory(title="Черновик без решения", status=S.DRAFT, proposed_publish_at=at(10, 9))

    page = get_page(moderator_client, PLAN)
    headers, found = cells(page)
    assert headers[0].lower().startswith("понедельник") and "7 декабря" in headers[0]
    assert "сегодня" in headers[2] and "9 декабря" in headers[2]
    row = "Все материалы"
    assert found[(row, headers[3])] == "09:00 Открытие моста в Петропавловске запланировано"
    assert found[(row, headers[4])] == "18:00 Итоги сессии маслихата на модерации"
    assert found[(row, headers[2])] == "10:00 Новый маршрут автобуса на модерации"
    assert "Уже вышедший" not in page and "следующей недели" not in page and "Черновик" not in page
    bridge = Article.objects.get(title__startswith="Открытие моста")
    assert reverse("admin:articles_article_change", args=[bridge.pk]) in page
    assert 'aria-current="date"' in page
    assert '<time datetime="2026-12-10T09:00+0500">09:00</time>' in page


def test_a_story_in_review_is_planned_at_the_time_its_approval_would_keep(moderator_client):
    """As workflow.planned_publish_at: a moderator's time still ahead wins over the author's proposal."""
    story = in_review("Сессия маслихата", submitted=at(8, 15), proposed=at(11, 18), publish_at=at(12, 7))
    assert workflow.planned_publish_at(story) == at(12, 7)
    in_review("Старое время модератора", submitted=at(9, 10), publish_at=at(2, 9))  # passed: when it was sent

    headers, found = cells(get_page(moderator_client, PLAN))
    row = "Все материалы"
    assert found[(row, headers[5])] == "07:00 Сессия маслихата на модерации"
    assert found[(row, headers[4])] == "—"  # not at the proposal
    assert found[(row, headers[2])] == "10:00 Старое время модератора на модерации"


def test_week_links_move_a_week_at_a_time(moderator_client):
    scheduled("Материал следующей недели", at(15, 9))
    page = get_page(moderator_client, PLAN)
    assert "?week=2026-11-30" in page and "?week=2026-12-14" in page
    assert "Текущая неделя" not in page  # already on it

    page = get_page(moderator_client, PLAN + "?week=2026-12-16")  # any day of the week shows its week
    headers, found = cells(page)
    assert "14 декабря" in headers[0] and "сегодня" not in " ".join(headers)
    assert found[("Все материалы", headers[1])] == "09:00 Материал следующей недели запланировано"
    assert "?week=2026-12-07" in page and "Текущая неделя" in page


def test_a_wrong_week_says_so_and_shows_this_week(moderator_client):
    response = moderator_client.get(PLAN, {"week": "не-дата"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Не удалось прочитать дату «не-дата»" in page
    assert "Неделя с 07.12.2026 по 13.12.2026" in page


def test_plan_rows_are_the_moderators_desks(client, journalist):
    north = Desk.objects.create(name="Северный отдел")
    DeskRegion.objects.create(desk=north, region=Region.objects.get(slug="severo-kazakhstanskaya-oblast"))
    south = Desk.objects.create(name="Южный отдел")
    DeskRegion.objects.create(desk=south, region=Region.objects.get(slug="almaty"))
    north_moderator = make_moderator("north_moderator")
    north.members.add(north_moderator)
    scheduled("Северная новость", at(10, 9), in_north_kazakhstan=True)
    scheduled("Южная новость", at(10, 9), region=Region.objects.get(slug="almaty"))
    scheduled("Новость для всей страны", at(10, 9))

    client.force_login(north_moderator)
    page = get_page(client, PLAN)
    _, found = cells(page)
    assert {label for label, _ in found} == {"Северный отдел"}
    assert "Северная новость" in page and "Южная" not in page and "всей страны" not in page

    chief = make_moderator("chief")
    chief.groups.add(chief.groups.model.objects.get(name="Chief editors"))
    client.force_login(chief)
    headers, found = cells(get_page(client, PLAN))
    assert {label for label, _ in found} == {"Республиканский отдел", "Северный отдел", "Южный отдел"}
    assert "Новость для всей страны" in found[("Республиканский отдел", headers[3])]
    assert "Южная новость" in found[("Южный отдел", headers[3])]


def test_journalists_cannot_open_the_plan_and_see_no_link_to_it(client, journalist, moderator):
    in_review("Чужой материал на модерации", submitted=at(9, 10))
    client.force_login(journalist)
    assert client.get(PLAN).status_code == 403
    assert PLAN not in client.get(reverse("admin:index")).content.decode()

    assert PLAN not in client.get(reverse("admin:articles_article_changelist")).content.decode()

    client.force_login(moderator)
    assert f'href="{PLAN}"' in client.get(reverse("admin:index")).content.decode()
    assert f'href="{PLAN}"' in client.get(reverse("admin:articles_article_changelist")).content.decode()  # sidebar


@pytest.mark.parametrize(
    "text",
    ["План публикаций", "Предыдущая неделя", "Следующая неделя", "Текущая неделя", "на модерации", "запланировано",
     "Отдел", "отдел", "отделы", "Все материалы", "Без отдела"],
)  # fmt: skip
def test_plan_and_desk_words_have_kazakh_translations(text):
    with translation.override("kk"):
        assert gettext(text) != text


def test_plan_query_count_does_not_grow_with_stories(moderator_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            get_page(moderator_client, PLAN)
        return len(captured)

    scheduled("Первый материал недели", at(10, 9))
    few = queries()
    for hour in range(10, 20):
        scheduled(f"Материал на {hour} часов", at(11, hour), in_north_kazakhstan=True)
        in_review(f"Материал на модерации {hour}", submitted=at(8, hour))
    assert queries() == few
