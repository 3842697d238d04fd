"""«Что читают»: views and shares by story, author, region, section and day, with charts and a CSV export.

Editors see every story's figures; a journalist sees only those of their own stories (articles.roles).
"""

from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from articles import readership, roles
from articles.models import HourlyCount
from newsroom import charts
from newsroom.admin_site import PageAdmin
from newsroom.spreadsheets import csv_response


@admin.register(HourlyCount)
class ReadershipAdmin(PageAdmin):
    """Not a list of rows: the model's page in the admin is the dashboard, and the model has no other page."""

    def may_open(self, request):
        return roles.sees_readership(request.user)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("", view(self.dashboard_view), name="articles_hourlycount_changelist"),
            path("export/", view(self.export_view), name="articles_hourlycount_export"),
        ]

    def visible_counts(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return HourlyCount.objects.visible_to(request.user)

    def dashboard_view(self, request):
        counts = self.visible_counts(request)
        form = readership.ReadershipFilterForm.from_query(request.GET)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Что читают"),
            "opts": self.model._meta,
            "form": form,
            "sees_everything": roles.sees_every_article(request.user),
        }
        if form.is_valid():
            context.update(self.report(counts, form))
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/articles/hourlycount/dashboard.html", context)

    def report(self, counts, form):
        period = form.chosen_period()
        scoped = readership.scope(counts, form)
        in_period = scoped.between(period.start(), period.end())
        days = readership.day_table(in_period, period)
        group = form.cleaned_data["group"]
        table = days if group == "day" else readership.table(in_period, group, period, readership.STORIES_ON_PAGE)
        hour = readership.this_hour()
        return {
            "period": period,
            "group": group,
            "totals": in_period.totals(),
            "days": days,
            "day_chart": charts.line_chart(
                [day.strftime("%d.%m") for day in period.days()],
                [
                    (_("Просмотры"), "views", [row[2] for row in days.rows]),
                    (_("Репосты"), "shares", [row[3] for row in days.rows]),
                ],
            ),
            "table": table,
            "bar_chart": charts.bar_chart(table.chart_items()) if group != "day" else None,
            "since_hour": hour - timedelta(hours=1),
            "since_day": hour - timedelta(hours=23),
            "most_read_hour": readership.most_read_since(scoped, hour - timedelta(hours=1)),
            "most_read_day": readership.most_read_since(scoped, hour - timedelta(hours=23)),
            "export_url": f"{reverse('admin:articles_hourlycount_export')}?{form.data.urlencode()}",
        }

    def export_view(self, request):
        """The dashboard's table as a CSV file; with a wrong filter, back to the page that names the mistake."""
        counts = self.visible_counts(request)
        form = readership.ReadershipFilterForm.from_query(request.GET)
        if not form.is_valid():
            return HttpResponseRedirect(f"{reverse('admin:articles_hourlycount_changelist')}?{request.GET.urlencode()}")
        period = form.chosen_period()
        group = form.cleaned_data["group"]
        in_period = readership.scope(counts, form).between(period.start(), period.end())
        table = readership.table(in_period, group, period)
        filename = f"readership-{group}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.csv"
        return csv_response(filename, table.header, table.rows)
