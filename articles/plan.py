"""The plan: the stories scheduled or waiting in review in one week, by desk and day."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article, DeskMap

DAYS_IN_WEEK = 7


@dataclass
class Cell:
    is_today: bool
    articles: list = field(default_factory=list)


class Row:
    """One desk's week: its name and a Cell for each day."""

    def __init__(self, label, week):
        self.label = label
        self.cells = [Cell(day["is_today"]) for day in week]


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def parse_week(value: str, today: date):
    """(Monday of the week asked for, None), or (this week's Monday, the reason) when `value` is not a date."""
    value = (value or "").strip()
    if not value:
        return week_start(today), None
    try:
        return week_start(date.fromisoformat(value)), None
    except ValueError:
        return week_start(today), _("Не удалось прочитать дату «%(value)s»: показана текущая неделя.") % {
            "value": value[:40]
        }


def week_plan(user, monday: date, today: date, now=None) -> list[Row]:
    """The rows of `user`'s plan for the week from `monday`: one per desk they hold, each with seven days."""
    desk_map = DeskMap.of(user)
    desk_ids = desk_map.scope_of(user)
    start = timezone.make_aware(datetime.combine(monday, time.min))
    end = timezone.make_aware(datetime.combine(monday + timedelta(days=DAYS_IN_WEEK), time.min))
    articles = (
        Article.objects.planned(start, end, now)
        .on_desks(desk_map, desk_ids)
        .defer("body", "search_vector")
        .order_by("planned_at", "id")
    )
    week = days(monday, today)
    if not desk_map.is_in_force:
        rows = {None: Row(_("Все материалы"), week)}
    else:
        rows = {pk: Row(desk.name, week) for pk, desk in desk_map.desks.items() if desk_ids is None or pk in desk_ids}
    for article in articles:
        desk_id = desk_map.desk_id_for(article.region_id) if desk_map.is_in_force else None
        row = rows.get(desk_id) or rows.setdefault(desk_id, Row(_("Без отдела"), week))
        day = timezone.localtime(article.planned_at).date()
        row.cells[(day - monday).days].articles.append(article)
    return list(rows.values())


def days(monday: date, today: date) -> list[dict]:
    return [
        {"date": monday + timedelta(days=n), "is_today": monday + timedelta(days=n) == today}
        for n in range(DAYS_IN_WEEK)
    ]
