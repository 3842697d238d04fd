import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_repeated_failed_logins_are_throttled_with_a_clear_message(client, journalist):
    url = reverse("admin:login")
    for _ in range(4):
        response = client.post(url, {"username": "journalist", "password": "wrong"})
        assert response.status_code == 200
    assert client.post(url, {"username": "journalist", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "journalist", "password": "secret-password"})
    assert locked.status_code == 429
    assert "Слишком много неудачных попыток входа" in locked.content.decode()
    assert "через 15 мин" in locked.content.decode()


def test_correct_login_works_before_the_limit(client, journalist):
    url = reverse("admin:login")
    client.post(url, {"username": "journalist", "password": "wrong"})
    response = client.post(url, {"username": "journalist", "password": "secret-password", "next": "/admin/"})
    assert response.status_code == 302


def test_admin_sessions_expire_after_inactivity(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST  # the clock restarts with every request
