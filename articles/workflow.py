"""The editorial workflow: states, transitions and who may use them, in one place.

The admin's buttons and actions, the views and the tests all call this module;
none of them re-implements a rule.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_permission_codename
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.models import Article, PreviewLink, WorkflowEvent
from articles.roles import is_moderator
from articles.tasks import queue_workflow_mail

DRAFT = Article.Status.DRAFT
REVIEW = Article.Status.REVIEW
PUBLISHED = Article.Status.PUBLISHED
ARCHIVED = Article.Status.ARCHIVED

# Google News and the NewsArticle headline property cut titles at 110 characters.
TITLE_MAX_FOR_PUBLICATION = 110

AUTHOR = "author"
MODERATOR = "moderator"

# The moderators' decisions on an article: authors see them, only moderators change them. An author
# proposes a time in proposed_publish_at; publish_at is set when a moderator approves or publishes.
MODERATOR_FIELDS = ("is_featured", "publish_at")

# A «Поделиться черновиком» link shows a story readers cannot read yet; publication or the archive ends it.
SHAREABLE_STATES = (DRAFT, REVIEW)


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    who: frozenset  # AUTHOR and/or MODERATOR
    label: str
    needs_comment: bool = False
    checks_publication_gate: bool = False


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", DRAFT, REVIEW, frozenset({AUTHOR, MODERATOR}), gettext_lazy("Отправить на модерацию")),
        Transition("withdraw", REVIEW, DRAFT, frozenset({AUTHOR}), gettext_lazy("Отозвать")),
        Transition("approve", REVIEW, PUBLISHED, frozenset({MODERATOR}), gettext_lazy("Одобрить"),
                   checks_publication_gate=True),
        Transition("reject", REVIEW, DRAFT, frozenset({MODERATOR}), gettext_lazy("Отклонить"), needs_comment=True),
        Transition("publish", DRAFT, PUBLISHED, frozenset({MODERATOR}), gettext_lazy("Опубликовать"),
                   checks_publication_gate=True),
        Transition("unpublish", PUBLISHED, ARCHIVED, frozenset({MODERATOR}), gettext_lazy("Снять с публикации")),
        Transition("reopen", ARCHIVED, DRAFT, frozenset({MODERATOR}), gettext_lazy("Вернуть в работу")),
    ]
}  # fmt: skip


class WorkflowError(Exception):
    """A transition was refused; the message says why, in words for the newsroom."""


def roles(user, article) -> set:
    """The roles `user` holds towards `article`."""
    result = set()
    if not user.is_active or not user.is_staff:
        return result
    if is_moderator(user):
        result.add(MODERATOR)
    if article.author_id == user.pk and user.has_perm("articles.change_article"):
        result.add(AUTHOR)
    return result


def can_view(user, article) -> bool:
    return bool(roles(user, article))


def linkable(user, queryset):
    """What of `queryset` `user` may link an article to: articles they may see, reference data they may view."""
    if queryset.model is Article:
        return queryset.visible_to(user)
    options = queryset.model._meta
    if user.has_perm(f"{options.app_label}.{get_permission_codename('view', options)}"):
        return queryset
    return queryset.none()


def readonly_fields(user) -> tuple:
    """The article fields `user` sees but may not change: the moderators' decisions, for everyone else."""
    return () if is_moderator(user) else MODERATOR_FIELDS


def can_arrange_front_page(user) -> bool:
    """Who pins stories to the home page and puts up the «Срочно» banner: the moderators (a chief editor is one)."""
    return user.is_active and user.is_staff and is_moderator(user)


def can_share(user, article) -> bool:
    """Who may give out a «Поделиться черновиком» link: whoever views the story, while it is unpublished."""
    return can_view(user, article) and article.status in SHAREABLE_STATES


def can_revoke(user, link) -> bool:
    """Whoever may view the story may revoke its links, whoever made them."""
    return can_view(user, link.article)


def link_is_ended(link) -> bool:
    """Whether a draft link no longer works before its time: revoked, or its story published or archived."""
    return link.revoked_at is not None or link.article.status not in SHAREABLE_STATES


def can_edit(user, article) -> bool:
    """Moderators edit every article in every state; authors only their own drafts."""
    held = roles(user, article)
    return MODERATOR in held or (AUTHOR in held and article.status == DRAFT)


def can_delete(user, article) -> bool:
    """Only a superuser deletes a published or archived article; authors delete their own drafts."""
    if user.is_superuser:
        return True
    if article.status in (PUBLISHED, ARCHIVED):
        return False
    return can_edit(user, article) and user.has_perm("articles.delete_article")


def allowed_transitions(user, article) -> list[Transition]:
    held = roles(user, article)
    return [t for t in TRANSITIONS.values() if t.source == article.status and t.who & held]


def missing_for_publication(article) -> list[str]:
    """What a story still lacks before it can go out to readers."""
    missing = []
    if not article.title.strip():
        missing.append(_("заголовок"))
    elif len(article.title) > TITLE_MAX_FOR_PUBLICATION:
        missing.append(
            _("заголовок короче %(limit)s знаков (сейчас %(length)s)")
            % {"limit": TITLE_MAX_FOR_PUBLICATION + 1, "length": len(article.title)}
        )
    if not article.lead.strip():
        missing.append(_("лид"))
    if article.section_id is None:
        missing.append(_("рубрика"))
    if article.cover_image and not article.cover_alt.strip():
        missing.append(_("описание главного фото (alt)"))
    return missing


def apply(article, name, *, by, comment="", publish_at: datetime | None = None) -> WorkflowEvent:
    """Check and perform transition `name` on `article` for user `by`, atomically."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise WorkflowError(_("Неизвестное действие «%(name)s».") % {"name": name})
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if locked.status != transition.source:
            raise WorkflowError(
                _("Действие «%(action)s» невозможно: материал в статусе «%(status)s».")
                % {"action": transition.label, "status": locked.get_status_display()}
            )
        if not transition.who & roles(by, locked):
            raise WorkflowError(_("У вас нет права на действие «%(action)s».") % {"action": transition.label})
        if transition.needs_comment and not comment:
            raise WorkflowError(_("Укажите причину: автор увидит её в письме и в истории материала."))
        if transition.checks_publication_gate:
            missing = missing_for_publication(locked)
            if missing:
                raise WorkflowError(
                    _("Материал нельзя опубликовать, не хватает: %(missing)s.") % {"missing": ", ".join(missing)}
                )
        now = timezone.now()
        source = locked.status
        locked.status = transition.target
        update_fields = ["status"]
        if transition.target == REVIEW:
            locked.submitted_at = now
            update_fields.append("submitted_at")
        if transition.target == PUBLISHED:
            locked.publish_at = publish_at or now
            if locked.first_published_at is None:
                locked.first_published_at = locked.publish_at
            update_fields += ["publish_at", "first_published_at"]
        locked.save(update_fields=update_fields)
        if transition.target not in SHAREABLE_STATES:
            # Links to the draft end here for good: reopening the story does not bring them back.
            PreviewLink.objects.filter(article=locked).active(now).update(revoked_at=now)
        event = WorkflowEvent.objects.create(
            article=locked,
            transition=transition.name,
            from_status=source,
            to_status=transition.target,
            actor=by,
            comment=comment,
            created_at=now,
        )
        # Queued, not sent: the job is a row of this transaction, so a rolled-back transition sends nothing.
        queue_workflow_mail(event)
    for field in ["status", "publish_at", "first_published_at", "slug", "updated_at"]:
        setattr(article, field, getattr(locked, field))
    return event
