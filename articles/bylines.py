"""Who a story is by, as readers see it: the byline or the author, then the co-authors, each with their page."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist

from newsroom import edge


@dataclass(frozen=True)
class Credit:
    name: str
    url: str = ""  # the author's page, when their profile is public
    person: str | None = None  # the edge key of the pages naming them (newsroom/edge.py), purged by their profile


def profile_of(user):
    """The user's AuthorProfile, or None (read with select_related("author_profile") to ask no query)."""
    try:
        return user.author_profile
    except ObjectDoesNotExist:
        return None


def display_name(user):
    """The name readers see for `user`: their profile's, else their full name, else their login."""
    profile = profile_of(user)
    return (profile.name if profile else "") or user.get_full_name() or user.get_username()


def credit_of(user):
    profile = profile_of(user)
    url = profile.get_absolute_url() if profile and profile.is_shown() else ""
    return Credit(display_name(user), url, edge.key("person", user.pk))


def credits(article, coauthors):
    """The story's byline (its free text, else its author) and then its co-authors, in order, without repeats."""
    lead = Credit(article.byline) if article.byline else credit_of(article.author)
    shown = [lead]
    for user in coauthors:
        if user.pk != article.author_id or article.byline:
            credit = credit_of(user)
            if credit not in shown:
                shown.append(credit)
    return shown


def read_authors(missing):
    """Authors by id with what a byline shows, their profile's name and page included (kept per content
    generation: a desk has a few dozen)."""
    users = get_user_model().objects.filter(pk__in=[pk for (pk,) in missing]).select_related("author_profile")
    shown = ("first_name", "last_name", "username", "is_active", *(f"author_profile__{name}" for name in PROFILE))
    authors = {(user.pk,): user for user in users.only(*shown)}
    return {parts: authors.get(parts) for parts in missing}


# What a byline reads of an author's profile.
PROFILE = ("name", "slug", "is_public", "user")
