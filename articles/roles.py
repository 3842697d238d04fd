"""Who a user is at the newsroom's desk, from their account and permissions alone.

The article querysets ask these, and the workflow builds its rules on them; this module imports no model,
so both may use it.
"""

from django.db.models import Q

PUBLISH_PERMISSION = "articles.publish_article"


def is_moderator(user) -> bool:
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def sees_every_article(user) -> bool:
    """Whether `user` sees every article in every state (a moderator at the desk)."""
    return user.is_active and user.is_staff and is_moderator(user)


def own_articles(user) -> Q:
    """The articles an author works on, as a filter: their own, if they may write at all (see workflow.roles)."""
    if user.is_active and user.is_staff and user.has_perm("articles.change_article"):
        return Q(author=user)
    return Q(pk__in=[])


def sees_readership(user) -> bool:
    """Whether `user` may open «Что читают»: editors see every story's figures, authors their own stories'."""
    return sees_every_article(user) or (user.is_active and user.is_staff and user.has_perm("articles.change_article"))
