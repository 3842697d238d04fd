"""The editorial rules of articles/workflow.py, called directly: every role × state × transition."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, WorkflowEvent
from articles.tasks import send_workflow_mail
from newsroom.background.models import Job
from tests.factories import ArticleFactory, UserFactory, jpeg_file

pytestmark = pytest.mark.django_db

S = Article.Status
ALL_STATES = [S.DRAFT, S.REVIEW, S.PUBLISHED, S.ARCHIVED]

# (transition, state it starts from, roles allowed)
RULES = {
    "submit": (S.DRAFT, {"author", "moderator", "superuser"}),
    "withdraw": (S.REVIEW, {"author"}),
    "approve": (S.REVIEW, {"moderator", "superuser"}),
    "reject": (S.REVIEW, {"moderator", "superuser"}),
    "publish": (S.DRAFT, {"moderator", "superuser"}),
    "unpublish": (S.PUBLISHED, {"moderator", "superuser"}),
    "reopen": (S.ARCHIVED, {"moderator", "superuser"}),
}
TARGETS = {
    "submit": S.REVIEW,
    "withdraw": S.DRAFT,
    "approve": S.PUBLISHED,
    "reject": S.DRAFT,
    "publish": S.PUBLISHED,
    "unpublish": S.ARCHIVED,
    "reopen": S.DRAFT,
}
ROLES = ["author", "other_journalist", "moderator", "superuser", "reader"]


@pytest.fixture
def people(journalist, other_journalist, moderator):
    return {
        "author": journalist,
        "other_journalist": other_journalist,
        "moderator": moderator,
        "superuser": UserFactory(username="chief", is_staff=True, is_superuser=True),
        "reader": UserFactory(username="reader", is_staff=False),
    }


def make_article(author, status):
    publish_at = timezone.now() - timedelta(hours=1) if status in (S.PUBLISHED, S.ARCHIVED) else None
    return ArticleFactory(author=author, status=status, publish_at=publish_at)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("name", list(RULES))
def test_every_role_state_and_transition(people, role, state, name):
    article = make_article(people["author"], state)
    source, allowed_roles = RULES[name]
    allowed = state == source and role in allowed_roles
    user = people[role]

    assert (name in [t.name for t in workflow.allowed_transitions(user, article)]) is allowed
    if allowed:
        event = workflow.apply(article, name, by=user, comment="Причина")
        article.refresh_from_db()
        assert article.status == TARGETS[name]
        assert (event.from_status, event.to_status, event.actor) == (state, TARGETS[name], user)
    else:
        with pytest.raises(workflow.WorkflowError):
            workflow.apply(article, name, by=user, comment="Причина")
        article.refresh_from_db()
        assert article.status == state
        assert not WorkflowEvent.objects.filter(article=article).exists()


def test_journalist_cannot_publish(journalist):
    article = make_article(journalist, S.DRAFT)
    with pytest.raises(workflow.WorkflowError, match="нет права"):
        workflow.apply(article, "publish", by=journalist)


def test_wrong_state_is_named_in_the_refusal(moderator, journalist):
    article = make_article(journalist, S.DRAFT)
    with pytest.raises(workflow.WorkflowError, match="в статусе «Черновик»"):
        workflow.apply(article, "approve", by=moderator)


def test_reject_needs_a_reason(moderator, journalist):
    article = make_article(journalist, S.REVIEW)
    with pytest.raises(workflow.WorkflowError, match="Укажите причину"):
        workflow.apply(article, "reject", by=moderator, comment="   ")
    workflow.apply(article, "reject", by=moderator, comment="Нет второго источника")
    assert article.workflow_events.get().comment == "Нет второго источника"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"lead": ""}, "лид"),
        ({"section": None}, "рубрика"),
        ({"title": "Очень длинный заголовок " * 6}, "заголовок короче 111 знаков"),
        ({"cover": jpeg_file(), "cover_alt": ""}, "описание главного фото (alt)"),
    ],
)
def test_publication_gate_names_what_is_missing(moderator, journalist, changes, named):
    article = ArticleFactory(author=journalist, status=S.REVIEW, **changes)
    with pytest.raises(workflow.WorkflowError, match=re.escape(named)):
        workflow.apply(article, "approve", by=moderator)
    article.status = S.DRAFT
    article.save()
    with pytest.raises(workflow.WorkflowError, match=re.escape(named)):
        workflow.apply(article, "publish", by=moderator)


def test_approve_at_a_later_time_schedules(moderator, journalist):
    article = make_article(journalist, S.REVIEW)
    later = timezone.now() + timedelta(days=1)
    workflow.apply(article, "approve", by=moderator, publish_at=later)
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.publish_at == later
    assert not article.is_live()
    assert article.is_live(now=later + timedelta(seconds=1))
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert Article.objects.published(now=later).filter(pk=article.pk).exists()


def test_first_publication_time_is_kept_after_reopen(moderator, journalist):
    article = make_article(journalist, S.DRAFT)
    workflow.apply(article, "publish", by=moderator)
    first = article.first_published_at
    workflow.apply(article, "unpublish", by=moderator)
    workflow.apply(article, "reopen", by=moderator)
    workflow.apply(article, "publish", by=moderator)
    article.refresh_from_db()
    assert article.first_published_at == first


def test_can_edit_and_delete(people):
    draft = make_article(people["author"], S.DRAFT)
    review = make_article(people["author"], S.REVIEW)
    published = make_article(people["author"], S.PUBLISHED)
    assert workflow.can_edit(people["author"], draft)
    assert not workflow.can_edit(people["author"], review)
    assert not workflow.can_edit(people["other_journalist"], draft)
    assert all(workflow.can_edit(people["moderator"], a) for a in [draft, review, published])
    assert workflow.can_delete(people["author"], draft)
    assert not workflow.can_delete(people["moderator"], published)
    assert workflow.can_delete(people["superuser"], published)


def test_a_story_reopened_after_publication_is_not_its_authors_to_delete(people, client):
    published = make_article(people["author"], S.DRAFT)
    workflow.apply(published, "publish", by=people["moderator"])
    workflow.apply(published, "unpublish", by=people["moderator"])
    workflow.apply(published, "reopen", by=people["moderator"])
    published.refresh_from_db()
    assert published.status == S.DRAFT and published.author == people["author"]

    client.force_login(people["author"])
    response = client.post(reverse("admin:articles_article_delete", args=[published.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Article.objects.filter(pk=published.pk).exists()
    assert workflow.can_edit(people["author"], published)  # theirs to rework, not to make disappear
    assert workflow.can_delete(people["superuser"], published)


def queued_mail(after=0):
    """The workflow messages waiting in the task queue (jobs after id `after`), as the worker gets them."""
    jobs = Job.objects.filter(task_name=send_workflow_mail.name, status="todo", id__gt=after).order_by("id")
    return [(job.id, job.args) for job in jobs]


def deliver_queued_mail(after=0):
    """Send each message queued after job `after` as the worker does (tests/background/ runs the real one).

    Return the last job's id, to deliver only newer messages next time.
    """
    last = after
    for last, args in queued_mail(after):  # noqa: B007 (the last one is returned)
        send_workflow_mail(**args)
    return last


def test_emails_are_queued_with_the_transition_and_say_what_happened(journalist, moderator):
    article = make_article(journalist, S.DRAFT)
    workflow.apply(article, "submit", by=journalist)
    delivered = deliver_queued_mail()
    assert [m.to for m in mail.outbox] == [[moderator.email]]
    assert article.title in mail.outbox[0].subject
    assert mail.outbox[0].from_email == settings.DEFAULT_FROM_EMAIL

    workflow.apply(article, "reject", by=moderator, comment="Уточните цифры бюджета")
    delivered = deliver_queued_mail(delivered)
    assert mail.outbox[1].to == [journalist.email]
    assert "Уточните цифры бюджета" in mail.outbox[1].body

    workflow.apply(article, "submit", by=journalist)
    delivered = max(job_id for job_id, _ in queued_mail())
    later = timezone.now() + timedelta(hours=5)
    workflow.apply(article, "approve", by=moderator, publish_at=later)
    deliver_queued_mail(delivered)
    assert mail.outbox[-1].to == [journalist.email]
    assert timezone.localtime(later).strftime("%H:%M") in mail.outbox[-1].body


def test_no_email_is_sent_inside_the_transition(journalist, moderator):
    article = make_article(journalist, S.DRAFT)
    workflow.apply(article, "submit", by=journalist)
    assert mail.outbox == []
    [(_, args)] = queued_mail()
    assert args == {"event_id": article.workflow_events.get(transition="submit").pk}  # no address, no text
    deliver_queued_mail()
    assert [m.to for m in mail.outbox] == [[moderator.email]]


def test_a_message_about_a_story_deleted_before_it_went_out_is_dropped(journalist, moderator):
    article = make_article(journalist, S.DRAFT)
    workflow.apply(article, "submit", by=journalist)
    assert len(queued_mail()) == 1
    article.delete()
    deliver_queued_mail()
    assert mail.outbox == []
