"""The home page as moderators arrange it: what readers see of it, and changing it (checked and recorded).

Who may change it is articles.workflow.can_arrange_front_page; every change is a WorkflowEvent, the audit trail
of the admin's «События редакционного процесса».
"""

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles import workflow
from articles.models import Article, BreakingBanner, FrontPageSlot, WorkflowEvent
from articles.models.article_queryset import COVER_COLUMNS, LISTING_FIELDS
from articles.models.front_page import SLOT_COUNT
from newsroom import generation
from newsroom.caching import kept

PIN, UNPIN = "pin", "unpin"
BANNER_UP, BANNER_DOWN = "banner_up", "banner_down"
# How the audit trail names them (WorkflowEvent.transition), beside the workflow's transitions.
ACTIONS = {
    PIN: gettext_lazy("Закреплён на главной"),
    UNPIN: gettext_lazy("Откреплён с главной"),
    BANNER_UP: gettext_lazy("Плашка «Срочно» показана"),
    BANNER_DOWN: gettext_lazy("Плашка «Срочно» снята"),
}


class FrontPageError(Exception):
    """A change of the home page was refused; the message says why, in words for the newsroom."""


def pinned_stories():
    """{position: story} of the live pins whose story readers of this page's language see now.

    Kept per content generation (and language): a pin, a story's withdrawal and a pin's end time all move it.
    """
    return kept("front-page", compute=read_pinned_stories)


def read_pinned_stories():
    slots = (
        FrontPageSlot.objects.live()
        .filter(article__in=Article.objects.public())
        .select_related("article__cover_photo")
        .only(
            "position",
            "article_id",
            *(f"article__{field}" for field in LISTING_FIELDS),
            *(f"article__cover_photo__{field}" for field in COVER_COLUMNS.values()),
        )
    )
    return {slot.position: slot.article for slot in slots}


def arrange(automatic, pinned, count):
    """The first `count` stories of the home page: the pinned ones at their places, the automatic order around them.

    `automatic` is the newest-first order with the main story first; a pinned story is not shown twice.
    """
    pinned_ids = {story.pk for story in pinned.values()}
    rest = iter(story for story in automatic if story.pk not in pinned_ids)
    stories = []
    for position in range(1, count + 1):
        story = pinned.get(position) or next(rest, None)
        if story is not None:
            stories.append(story)
    return stories


def current_banner():
    """The «Срочно» banner readers see now, or None: read with the content generation (no query of its own)."""
    fields = generation.current_banner_fields()
    if fields is None:
        return None
    return BreakingBanner(**{**fields, "ends_at": parse_datetime(fields["ends_at"])})


def refusal_to_pin(article, now=None):
    """Why `article` cannot be pinned (readers cannot see it now), or None."""
    if article.is_live(now):
        return None
    if article.is_scheduled(now):
        return _("«%(title)s» ещё не вышел: закрепить можно только опубликованный материал.") % {"title": article.title}
    return _("«%(title)s» не опубликован (статус «%(status)s»): закрепить можно только опубликованный материал.") % {
        "title": article.title,
        "status": article.get_status_display(),
    }


def describe_until(ends_at):
    if ends_at is None:
        return _("пока не открепят")
    return _("до %(moment)s") % {"moment": timezone.localtime(ends_at).strftime("%d.%m.%Y %H:%M")}


def save(*, by, slots, banner):
    """Apply an arrangement: `slots` {position: (story or None, ends_at)}, `banner` a dict of its fields or None.

    Only what changed is written, each change with its WorkflowEvent, all at once or nothing.
    """
    if not workflow.can_arrange_front_page(by):
        raise FrontPageError(_("Менять главную страницу могут только модераторы и главный редактор."))
    now = timezone.now()
    with transaction.atomic():
        current = {slot.position: slot for slot in FrontPageSlot.objects.select_for_update().live(now)}
        for position in range(1, SLOT_COUNT + 1):
            story, ends_at = slots.get(position, (None, None))
            save_slot(position, current.get(position), story, ends_at, by=by, now=now)
        save_banner(BreakingBanner.objects.select_for_update().live(now).first(), banner, by=by, now=now)


def save_slot(position, slot, story, ends_at, *, by, now):
    if story is None:
        if slot is not None:
            slot.delete()
            record(UNPIN, slot.article, by, now, _("Место %(position)s") % {"position": position})
        return
    if slot is not None and slot.article_id == story.pk and slot.ends_at == ends_at:
        return
    locked = Article.objects.select_for_update().get(pk=story.pk)
    refusal = refusal_to_pin(locked, now)
    if refusal:
        raise FrontPageError(refusal)
    if slot is not None and slot.article_id != story.pk:
        record(UNPIN, slot.article, by, now, _("Место %(position)s") % {"position": position})
    FrontPageSlot.objects.update_or_create(
        position=position, defaults={"article": locked, "ends_at": ends_at, "pinned_by": by, "pinned_at": now}
    )
    record(
        PIN,
        locked,
        by,
        now,
        _("Место %(position)s, %(until)s") % {"position": position, "until": describe_until(ends_at)},
    )


def save_banner(banner, fields, *, by, now):
    if fields is None:
        if banner is not None:
            banner.delete()
            record(BANNER_DOWN, None, by, now, banner.text)
        return
    if banner is not None and all(getattr(banner, name) == value for name, value in fields.items()):
        return
    BreakingBanner.objects.update_or_create(
        pk=BreakingBanner.SINGLETON, defaults={**fields, "created_by": by, "created_at": now}
    )
    record(
        BANNER_UP,
        None,
        by,
        now,
        f"{fields['text']} → {fields['link']}, {describe_until(fields['ends_at'])}",
    )


def record(transition, article, by, now, comment):
    status = article.status if article is not None else ""
    WorkflowEvent.objects.create(
        article=article,
        transition=transition,
        from_status=status,
        to_status=status,
        actor=by,
        comment=comment,
        created_at=now,
    )
