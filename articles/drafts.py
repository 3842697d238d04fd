"""Autosaved drafts of the article form: each person's own unsaved text, offered back, never applied by itself.

The form (static/js/autosave.js) posts what is typed every few seconds under a key of its own opening. A draft is
only ever shown to the person who typed it, on a form they may still edit; restoring one fills the form, and the
person saves through the usual form, its cleaning and its check for someone else's save (articles/forms.py).
"""

import re
import secrets
from datetime import datetime

from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import ArticleDraft
from articles.sanitize import sanitize_html

# The most drafts one person keeps; beyond it the oldest go. Each opening of a form on which something was typed
# and not saved leaves one for NEWSROOM_DRAFT_DAYS; a journalist has a handful.
DRAFTS_PER_PERSON = 50
# The most drafts a form offers back at once, newest first.
OFFERED = 5
# The most choices one list (cities, party organisations) may hold in a draft.
MOST_CHOICES = 500
KEY = re.compile(r"[0-9a-f]{32}")
# Fields the form keeps apart from the text: the version it was opened at, and the person's conflict choices.
VERSION_FIELDS = ("base_version", "seen_version")


class DraftError(ValueError):
    """A draft was refused; the message says why."""


def new_key() -> str:
    return secrets.token_hex(16)


def is_key(value) -> bool:
    return isinstance(value, str) and KEY.fullmatch(value) is not None


def max_bytes() -> int:
    return settings.NEWSROOM_DRAFT_MAX_KB * 1024


def input_names(form_fields) -> set:
    """The names the form's inputs post for `form_fields` (a form's base_fields), photos and versions aside."""
    names = set()
    for name, field in form_fields.items():
        if name in VERSION_FIELDS or isinstance(field, forms.FileField):
            continue
        names.add(name)
        if isinstance(field, forms.MultiValueField):  # a date and a time: publish_at_0, publish_at_1
            names.update(f"{name}_{index}" for index in range(len(field.fields)))
    return names


def is_choice(value) -> bool:
    """A chosen option as the form shows it: [value, label]."""
    return isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value)


def is_field_value(value) -> bool:
    if isinstance(value, (str, bool)):
        return True
    return isinstance(value, list) and len(value) <= MOST_CHOICES and all(is_choice(item) for item in value)


def clean(payload, form_fields) -> tuple[int | None, dict]:
    """The version and the fields of a posted draft, keeping only what the person's form has; else DraftError.

    Inputs the form has that are no field of it (widgets' own) are left out, not refused. The body is sanitised
    as a saved story's is, so a draft holds nothing a story could not.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("fields"), dict):
        raise DraftError(_("Черновик не прочитан: нет полей формы."))
    base_version = payload.get("base_version")
    if base_version is not None and (type(base_version) is not int or base_version < 0):
        raise DraftError(_("Черновик не прочитан: неверная версия материала."))
    names = input_names(form_fields)
    fields = {}
    for name, value in payload["fields"].items():
        if name not in names:
            continue
        if not is_field_value(value):
            raise DraftError(_("Черновик не прочитан: неверное значение поля «%(name)s».") % {"name": name})
        fields[name] = value
    if isinstance(fields.get("body"), str):
        fields["body"] = sanitize_html(fields["body"])
    return base_version, fields


def keep(user, article, key, base_version, fields) -> ArticleDraft:
    """Write the draft of the form `key` of `user` (on `article`, None for a new story), dropping their oldest."""
    with transaction.atomic():
        draft, _created = ArticleDraft.objects.update_or_create(
            user=user,
            key=key,
            defaults={"article": article, "base_version": base_version, "data": fields, "saved_at": timezone.now()},
        )
        surplus = list(ArticleDraft.objects.of(user).values_list("pk", flat=True)[DRAFTS_PER_PERSON:])
        if surplus:
            ArticleDraft.objects.filter(pk__in=surplus).delete()
    return draft


def offers(user, article, *, but=None) -> list[dict]:
    """The drafts of `user` to offer on the form of `article` (None: a new story), except the form `but`'s own."""
    drafts = ArticleDraft.objects.of(user).for_article(article).fresh().exclude(key=but or "")[:OFFERED]
    return [
        {
            "key": draft.key,
            "base_version": draft.base_version,
            "fields": draft.data,
            "saved_at": timezone.localtime(draft.saved_at).strftime("%d.%m.%Y %H:%M"),
        }
        for draft in drafts
    ]


def discard(user, key):
    ArticleDraft.objects.of(user).filter(key=key).delete()


def forget_saved(user, article, *, key, opened_at, added):
    """After `user` saved the form `key` of `article`: drop its draft and, on a story's form, the drafts offered there.

    The drafts of that story written before the form was opened were offered on it and not taken; those of
    another form still open (written since) stay. The drafts of other new stories stay.
    """
    drafts = ArticleDraft.objects.of(user)
    mine = Q(key=key) if is_key(key) else Q(pk__in=[])
    if not added and opened_at is not None:
        mine |= Q(article=article, saved_at__lt=opened_at)
    drafts.filter(mine).delete()


def parse_moment(value) -> datetime | None:
    """The form's opening time as the page wrote it (an ISO time), or None."""
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None
