"""What a translation follows of its original: when the translated text changed, and whether a translation is stale.

A translation is stale while its original's title, lead or body changed (Article.text_changed_at) after the
translation was last checked against it (Article.translation_checked_at): one comparison of two times, for one
story here, for many in ArticleQuerySet.stale_translations(). The confirmation is articles/translations.py.
"""

import re

from django.db import models
from django.utils import timezone

# What a translation renders of its original: a change to any of them makes the story's translations stale.
TRANSLATED_FIELDS = ("title", "lead", "body")


def stamp_text_change(article):
    """Note when `article`'s translated text changes, and when it becomes a translation of another (made from the
    original as it is now); a save that changes neither leaves both times alone. Called by a content save."""
    saved = None
    if article.pk is not None:
        saved = type(article).objects.filter(pk=article.pk).values_list(*TRANSLATED_FIELDS, "translation_of_id").first()
    now = timezone.now()
    text = [comparable(getattr(article, name)) for name in TRANSLATED_FIELDS]
    if saved is None or [comparable(value) for value in saved[:-1]] != text:
        article.text_changed_at = now
    if article.translation_of_id is not None and (saved is None or saved[-1] != article.translation_of_id):
        article.translation_checked_at = now


def comparable(value):
    """`value` without the whitespace an editor adds or drops around tags and lines (CKEditor formats its HTML)."""
    return " ".join(re.sub(r">\s+<", "><", value or "").split())


def is_stale_translation(article) -> bool:
    """Whether `article` translates a story whose text changed after the translation was last checked against it."""
    if article.translation_of_id is None:
        return False
    changed_at = article.translation_of.text_changed_at
    if changed_at is None:
        return False
    return article.translation_checked_at is None or changed_at > article.translation_checked_at


def stale_translation():
    """The condition of a stale translation, for querysets (is_stale_translation for one story)."""
    changed_at = "translation_of__text_changed_at"
    return models.Q(**{f"{changed_at}__gt": models.F("translation_checked_at")}) | models.Q(
        **{f"{changed_at}__isnull": False, "translation_checked_at__isnull": True}
    )
