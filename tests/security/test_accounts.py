"""Accounts and sign-in: demo data never resets real accounts; lock-outs key on the real client address."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PROXY = "127.0.0.1"


@pytest.fixture
def behind_proxy(settings):
    settings.NEWSROOM_TRUSTED_PROXIES = [PROXY]


def login(client, username, password, address=None, peer=PROXY):
    headers = {"REMOTE_ADDR": peer}
    if address:
        headers["HTTP_X_FORWARDED_FOR"] = address
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def test_seed_demo_leaves_an_existing_moderator_account_alone(settings):
    settings.DEBUG = True
    editor = UserFactory(username="moderator", is_staff=True, is_superuser=False)
    editor.set_password("a-real-long-passphrase")
    editor.save()
    call_command("seed_demo")
    editor.refresh_from_db()
    assert editor.check_password("a-real-long-passphrase")
    assert not editor.check_password("newsroom-demo")
    assert not editor.is_superuser
    assert not editor.groups.exists()
    assert not get_user_model().objects.filter(username__in=["journalist", "admin"]).exists()


def test_seed_demo_creates_demo_users_only_on_a_database_without_users(settings):
    settings.DEBUG = True
    UserFactory(username="chief", is_staff=True)
    call_command("seed_demo")
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["chief"]


def test_seed_demo_does_not_restore_a_demo_users_rights(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    journalist = get_user_model().objects.get(username="journalist")
    journalist.set_password("changed-by-the-newsroom-1")
    journalist.is_staff = False
    journalist.save()
    journalist.groups.clear()
    call_command("seed_demo")
    journalist.refresh_from_db()
    assert journalist.check_password("changed-by-the-newsroom-1")
    assert not journalist.is_staff
    assert not journalist.groups.exists()


def test_lock_out_behind_the_proxy_is_per_client_address(client, journalist, behind_proxy):
    for _ in range(5):
        login(client, "journalist", "wrong", address="203.0.113.7")
    assert login(client, "journalist", "secret-password", address="203.0.113.7").status_code == 429
    # The journalist at another address (the same nginx in front) is not locked out by the attacker.
    assert login(client, "journalist", "secret-password", address="198.51.100.20").status_code == 302


def test_a_forged_forwarded_for_from_a_client_is_ignored(client, journalist, behind_proxy):
    for number in range(5):
        # A client talking to the app directly cannot pick a new address for every try.
        login(client, "journalist", "wrong", address=f"192.0.2.{number}", peer="198.51.100.99")
    assert login(client, "journalist", "secret-password", peer="198.51.100.99").status_code == 429


def test_the_proxy_chain_is_read_from_the_nearest_hop(client, journalist, behind_proxy):
    # nginx appends the address it saw; anything the client wrote before it is not believed.
    for number in range(5):
        login(client, "journalist", "wrong", address=f"10.9.9.{number}, 203.0.113.7")
    assert login(client, "journalist", "secret-password", address="10.9.9.77, 203.0.113.7").status_code == 429


def test_password_spraying_from_one_address_is_stopped(client, behind_proxy, settings):
    settings.NEWSROOM_LOGIN_ADDRESS_FAILURE_LIMIT = 30
    group = Group.objects.get(name="Journalists")
    for number in range(30):
        user = UserFactory(username=f"reporter{number}", is_staff=True)
        user.groups.add(group)
        # One try per name: far below the per-name limit of five; the thirtieth locks the address.
        expected = 429 if number == 29 else 200
        assert login(client, user.username, "Summer2026!", address="203.0.113.50").status_code == expected
    victim = UserFactory(username="reporter-last", is_staff=True)
    locked = login(client, victim.username, "secret-password", address="203.0.113.50")
    assert locked.status_code == 429
    assert "Слишком много неудачных попыток входа" in locked.content.decode()
    # Other readers of the same site are not affected.
    assert login(client, victim.username, "secret-password", address="198.51.100.1").status_code == 302


def test_a_forged_forwarded_proto_does_not_make_a_request_secure(client, settings):
    settings.NEWSROOM_SITE_URL = ""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # as in production
    response = client.get(reverse("feed"), HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="198.51.100.99")
    assert response.status_code == 200
    assert b"https://testserver" not in response.content
    assert b"http://testserver/" in response.content


def test_the_trusted_proxys_forwarded_proto_is_believed(client, settings, behind_proxy):
    settings.NEWSROOM_SITE_URL = ""
    response = client.get(reverse("feed"), HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=PROXY)
    assert b"https://testserver" in response.content


def test_a_user_name_longer_than_any_account_is_refused_calmly(client):
    response = client.post(LOGIN, {"username": "x" * 300, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_signing_in_with_a_foreign_next_leads_to_the_desk(client, journalist):
    response = client.post(
        LOGIN, {"username": "journalist", "password": "secret-password", "next": "https://evil.example/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_a_proxy_named_by_host_name_is_an_error_and_trusts_nobody(client, settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.NEWSROOM_TRUSTED_PROXIES = ["nginx"]
    with pytest.raises(SystemCheckError, match="newsroom.E001"):
        call_command("check")
    response = client.get("/robots.txt", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response.wsgi_request.scheme == "http"


@pytest.mark.parametrize(
    ("peer", "forwarded"),
    [("::ffff:127.0.0.1", "203.0.113.7"), (PROXY, "203.0.113.7:51234"), (PROXY, "[2001:db8::7]:443")],
)
def test_proxies_and_clients_are_read_in_the_forms_proxies_write_them(client, behind_proxy, peer, forwarded):
    response = client.get("/robots.txt", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert response.wsgi_request.META["REMOTE_ADDR"] == forwarded.rsplit(":", 1)[0].strip("[]")
