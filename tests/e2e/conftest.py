import os
import shutil

import pytest

CHROMIUM = os.environ.get("NEWSROOM_CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# tests around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


_serialized_contents = {}


def keep_serialized_contents():
    """Keep the database snapshot that serialized_rollback restores between browser tests.

    Django keeps it on the connection object, which lives in a context-local; once Playwright's
    greenlets have run, the test thread may get a fresh connection object without it, and the
    flush after a test and the restore before the next would then leave an empty database.
    """
    from django.db import connections

    connection = connections["default"]
    if hasattr(connection, "_test_serialized_contents"):
        _serialized_contents.setdefault("default", connection._test_serialized_contents)
    elif "default" in _serialized_contents:
        connection._test_serialized_contents = _serialized_contents["default"]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    keep_serialized_contents()


@pytest.fixture(autouse=True)
def serialized_contents_at_hand(django_db_setup):
    """When this folder runs alone, the snapshot is made on a connection object the test thread no longer has by
    the first browser test's setup: take one again then, from the database as the migrations left it."""
    from django.db import connections

    keep_serialized_contents()
    connection = connections["default"]
    if not hasattr(connection, "_test_serialized_contents"):
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()
        keep_serialized_contents()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item):
    keep_serialized_contents()


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}; .ci/run installs it")
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        # Started before the first browser test's database setup: give the snapshot back to the connection
        # object the test thread has now, or a database emptied by an earlier transactional test stays empty.
        keep_serialized_contents()
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


PASSWORD = "secret-password"  # tests.factories.UserFactory
# An admin page with CKEditor and select2 loads many static files from the live server;
# on a busy machine that takes longer than Playwright's default 5 s for `expect`.
TIMEOUT_MS = 20_000


@pytest.fixture
def open_browser_as(browser, live_server):
    """open_browser_as(user, **context_options) -> a page in a new browser context, logged in through the admin
    form; open_browser_as(None) -> an anonymous reader's page."""
    from playwright.sync_api import expect

    contexts = []
    expect.set_options(timeout=TIMEOUT_MS)

    def open_as(user, **options):
        context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900}, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            page.goto(f"{live_server.url}/admin/login/")
            page.locator("#id_username").fill(user.username)
            page.locator("#id_password").fill(PASSWORD)
            page.locator("#login-form [type=submit]").click()
            page.wait_for_url(f"{live_server.url}/admin/")
            expect(page.locator("#user-tools")).to_contain_text(user.first_name or user.username)
        return page

    yield open_as
    for context in contexts:
        context.close()
    expect.set_options(timeout=5_000)  # Playwright's default, for the other browser tests
