from datetime import date

from django import template
from django.utils import formats

from articles import workflow
from articles.models import Article

register = template.Library()


@register.simple_tag(takes_context=True)
def review_queue_count(context):
    """How many articles wait in the user's review queue (their desks'); None for people who cannot approve."""
    user = context["request"].user
    if not workflow.is_moderator(user):
        return None
    return Article.objects.awaiting_review().on_desk_of(user).count()


@register.simple_tag(takes_context=True)
def sees_plan(context):
    """Whether the signed-in person may open the plan (articles.workflow.can_see_plan)."""
    request = context.get("request")
    return request is not None and workflow.can_see_plan(request.user)


@register.filter
def minutes(duration):
    """Whole minutes of a timedelta (for the login lock-out page)."""
    return int(duration.total_seconds() // 60) if duration else 0


@register.filter
def person(user):
    """A user's full name, else the login, else a dash."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.filter
def cell(value):
    """A cell of a report's table: a date as 05.12.2026, anything else as it is."""
    return formats.date_format(value, "d.m.Y") if isinstance(value, date) else value
