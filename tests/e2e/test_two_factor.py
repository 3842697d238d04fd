"""A moderator turns on two-factor sign-in in Chromium, then signs in with the code from the app."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "secret-password"  # tests.factories.UserFactory
TIMEOUT_MS = 20_000


def app_code(secret, steps_ahead=0):
    """What an authenticator app shows for the key typed in by hand from the page."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def sign_in_with_password(page, base_url, user):
    page.goto(f"{base_url}/admin/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()


def test_moderator_enables_two_factor_and_signs_in_with_the_code(browser, live_server, moderator, settings):
    settings.NEWSROOM_REQUIRE_2FA = True
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        # Signed in with the password, the moderator can only set up two-factor sign-in.
        sign_in_with_password(page, live_server.url, moderator)
        page.wait_for_url(f"{live_server.url}/admin/two-factor/")
        expect(page.locator("h1")).to_have_text("Двухфакторная защита", timeout=TIMEOUT_MS)
        page.get_by_role("button", name="Включить").click()

        qr_code = page.get_by_role("img", name="QR-код для приложения-аутентификатора")
        expect(qr_code).to_be_visible(timeout=TIMEOUT_MS)
        assert qr_code.get_attribute("src").startswith("data:image/svg+xml")
        secret = page.locator("#two-factor-secret").inner_text()
        page.get_by_label("Код из приложения").fill(app_code(secret))
        page.get_by_role("button", name="Подтвердить").click()
        codes = page.locator(".recovery-codes li")
        expect(codes).to_have_count(10, timeout=TIMEOUT_MS)
        assert TOTPDevice.objects.filter(user=moderator, confirmed=True).exists()

        page.get_by_role("link", name="Я сохранил(а) коды").click()
        expect(page.locator(".two-factor-status")).to_contain_text("Двухфакторная защита включена.")
        page.locator("#logout-form button").click()
        expect(page.get_by_role("link", name="Войти снова")).to_be_visible()  # Django's signed-out page

        # The password alone now leads to the code page; the next code from the app signs in.
        sign_in_with_password(page, live_server.url, moderator)
        page.wait_for_url(f"{live_server.url}/admin/login/code/")
        expect(page.locator("h1")).to_have_text("Код подтверждения")
        # The code used to confirm is spent; the app's next one is accepted (one step of clock tolerance).
        page.get_by_label("Код из приложения или код восстановления").fill(app_code(secret, steps_ahead=1))
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url(f"{live_server.url}/admin/")
        expect(page.locator("#user-tools")).to_contain_text(moderator.first_name)
        expect(page.locator(".review-queue")).to_contain_text("На модерации")
    finally:
        context.close()
