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

from articles.models import Article, DeskMap, Photo, PreviewLink, WorkflowEvent
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


# What the publication gate (missing_for_publication) does at a transition: refuse it while something is missing,
# or let it through and name what is missing, so that the author completes the story before a moderator sees it.
REFUSE = "refuse"
WARN = "warn"


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    who: frozenset  # AUTHOR and/or MODERATOR
    label: str
    needs_comment: bool = False
    publication_gate: str = ""  # REFUSE, WARN or nothing
    now_label: str = ""  # the button that publishes at once, whatever time was planned

    @property
    def takes_publication_time(self) -> bool:
        return self.target == PUBLISHED


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", DRAFT, REVIEW, frozenset({AUTHOR, MODERATOR}), gettext_lazy("Отправить на модерацию"),
                   publication_gate=WARN),
        Transition("withdraw", REVIEW, DRAFT, frozenset({AUTHOR}), gettext_lazy("Отозвать")),
        Transition("approve", REVIEW, PUBLISHED, frozenset({MODERATOR}), gettext_lazy("Одобрить"),
                   publication_gate=REFUSE, now_label=gettext_lazy("Одобрить сейчас")),
        Transition("reject", REVIEW, DRAFT, frozenset({MODERATOR}), gettext_lazy("Отклонить"), needs_comment=True),
        Transition("publish", DRAFT, PUBLISHED, frozenset({MODERATOR}), gettext_lazy("Опубликовать"),
                   publication_gate=REFUSE, now_label=gettext_lazy("Опубликовать сейчас")),
        Transition("unpublish", PUBLISHED, ARCHIVED, frozenset({MODERATOR}), gettext_lazy("Снять с публикации")),
        Transition("reopen", ARCHIVED, DRAFT, frozenset({MODERATOR}), gettext_lazy("Вернуть в работу")),
    ]
}  # fmt: skip


class WorkflowError(Exception):
    """A transition was refused; the message says why, in words for the newsroom."""


def roles(user, article) -> set:
    """The roles `user` holds towards `article`: a moderator is one only for the stories of their desks."""
    result = set()
    if not user.is_active or not user.is_staff:
        return result
    if is_moderator(user) and DeskMap.of(user).holds(user, article):
        result.add(MODERATOR)
    if article.author_id == user.pk and user.has_perm("articles.change_article"):
        result.add(AUTHOR)
    return result


def can_view(user, article) -> bool:
    return bool(roles(user, article))


def linkable(user, queryset):
    """What of `queryset` `user` may link an article to: articles and library photos they may see, reference data
    they may view."""
    if queryset.model in (Article, Photo):
        return queryset.visible_to(user)
    options = queryset.model._meta
    if user.has_perm(f"{options.app_label}.{get_permission_codename('view', options)}"):
        return queryset
    return queryset.none()


def readonly_fields(user, article=None) -> tuple:
    """The article fields `user` sees but may not change: the moderators' decisions, for everyone else."""
    if article is None:
        return () if is_moderator(user) else MODERATOR_FIELDS
    return () if MODERATOR in roles(user, article) else MODERATOR_FIELDS


def can_see_plan(user) -> bool:
    """The plan of scheduled and in-review stories is for those who decide on them: it names others' drafts."""
    return user.is_active and user.is_staff and is_moderator(user)


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


def can_discard(user, revision) -> bool:
    """A save that lost a conflict (an unapplied revision) is thrown away by whoever made it, or by a moderator
    of the story's desk."""
    if revision.is_applied or not can_view(user, revision.article):
        return False
    return revision.created_by_id == user.pk or MODERATOR in roles(user, revision.article)


def can_edit(user, article) -> bool:
    """Moderators edit every article in every state; authors only their own drafts."""
    held = roles(user, article)
    return MODERATOR in held or (AUTHOR in held and article.status == DRAFT)


def can_confirm_translation(user, article) -> bool:
    """Who marks a translation as matching its original again: whoever may edit the translation."""
    return article.translation_of_id is not None and can_edit(user, article)


def can_correct(user, article) -> bool:
    """Who adds a correction or update note to a story: whoever may edit it (a moderator of its desk), while readers
    see it. Before publication a story is simply edited; a withdrawn one is reopened."""
    return article.is_live() and can_edit(user, article)


def move_refusal(user, article, region) -> str | None:
    """Why `user` may not move `article` to `region`, or None.

    A story readers can already see, or will see at its time, moves only to a region of the editor's desks:
    otherwise a moderator could publish on their desk and hand the published story to another desk's region.
    """
    if article.status in SHAREABLE_STATES or region == article.region:
        return None
    desk_map = DeskMap.of(user)
    scope = desk_map.scope_of(user)
    desk_id = desk_map.desk_id_for(region.pk if region else None)
    if scope is None or desk_id in scope:
        return None
    desk = desk_map.desks.get(desk_id)
    return _(
        "Этот регион относится к отделу «%(desk)s»: перенести туда опубликованный материал может "
        "его модератор или главный редактор."
    ) % {"desk": desk.name if desk else _("без отдела")}


def can_delete(user, article) -> bool:
    """Only a superuser deletes a story readers have seen (published, archived, or reopened after that: its address,
    corrections and history are on record); authors delete their own drafts that never went out."""
    if user.is_superuser:
        return True
    if article.status in (PUBLISHED, ARCHIVED) or article.has_been_published():
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
    if article.cover and not article.cover.photo.alt_text.strip():
        missing.append(_("описание главного фото (alt)"))
    return missing


def planned_publish_at(article, now=None) -> datetime | None:
    """When the story goes out if the moderator approves it without choosing a time, while that time is ahead.

    The time a moderator already set wins over the one the author proposed; with neither, it goes out at once.
    """
    now = now or timezone.now()
    for moment in (article.publish_at, article.proposed_publish_at):
        if moment is not None and moment > now:
            return moment
    return None


def refusal(user, article, transition) -> WorkflowError:
    """Why `user` may not use `transition` on `article`: naming the desk when only the desk is missing."""
    desk = DeskMap.of(user).desk_for(article)
    if MODERATOR in transition.who and is_moderator(user) and desk is not None:
        return WorkflowError(
            _("Материал относится к отделу «%(desk)s»: действие «%(action)s» доступно его модераторам.")
            % {"desk": desk.name, "action": transition.label}
        )
    return WorkflowError(_("У вас нет права на действие «%(action)s».") % {"action": transition.label})


def apply(article, name, *, by, comment="", publish_at: datetime | None = None, notify=True) -> WorkflowEvent:
    """Check and perform transition `name` on `article` for user `by`, atomically.

    Publishing without `publish_at` publishes at the planned time (planned_publish_at), else now. What the
    publication gate finds missing at a transition it only warns of is left on the event as `missing`.
    """
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
            raise refusal(by, locked, transition)
        if transition.needs_comment and not comment:
            raise WorkflowError(_("Укажите причину: автор увидит её в письме и в истории материала."))
        missing = missing_for_publication(locked) if transition.publication_gate else []
        if missing and transition.publication_gate == REFUSE:
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
            locked.publish_at = publish_at or planned_publish_at(locked, now) or now
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
        if notify:  # False for an import's stories, published elsewhere long ago: news to nobody
            queue_workflow_mail(event)
    event.missing = missing
    for field in ["status", "publish_at", "first_published_at", "slug", "updated_at"]:
        setattr(article, field, getattr(locked, field))
    return event
