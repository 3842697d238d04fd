import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation

from newsroom.caching import forget_local_copies
from newsroom.generation import forget_generation
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def russian_interface():
    """A /kk/ request must not leave Kazakh active for the next test."""
    translation.activate("ru")
    yield
    translation.activate("ru")


@pytest.fixture(autouse=True)
def pages_stored_at_first_miss(settings):
    """Tests read a page twice to see the cache answer; tests/test_page_cache_admission.py keeps the default."""
    settings.NEWSROOM_PAGE_CACHE_STORE_AFTER = 1


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (pages, navigation, counters, login attempts) and generation."""
    cache.clear()
    forget_local_copies()
    forget_generation()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads of each test go to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    """Files the application keeps under var/ (imports waiting for confirmation) go to each test's own."""
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.fixture
def journalist(db):
    user = UserFactory(username="journalist", is_staff=True)
    user.groups.add(Group.objects.get(name="Journalists"))
    return user


@pytest.fixture
def other_journalist(db):
    user = UserFactory(username="journalist2", is_staff=True)
    user.groups.add(Group.objects.get(name="Journalists"))
    return user


@pytest.fixture
def moderator(db):
    user = UserFactory(username="moderator", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def moderator_client(client, moderator):
    """The test client, signed in as the moderator."""
    client.force_login(moderator)
    return client
