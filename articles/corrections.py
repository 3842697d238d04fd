"""A story's correction and update notes: adding, changing and removing them, checked and recorded.

Who may is articles.workflow.can_correct (adding) and can_change() below (changing, removing). Every step is
a WorkflowEvent in the story's audit trail («События редакционного процесса»), a change and a removal with the
text as it was, so a note never changes or disappears without a trace. The story is marked as updated (its
corrected_at, shown as «Обновлено», in its JSON-LD dateModified and in the feeds) when a note is added, and its
updated_at (the sitemaps' lastmod) moves at every step; the note's own signals move the content generation, purge
the edge and render the story's stored part again (articles/apps.py, articles/story_parts.py).
"""

from django.db import transaction
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles import workflow
from articles.models import Article, Correction, DeskMap, WorkflowEvent
from articles.models.corrections import TEXT_MAX_LENGTH
from articles.roles import is_moderator

ADDED, CHANGED, REMOVED = "correction_added", "correction_changed", "correction_removed"
# How the audit trail names them (WorkflowEvent.transition), beside the workflow's transitions.
ACTIONS = {
    ADDED: gettext_lazy("Добавлено исправление или обновление"),
    CHANGED: gettext_lazy("Изменено исправление или обновление"),
    REMOVED: gettext_lazy("Удалено исправление или обновление"),
}


def can_change(user, correction) -> bool:
    """Who fixes or removes a note (a typo, a duplicate): a moderator of its story's desk, in whatever state the story
    is now. Not its author, even once a reopened story is their draft again: a correction readers saw is the desk's
    word. Each change and removal is kept in the story's audit trail with the text as it was."""
    return workflow.MODERATOR in workflow.roles(user, correction.article)


class CorrectionError(Exception):
    """A note was refused; the message says why, in words for the newsroom."""


def add(article, *, by, kind, text):
    """Add a note to `article` for user `by`, marking the story as updated; refuse what the rules do not allow."""
    text = clean_text(text)
    kind = clean_kind(kind)
    if not workflow.can_correct(by, article):
        raise refusal(by, article)
    now = timezone.now()
    with transaction.atomic():
        correction = Correction.objects.create(article=article, kind=kind, text=text, created_at=now, created_by=by)
        Article.objects.filter(pk=article.pk).update(
            corrected_at=Greatest(Coalesce("corrected_at", now), now), updated_at=now
        )
        record(ADDED, article, by, now, text)
    return correction


def change(correction, *, by, kind, text):
    """Change a note's kind and text (a typo, a wrong kind); the earlier text stays in the audit trail."""
    text = clean_text(text)
    kind = clean_kind(kind)
    if not can_change(by, correction):
        raise CorrectionError(_("Исправлять эту заметку могут модераторы отдела, к которому относится материал."))
    if (kind, text) == (correction.kind, correction.text):
        return correction
    now = timezone.now()
    with transaction.atomic():
        before = f"{correction.get_kind_display()}: {correction.text}"
        correction.kind, correction.text = kind, text
        correction.edited_at, correction.edited_by = now, by
        correction.save(update_fields=["kind", "text", "edited_at", "edited_by"])
        Article.objects.filter(pk=correction.article_id).update(updated_at=now)
        record(CHANGED, correction.article, by, now, _("Было: %(text)s") % {"text": before})
    return correction


def remove(correction, *, by):
    """Remove a note (one posted by mistake or twice); its text stays in the audit trail."""
    if not can_change(by, correction):
        raise CorrectionError(_("Удалять эту заметку могут модераторы отдела, к которому относится материал."))
    now = timezone.now()
    with transaction.atomic():
        article = correction.article
        text = f"{correction.get_kind_display()}: {correction.text}"
        correction.delete()
        Article.objects.filter(pk=article.pk).update(updated_at=now)
        record(REMOVED, article, by, now, text)


def clean_text(text):
    text = (text or "").strip()
    if not text:
        raise CorrectionError(_("Напишите, что исправлено или добавлено: читатели увидят этот текст."))
    if len(text) > TEXT_MAX_LENGTH:
        raise CorrectionError(
            _("Текст длиннее %(limit)s знаков (сейчас %(length)s).") % {"limit": TEXT_MAX_LENGTH, "length": len(text)}
        )
    return text


def clean_kind(kind):
    if kind not in Correction.Kind.values:
        raise CorrectionError(_("Выберите вид заметки: исправление или обновление."))
    return kind


def refusal(user, article):
    """Why `user` may not add a note to `article`: the story is not live, or it is another desk's."""
    if not article.is_live():
        return CorrectionError(
            _(
                "Исправление добавляется к опубликованному материалу, который видят читатели; "
                "до публикации материал просто редактируют."
            )
        )
    desk = DeskMap.of(user).desk_for(article)
    if is_moderator(user) and desk is not None:
        return CorrectionError(
            _("Материал относится к отделу «%(desk)s»: исправление к нему добавляют его модераторы.")
            % {"desk": desk.name}
        )
    return CorrectionError(_("Исправления к опубликованным материалам добавляют модераторы."))


def record(action, article, by, now, comment):
    WorkflowEvent.objects.create(
        article=article,
        transition=action,
        from_status=article.status,
        to_status=article.status,
        actor=by,
        comment=comment,
        created_at=now,
    )
