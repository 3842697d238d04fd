"""Two-factor sign-in for staff: password, then a code; required for moderators and superusers by the policy."""

import re
import time
from base64 import b32decode
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Article
from newsroom import two_factor
from tests.factories import ArticleFactory, UserFactory
from tests.test_settings import run_manage

pytestmark = pytest.mark.django_db

PASSWORD = "secret-password"  # tests.factories.UserFactory
LOGIN_URL = "/admin/login/"
CODE_URL = "/admin/login/code/"
SETUP_URL = "/admin/two-factor/"
SECRET = re.compile(r'id="two-factor-secret">([A-Z2-7 ]+)<')
RECOVERY_CODES = re.compile(r"<li><code>([a-z2-7]{8})</code></li>")


@pytest.fixture
def frozen_clock():
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, 10, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def code_from_key(key, steps_ahead=0):
    """The code an authenticator app shows for `key` now (or `steps_ahead` 30-second steps later)."""
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def code_for(device, steps_ahead=0):
    return code_from_key(device.bin_key, steps_ahead)


def wrong_code_for(device):
    """Six digits that are none of the codes the device accepts around now."""
    accepted = {code_for(device, steps) for steps in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def enrolled(user):
    """Give `user` a confirmed authenticator app and recovery codes, as the setup page does."""
    device = TOTPDevice.objects.create(user=user, name="Телефон", confirmed=True)
    return device, two_factor.replace_recovery_codes(user)


def enrol_through_setup_page(client):
    """Press «Включить», read the key shown, confirm with its code; return the device and the codes shown."""
    client.post(SETUP_URL, {"action": "enable"})
    page = client.get(SETUP_URL).content.decode()
    key = b32decode(SECRET.search(page).group(1).replace(" ", ""))
    shown = client.post(SETUP_URL, {"action": "confirm", "code": code_from_key(key)}).content.decode()
    return TOTPDevice.objects.get(user_id=client.session[SESSION_KEY], confirmed=True), RECOVERY_CODES.findall(shown)


def sign_in_with_password(client, user, next_url="/admin/"):
    return client.post(LOGIN_URL, {"username": user.username, "password": PASSWORD, "next": next_url})


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- the two steps ---


def test_password_alone_does_not_sign_in_a_user_with_two_factor(client, journalist):
    enrolled(journalist)
    response = sign_in_with_password(client, journalist)
    assert response.status_code == 302
    assert response["Location"] == CODE_URL
    assert signed_in_user_id(client) is None
    assert client.get("/admin/").status_code == 302  # to the login page: nobody is signed in
    page = client.get(CODE_URL)
    assert page.status_code == 200
    assert "Код подтверждения" in page.content.decode()


def test_right_code_signs_in_and_verifies_the_session(client, journalist):
    device, _ = enrolled(journalist)
    sign_in_with_password(client, journalist, next_url="/admin/articles/article/")
    response = client.post(CODE_URL, {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/articles/article/"
    assert signed_in_user_id(client) == str(journalist.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/admin/articles/article/").status_code == 200


def test_wrong_code_is_refused_and_repeated_failures_are_throttled(client, journalist, frozen_clock):
    device, _ = enrolled(journalist)
    sign_in_with_password(client, journalist)
    refused = client.post(CODE_URL, {"code": wrong_code_for(device)})
    assert refused.status_code == 200
    assert "Неверный код" in refused.content.decode()
    frozen_clock.shift(1)
    client.post(CODE_URL, {"code": wrong_code_for(device)})
    frozen_clock.shift(2)
    client.post(CODE_URL, {"code": wrong_code_for(device)})  # the third failure: no code for 4 seconds

    throttled = client.post(CODE_URL, {"code": code_for(device)})
    assert "Слишком много неверных кодов подряд. Попробуйте снова через 4 с." in throttled.content.decode()
    assert signed_in_user_id(client) is None

    frozen_clock.shift(4)
    assert client.post(CODE_URL, {"code": code_for(device)}).status_code == 302
    assert signed_in_user_id(client) == str(journalist.pk)


def test_a_code_is_accepted_once(client, journalist):
    device, _ = enrolled(journalist)
    code = code_for(device)
    sign_in_with_password(client, journalist)
    client.post(CODE_URL, {"code": code})
    client.post("/admin/logout/")
    sign_in_with_password(client, journalist)
    assert "Неверный код" in client.post(CODE_URL, {"code": code}).content.decode()
    assert signed_in_user_id(client) is None


def test_recovery_code_works_once_only(client, journalist):
    _, codes = enrolled(journalist)
    sign_in_with_password(client, journalist)
    response = client.post(CODE_URL, {"code": codes[0].upper()}, follow=True)
    assert signed_in_user_id(client) == str(journalist.pk)
    assert "Неиспользованных кодов осталось: 9." in response.content.decode()
    client.post("/admin/logout/")

    sign_in_with_password(client, journalist)
    refused = client.post(CODE_URL, {"code": codes[0]})
    assert "такого кода восстановления нет или он уже использован" in refused.content.decode()
    assert signed_in_user_id(client) is None


def test_pending_step_expires(client, journalist, frozen_clock):
    device, _ = enrolled(journalist)
    sign_in_with_password(client, journalist)
    frozen_clock.shift(two_factor.PENDING_SECONDS + 1)
    response = client.post(CODE_URL, {"code": code_for(device)}, follow=True)
    assert response.redirect_chain == [(LOGIN_URL, 302)]
    assert "Время на ввод кода истекло" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_code_page_without_the_password_step_signs_nobody_in(client, journalist):
    device, _ = enrolled(journalist)
    response = client.post(CODE_URL, {"code": code_for(device)})
    assert response["Location"] == LOGIN_URL
    assert signed_in_user_id(client) is None


def test_session_from_before_two_factor_must_sign_in_again(client, journalist):
    client.force_login(journalist)  # signed in with the password before the device existed
    enrolled(journalist)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


# --- the policy ---


def test_with_the_policy_moderator_without_device_is_held_on_the_setup_page_until_enrolled(client, moderator, settings):
    settings.NEWSROOM_REQUIRE_2FA = True
    article = ArticleFactory(status=Article.Status.REVIEW)
    transition = reverse("admin:articles_article_transition", args=[article.pk, "approve"])

    signed_in = client.post(LOGIN_URL, {"username": "moderator", "password": PASSWORD, "next": "/admin/"}, follow=True)
    assert signed_in.redirect_chain[-1] == (SETUP_URL, 302)
    assert "Для вашей роли двухфакторная защита обязательна" in signed_in.content.decode()
    for url in ["/admin/", "/admin/articles/article/", f"/admin/articles/article/{article.pk}/change/"]:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, SETUP_URL), url
    refused = client.post(transition)
    assert (refused.status_code, refused["Location"]) == (302, SETUP_URL)
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW

    device, codes = enrol_through_setup_page(client)
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/articles/article/").status_code == 200
    client.post(transition)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_with_the_policy_a_superuser_without_device_is_sent_to_the_setup_page(client, settings):
    settings.NEWSROOM_REQUIRE_2FA = True
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.post(LOGIN_URL, {"username": "admin", "password": PASSWORD})
    response = client.get("/admin/auth/user/")
    assert (response.status_code, response["Location"]) == (302, SETUP_URL)


def test_with_the_policy_a_journalist_is_not_forced(client, journalist, settings):
    settings.NEWSROOM_REQUIRE_2FA = True
    sign_in_with_password(client, journalist)
    assert client.get("/admin/articles/article/").status_code == 200


def test_without_the_policy_the_demo_moderator_signs_in_in_one_step(client, moderator, settings):
    settings.NEWSROOM_REQUIRE_2FA = False
    response = sign_in_with_password(client, moderator)
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert signed_in_user_id(client) == str(moderator.pk)
    assert client.get("/admin/").status_code == 200


def test_policy_defaults_on_in_production_and_off_in_debug():
    script = "from django.conf import settings; print(settings.NEWSROOM_REQUIRE_2FA)"
    production = run_manage("shell", "-c", script, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k-" + "x7Qp2" * 12)
    assert production.stdout.splitlines()[-1] == "True", production.stderr
    assert run_manage("shell", "-c", script, DJANGO_DEBUG="1").stdout.splitlines()[-1] == "False"


def test_deploy_check_warns_when_production_turns_the_policy_off():
    result = run_manage(
        "check",
        "--deploy",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-test-key-" + "x7Qp2" * 10,
        DJANGO_ALLOWED_HOSTS="news.example.kz",
        NEWSROOM_REQUIRE_2FA="0",
    )
    assert "(newsroom.W001) NEWSROOM_REQUIRE_2FA is off while DEBUG is off" in result.stdout + result.stderr


# --- the setup page ---


def test_setup_page_is_linked_from_the_admin_header(client, journalist):
    client.force_login(journalist)
    assert f'<a href="{SETUP_URL}">Двухфакторная защита</a>' in client.get("/admin/").content.decode()


def test_journalist_enables_renews_and_disables_two_factor_with_current_codes(client, journalist, frozen_clock):
    client.force_login(journalist)
    device, codes = enrol_through_setup_page(client)
    assert "Двухфакторная защита включена." in client.get(SETUP_URL).content.decode()

    refused = client.post(SETUP_URL, {"action": "renew", "code": wrong_code_for(device)})
    assert "Неверный код" in refused.content.decode()
    assert StaticToken.objects.filter(token=codes[0], device__user=journalist).exists()
    frozen_clock.shift(30)
    renewed = RECOVERY_CODES.findall(
        client.post(SETUP_URL, {"action": "renew", "code": code_for(device)}).content.decode()
    )
    assert len(renewed) == two_factor.RECOVERY_CODE_COUNT
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    frozen_clock.shift(30)
    client.post(SETUP_URL, {"action": "disable", "code": code_for(device)})
    assert not TOTPDevice.objects.filter(user=journalist).exists()
    assert not StaticDevice.objects.filter(user=journalist).exists()
    assert client.get("/admin/").status_code == 200  # still signed in, now without two-factor


def test_disabling_is_refused_while_the_policy_requires_it(client, moderator, settings, frozen_clock):
    settings.NEWSROOM_REQUIRE_2FA = True
    device, _ = enrolled(moderator)
    sign_in_with_password(client, moderator)
    client.post(CODE_URL, {"code": code_for(device)})
    frozen_clock.shift(30)
    response = client.post(SETUP_URL, {"action": "disable", "code": code_for(device)}, follow=True)
    assert "Отключить нельзя: для вашей роли двухфакторная защита обязательна." in response.content.decode()
    assert TOTPDevice.objects.filter(user=moderator, confirmed=True).exists()


# --- nobody sees another person's device ---


def test_journalist_cannot_see_or_touch_another_users_devices_or_keys(client, journalist, moderator):
    device, codes = enrolled(moderator)
    key_in_base32 = two_factor.secret_text(device).replace(" ", "")
    client.force_login(journalist)
    for url in [
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        "/admin/otp_totp/totpdevice/add/",
        "/admin/otp_static/staticdevice/",
    ]:
        assert client.get(url).status_code == 403, url
    # django-otp's own admin serves the key as a page and a QR code; ours has no such pages.
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/", follow=True).status_code == 403
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/", follow=True).status_code == 403
    page = client.get(SETUP_URL).content.decode()
    assert "Двухфакторная защита выключена." in page
    assert key_in_base32 not in page.replace(" ", "")
    # The setup page only ever acts on the signed-in person's own devices.
    client.post(SETUP_URL, {"action": "disable", "code": code_for(device)})
    client.post(SETUP_URL, {"action": "renew", "code": codes[1]})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert StaticToken.objects.filter(device__user=moderator, token=codes[1]).exists()


def test_superuser_sees_devices_but_never_a_key_or_a_recovery_code(client, moderator):
    device, codes = enrolled(moderator)
    superuser = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    listing = client.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200
    assert "moderator" in listing.content.decode()
    pages = [
        client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode(),
        client.get(
            f"/admin/otp_static/staticdevice/{StaticDevice.objects.get(user=moderator).pk}/change/"
        ).content.decode(),
    ]
    for page in pages:
        assert device.key not in page
        assert two_factor.secret_text(device).replace(" ", "") not in page.replace(" ", "")
        assert not any(code in page for code in codes)
    # No page of django-otp's admin shows the key: the address falls through to the admin's generic redirect.
    config = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/", follow=True)
    assert config.redirect_chain[0] == (f"/admin/otp_totp/totpdevice/{device.pk}/config/change/", 302)
    assert device.key not in config.content.decode()
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403


def test_two_factor_pages_have_kazakh_translations():
    with translation.override("kk"):
        assert translation.gettext("Двухфакторная защита выключена.") == "Екі факторлы қорғаныс өшірулі."
        assert translation.gettext("Код подтверждения") == "Растау коды"


def test_after_losing_the_phone_a_recovery_code_signs_in_and_a_new_app_can_be_set_up(client, moderator, settings):
    settings.NEWSROOM_REQUIRE_2FA = True
    lost, codes = enrolled(moderator)
    lost.delete()  # a superuser removed the lost phone in the admin
    sign_in_with_password(client, moderator)
    client.post(CODE_URL, {"code": codes[0]})
    assert client.get("/admin/").status_code == 200
    device, new_codes = enrol_through_setup_page(client)
    assert device.user == moderator
    assert not StaticToken.objects.filter(token__in=codes).exists()
    assert len(new_codes) == two_factor.RECOVERY_CODE_COUNT
