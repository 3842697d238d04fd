"""The staff's middleware (two-factor, messages) runs where staff work, and nowhere else (newsroom/middleware.py)."""

import pytest
from django.contrib import admin
from django.urls import path
from django_otp import DEVICE_ID_SESSION_KEY

from tests.factories import ArticleFactory
from tests.security.test_two_factor import CODE_URL, LOGIN_URL, code_for, enrolled, sign_in_with_password

pytestmark = pytest.mark.django_db

# The admin mounted where no staff path is, for the test that shows the policy failing closed there.
urlpatterns = [path("desk/", admin.site.urls)]


def test_the_admin_and_the_editors_uploads_still_demand_the_second_factor(client, journalist):
    enrolled(journalist)
    client.force_login(journalist)  # the password only
    for url in ["/admin/", "/ckeditor/browse/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN_URL), url


def test_with_the_code_the_admin_and_the_editors_uploads_open(client, journalist):
    device, _ = enrolled(journalist)
    sign_in_with_password(client, journalist)
    client.post(CODE_URL, {"code": code_for(device)})
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/admin/").status_code == 200
    assert client.get("/ckeditor/browse/").status_code == 200


def test_the_admin_still_shows_its_messages(client):
    expired = client.post(CODE_URL, {"code": "123456"})  # no password step before it: the code page says so
    assert expired["Location"] == LOGIN_URL
    assert "Время на ввод кода истекло" in client.get(LOGIN_URL).content.decode()


def test_a_readers_page_engages_neither_the_session_nor_the_staffs_middleware(client, settings):
    ArticleFactory(published=True)
    rendered = client.get("/news/")
    assert rendered["X-Page-Cache"] == "miss"
    assert not rendered.wsgi_request.session.accessed
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # rendered every time: the page cache asks whether someone signed in
    for response in [rendered, client.get("/news/")]:
        request = response.wsgi_request
        assert response.status_code == 200 and not response.cookies
        assert not hasattr(request, "_messages")
        assert not hasattr(request.user, "is_verified")


def test_the_admin_mounted_anywhere_else_fails_closed(client, journalist, settings):
    """Without django-otp's middleware a staff member's is_verified() is missing: an error, never a way in."""
    settings.ROOT_URLCONF = __name__
    client.force_login(journalist)
    with pytest.raises(AttributeError, match="is_verified"):
        client.get("/desk/")
