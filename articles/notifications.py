"""E-mail to the newsroom about workflow events: who is told, and what the message says.

workflow.apply queues it in the transition's transaction and the task worker writes and sends it
(articles/tasks.py): a slow or absent mail server never holds up a moderator's request, and a transition
rolled back sends nothing.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from articles.models import DeskMap
from newsroom.absolute import site_url

TEMPLATES = {
    "submit": "articles/email/submitted.txt",
    "approve": "articles/email/approved.txt",
    "publish": "articles/email/approved.txt",
    "reject": "articles/email/rejected.txt",
}


def moderators():
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="publish_article")
            | Q(user_permissions__codename="publish_article")
        )
        .exclude(email="")
        .distinct()
    )


def moderators_of(article):
    """The moderators who hold `article`'s desk: its members and the chief editors (everyone, without desks)."""
    desk_map = DeskMap.load()
    return [user for user in moderators() if desk_map.holds(user, article)]


def recipients_for(event):
    if event.transition == "submit":
        return [user.email for user in moderators_of(event.article) if user.pk != event.actor_id]
    author = event.article.author
    if author.email and author.pk != event.actor_id:
        return [author.email]
    return []


def concerns_anyone(event):
    """Whether a message about `event` is written at all: a transition that is told, and somebody to tell."""
    return event.transition in TEMPLATES and bool(recipients_for(event))


def message_for(event):
    """The (subject, body, recipients) of the e-mail about `event`, or None when nobody is to be told."""
    template = TEMPLATES.get(event.transition)
    if template is None:
        return None
    recipients = recipients_for(event)
    if not recipients:
        return None
    with translation.override("ru"):
        context = {
            "event": event,
            "article": event.article,
            "admin_url": site_url() + reverse("admin:articles_article_change", args=[event.article.pk]),
        }
        text = render_to_string(template, context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n", recipients
