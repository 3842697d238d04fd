"""The plan page of the desk: a week of scheduled and in-review stories, by desk and day."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext

from articles import plan, workflow


class ArticlePlanMixin:
    """ArticleAdmin's «План публикаций» page, for those who decide on stories (moderators, chief editors)."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.plan_view)
        return [path("plan/", view, name="articles_article_plan"), *super().get_urls()]

    def plan_view(self, request):
        if not workflow.can_see_plan(request.user):
            raise PermissionDenied
        today = timezone.localdate()
        monday, refusal = plan.parse_week(request.GET.get("week", ""), today)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
        sunday = monday + timedelta(days=plan.DAYS_IN_WEEK - 1)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("План публикаций"),
            "week_title": gettext("Неделя с %(first)s по %(last)s")
            % {"first": monday.strftime("%d.%m.%Y"), "last": sunday.strftime("%d.%m.%Y")},
            "days": plan.days(monday, today),
            "rows": plan.week_plan(request.user, monday, today),
            "previous_week": (monday - timedelta(days=7)).isoformat(),
            "next_week": (monday + timedelta(days=7)).isoformat(),
            "is_this_week": monday == plan.week_start(today),
        }
        return TemplateResponse(request, "admin/articles/article/plan.html", context)
