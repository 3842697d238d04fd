"""Login lock-outs: per user name and address (django-axes), plus a wider limit per address.

The per-name limit stops guessing one account's password; the per-address limit stops one address
from trying a few passwords on each of many accounts (password spraying), which the first never sees.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from newsroom.proxy import client_address


def address_failures(address: str) -> int:
    """Failed logins from `address` within the cool-off time, whatever the user names."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


def is_address_locked(request) -> bool:
    return address_failures(client_address(request)) >= settings.NEWSROOM_LOGIN_ADDRESS_FAILURE_LIMIT


class LoginThrottle(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        """Refuse to check the password at all while the name or the address is locked out."""
        return super().is_locked(request, credentials) or is_address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """Answer with the lock-out page (429) when the address is locked, as for a locked name."""
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and is_address_locked(request):
            request.axes_locked_out = True
