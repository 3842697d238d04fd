"""Two-factor sign-in for staff: who must use it, the step between password and code, each person's devices."""

import math
import time
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import user_has_device, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles import workflow

# What the admin may show a signed-in staff member (see NewsroomAdminSite.has_permission).
ALLOWED = "allowed"
VERIFY = "verify"  # has a device, but this session was not confirmed with a code: sign in again
ENROL = "enrol"  # the policy requires two-factor sign-in and there is no device yet: only the setup page

PENDING_SESSION_KEY = "two_factor_pending"
# Time between a right password and the code; after it, the password is asked again.
PENDING_SECONDS = 5 * 60
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Приложение-аутентификатор"
RECOVERY_DEVICE_NAME = "Коды восстановления"


def is_required_for(user):
    """Tell whether the policy makes `user` (a moderator or a superuser) sign in with a code."""
    return bool(settings.NEWSROOM_REQUIRE_2FA and user.is_active and workflow.is_moderator(user))


def has_device(user):
    """Tell whether `user` has confirmed two-factor sign-in."""
    return user_has_device(user, confirmed=True)


def has_app(user):
    """Tell whether `user` has a confirmed authenticator app (recovery codes alone do not count)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def admin_access(request):
    """Say whether the signed-in staff member may use the admin: ALLOWED, VERIFY or ENROL."""
    user = request.user
    if user.is_verified():
        return ALLOWED
    if not hasattr(request, "two_factor_has_device"):
        request.two_factor_has_device = has_device(user)
    if request.two_factor_has_device:
        return VERIFY
    return ENROL if is_required_for(user) else ALLOWED


# --- the sign-in step between a right password and a right code ---


def start_pending(request, user, redirect_to):
    """Remember, for PENDING_SECONDS, that `user` gave the right password and must now give a code."""
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "next": redirect_to,
        "at": time.time(),
    }


def pending_sign_in(request):
    """Return the pending (user, backend, next URL), or None when there is none or it has expired."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending:
        return None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True, is_staff=True).first()
    if user is None or time.time() - pending["at"] > PENDING_SECONDS:
        clear_pending(request)
        return None
    return user, pending["backend"], pending["next"]


def clear_pending(request):
    request.session.pop(PENDING_SESSION_KEY, None)


# --- codes ---


def normalise(code):
    """Drop spaces and dashes people type into codes; recovery codes are stored in lower case."""
    return "".join(code.split()).replace("-", "").lower()


def is_totp_code(code):
    return len(code) == 6 and code.isdigit()


def refusal_while_throttled(device):
    """Return why `device` refuses codes for now (too many wrong ones), or None."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    seconds = max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))
    return _("Слишком много неверных кодов подряд. Попробуйте снова через %(seconds)s с.") % {"seconds": seconds}


def wrong_code_message(is_totp):
    if is_totp:
        return _(
            "Неверный код. Введите шесть цифр, которые приложение показывает сейчас; каждый код принимается один раз."
        )
    return _("Код не подошёл: такого кода восстановления нет или он уже использован.")


def check_code(user, code):
    """Verify a current TOTP code or an unused recovery code of `user`: return (device, None) or (None, reason)."""
    code = normalise(code)
    model = TOTPDevice if is_totp_code(code) else StaticDevice
    device = model.objects.devices_for_user(user, confirmed=True).first()
    if device is None:
        return None, wrong_code_message(model is TOTPDevice)
    refusal = refusal_while_throttled(device)
    if refusal:
        return None, refusal
    accepted = verify_token(user, device.persistent_id, code)  # locks the device row; throttles failures
    if accepted is None:
        return None, wrong_code_message(model is TOTPDevice)
    return accepted, None


# --- setting it up ---


def unconfirmed_totp_device(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=False).first()


def start_enrolment(user):
    """Create an unconfirmed TOTP device with a new random key, replacing an earlier unconfirmed one."""
    TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def confirm_enrolment(device, code):
    """Confirm `device` with a code from the app: return (recovery codes, None) or (None, reason)."""
    code = normalise(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        refusal = refusal_while_throttled(device)
        if refusal:
            return None, refusal
        if not (is_totp_code(code) and device.verify_token(code)):
            return None, wrong_code_message(is_totp=True)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return replace_recovery_codes(device.user), None


def replace_recovery_codes(user):
    """Give `user` RECOVERY_CODE_COUNT new single-use codes; the old ones stop working."""
    device = StaticDevice.objects.filter(user=user).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def is_recovery_code_device(device):
    return isinstance(device, StaticDevice)


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def disable(user):
    """Remove every two-factor device of `user`."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def secret_text(device):
    """The key in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device):
    """The device's otpauth:// address as a QR code, an SVG data URI (the admin's CSP allows data: images)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")
