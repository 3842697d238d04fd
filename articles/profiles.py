"""Who keeps which author profile (articles.AuthorProfile): the admin asks here, as it asks articles.workflow."""

from articles.roles import is_moderator


def keeps_every_profile(user) -> bool:
    """Moderators and superusers keep every author profile; the rest of the desk, their own."""
    return user.is_active and user.is_staff and (user.is_superuser or is_moderator(user))


def can_edit_profile(user, profile) -> bool:
    return keeps_every_profile(user) or (user.is_active and user.is_staff and profile.user_id == user.pk)
