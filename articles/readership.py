"""«Что читают»: the question an editor asks (period, region, section, breakdown) and the tables that answer it.

The page and its CSV export are built from the same Table, so the file holds what the page shows.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from articles.models import Section
from regions.models import Region

LONGEST_PERIOD_DAYS = 366
# The page lists this many stories; the CSV file has all of them.
STORIES_ON_PAGE = 100
MOST_READ = 10
CHART_BARS = 10
DEFAULTS = {"period": "7", "group": "story"}


class ReadershipFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Период"),
        choices=[
            ("today", gettext_lazy("Сегодня")),
            ("7", gettext_lazy("7 дней")),
            ("30", gettext_lazy("30 дней")),
            ("custom", gettext_lazy("Свои даты")),
        ],
    )
    start = forms.DateField(
        label=gettext_lazy("С"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Для периода «Свои даты»."),
    )
    end = forms.DateField(
        label=gettext_lazy("По"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Включительно."),
    )
    region = forms.ModelChoiceField(
        label=gettext_lazy("Регион"),
        queryset=Region.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("Все регионы"),
    )
    section = forms.ModelChoiceField(
        label=gettext_lazy("Рубрика"),
        queryset=Section.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("Все рубрики"),
    )
    group = forms.ChoiceField(
        label=gettext_lazy("Разбивка"),
        choices=[
            ("story", gettext_lazy("по материалам")),
            ("author", gettext_lazy("по авторам")),
            ("region", gettext_lazy("по регионам")),
            ("section", gettext_lazy("по рубрикам")),
            ("day", gettext_lazy("по дням")),
        ],
    )

    @classmethod
    def from_query(cls, query):
        """The form bound to a request's query string; what it leaves out is the default (the last 7 days)."""
        data = query.copy()
        for name, value in DEFAULTS.items():
            data.setdefault(name, value)
        return cls(data)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") != "custom" or self.has_error("start") or self.has_error("end"):
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            raise ValidationError(_("Для своего периода укажите обе даты: с какого и по какой день."))
        today = timezone.localdate()
        if start > end:
            self.add_error("start", _("Начальная дата позже конечной."))
        elif end > today:
            self.add_error("end", _("Этот день ещё не наступил: данных за него нет."))
        elif (end - start).days + 1 > LONGEST_PERIOD_DAYS:
            self.add_error("end", _("Выберите не больше %(days)s дней.") % {"days": LONGEST_PERIOD_DAYS})
        return cleaned

    def group_label(self):
        return dict(self.fields["group"].choices)[self.cleaned_data["group"]]

    def chosen_period(self):
        """The days asked for, first and last included."""
        today = timezone.localdate()
        chosen = self.cleaned_data["period"]
        if chosen == "custom":
            return Period(self.cleaned_data["start"], self.cleaned_data["end"])
        days = 1 if chosen == "today" else int(chosen)
        return Period(today - timedelta(days=days - 1), today)


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def start(self):
        return timezone.make_aware(datetime.combine(self.first, time.min))

    def end(self):
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    def days(self):
        return [self.first + timedelta(days=number) for number in range((self.last - self.first).days + 1)]


@dataclass
class Table:
    header: list
    rows: list  # lists of cells: text, numbers, dates
    links: list  # per row: the admin address of its first cell, or None
    views_column: int
    numeric_from: int  # the columns from this one on hold numbers
    is_cut: bool = False

    def lines(self):
        return list(zip(self.rows, self.links, strict=True))

    def chart_items(self):
        """(label, views) of the most viewed rows, for the bar chart."""
        return [(row[0], row[self.views_column]) for row in self.rows[:CHART_BARS]]


def localized(row, field):
    kazakh = row.get(f"{field}_kk") if (get_language() or "").startswith("kk") else ""
    return kazakh or row[field]


def person(row):
    full_name = f"{row['author_first_name']} {row['author_last_name']}".strip()
    return full_name or row["author_username"]


def region_name(row):
    return localized(row, "region_name") if row["region_name"] else _("Вся страна")


def section_name(row):
    return localized(row, "section_name") if row["section_name"] else _("Без рубрики")


def story_table(counts, limit):
    rows = counts.by_story()
    rows = list(rows[: limit + 1] if limit else rows)
    is_cut = bool(limit) and len(rows) > limit
    rows = rows[:limit] if limit else rows
    header = [
        _("Материал"),
        _("Автор"),
        _("Регион"),
        _("Рубрика"),
        _("Опубликован"),
        _("Просмотры"),
        _("Репосты"),
        _("Просмотров за всё время"),
        _("Репостов за всё время"),
    ]
    cells = [
        [
            row["title"],
            person(row),
            region_name(row),
            section_name(row),
            timezone.localdate(row["publish_at"]) if row["publish_at"] else "",
            row["views"],
            row["shares"],
            row["views_total"],
            row["shares_total"],
        ]
        for row in rows
    ]
    links = [reverse("admin:articles_article_change", args=[row["article_id"]]) for row in rows]
    return Table(header, cells, links, views_column=5, numeric_from=5, is_cut=is_cut)


def grouped_table(rows, first_header, name):
    header = [first_header, _("Материалов"), _("Просмотры"), _("Репосты")]
    cells = [[name(row), row["stories"], row["views"], row["shares"]] for row in rows]
    return Table(header, cells, [None] * len(cells), views_column=2, numeric_from=1)


def day_table(counts, period):
    """Every day of the period, those without a counted view or share as zeros."""
    found = {row["day"]: row for row in counts.by_day(timezone.get_current_timezone())}
    empty = {"stories": 0, "views": 0, "shares": 0}
    rows = [{**found.get(day, empty), "day": day} for day in period.days()]
    return grouped_table(rows, _("День"), lambda row: row["day"])


def table(counts, group, period, limit=None):
    """The breakdown `group` of these counts as a Table; `limit` cuts the list of stories."""
    if group == "story":
        return story_table(counts, limit)
    if group == "author":
        return grouped_table(counts.by_author(), _("Автор"), person)
    if group == "region":
        return grouped_table(counts.by_region(), _("Регион"), region_name)
    if group == "section":
        return grouped_table(counts.by_section(), _("Рубрика"), section_name)
    return day_table(counts, period)


def scope(counts, form):
    """The counts of the region and section asked for."""
    return counts.in_region(form.cleaned_data["region"]).in_section(form.cleaned_data["section"])


def most_read_since(counts, since):
    """The most viewed stories counted since `since` (a whole hour): [{"title", "views", "link"}]."""
    return [
        {
            "title": row["title"],
            "views": row["views"],
            "shares": row["shares"],
            "link": reverse("admin:articles_article_change", args=[row["article_id"]]),
        }
        for row in counts.filter(hour__gte=since).by_story()[:MOST_READ]
    ]


def this_hour(now=None):
    return timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
