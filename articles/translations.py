"""A translation kept in step with its original: the «перевод устарел» flag and its confirmation.

A translation is stale while its original's title, lead or body changed (Article.text_changed_at) after the
translation was last checked against it (Article.translation_checked_at): one comparison of two times, asked of
one story (Article.is_stale_translation) or of many (ArticleQuerySet.stale_translations). Editors see it on the
change page and in the list; readers never do. Whoever may edit the translation confirms it, in the audit trail.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles import workflow
from articles.models import Article, WorkflowEvent

CONFIRM = "confirm_translation"
# How the audit trail names it (WorkflowEvent.transition), beside the workflow's transitions.
ACTIONS = {CONFIRM: gettext_lazy("Перевод подтверждён актуальным")}


def confirm(article, *, by) -> WorkflowEvent:
    """Record that `by` checked the translation `article` against its original as it is now.

    Only the time is written: the story readers see does not change, so no page is rendered anew.
    """
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if not workflow.can_confirm_translation(by, locked):
            raise workflow.WorkflowError(_("У вас нет права подтвердить этот перевод."))
        now = timezone.now()
        Article.objects.filter(pk=locked.pk).update(translation_checked_at=now)
        event = WorkflowEvent.objects.create(
            article=locked,
            transition=CONFIRM,
            from_status=locked.status,
            to_status=locked.status,
            actor=by,
            comment=_("Перевод сверен с оригиналом и актуален."),
            created_at=now,
        )
    article.translation_checked_at = now
    return event


def checked_revision(article):
    """The original's revision the translation `article` was last checked against, to compare with its text now."""
    if article.translation_of_id is None:
        return None
    checked_at = article.translation_checked_at or article.created_at  # never checked: as when it was made
    revisions = article.translation_of.revisions.filter(is_applied=True, created_at__lte=checked_at)
    return revisions.order_by("-created_at", "-id").first()
