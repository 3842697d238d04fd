"""«Что читают» in Chromium: a moderator opens it from the admin index, filters it, downloads the table, and
axe-core finds nothing serious on it."""

import csv
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import HourlyCount
from regions.models import Region
from tests.e2e.test_accessibility import assert_no_serious_violation
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "secret-password"  # tests.factories.UserFactory
TIMEOUT_MS = 20_000
PHONE, DESKTOP = 375, 1280


@pytest.fixture
def read_stories(transactional_db, journalist):
    north = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    society = SectionFactory(name="Общество", slug="obshchestvo")
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for number, (title, views) in enumerate([("Форум в Петропавловске", 120), ("Уборка в районе Шал акына", 45)]):
        story = ArticleFactory(published=True, title=title, region=north, section=society, author=journalist)
        HourlyCount.objects.create(article=story, hour=hour, views=views, shares=number + 1)
        HourlyCount.objects.create(article=story, hour=hour - timezone.timedelta(days=2), views=views // 3)


@pytest.fixture
def signed_in(browser, live_server):
    """signed_in(user, width) -> a page in a new browser context, signed in through the admin's form."""
    contexts = []

    def sign_in(user, width=DESKTOP, **options):
        context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": 900}, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#login-form [type=submit]").click()
        page.wait_for_url(f"{live_server.url}/admin/")
        return page

    expect.set_options(timeout=TIMEOUT_MS)
    yield sign_in
    for context in contexts:
        context.close()
    expect.set_options(timeout=5_000)


def breakdown(page):
    return page.locator("table", has=page.locator("caption", has_text="Просмотры и репосты за период"))


def test_moderator_reads_filters_and_downloads_what_readers_read(live_server, signed_in, moderator, read_stories):
    page = signed_in(moderator)
    page.get_by_role("link", name="Что читают").click()
    page.wait_for_url(f"{live_server.url}/admin/articles/hourlycount/")

    expect(page.locator("h1")).to_have_text("Что читают")
    expect(page.locator("[data-total=views]")).to_have_text("220")  # the last 7 days: today and two days ago
    expect(breakdown(page).locator("tbody tr").first).to_contain_text("Форум в Петропавловске")
    expect(page.get_by_role("img", name="Больше всего просмотров")).to_be_visible()
    expect(page.get_by_role("img", name="Просмотры и репосты по дням")).to_be_visible()
    expect(page.locator("#most-read-hour + ol li").first).to_contain_text("Форум в Петропавловске — просмотров: 120")

    page.get_by_label("Разбивка").select_option(label="по регионам")
    page.get_by_role("button", name="Показать").click()
    expect(breakdown(page).locator("tbody tr")).to_have_count(1)
    expect(breakdown(page).locator("tbody tr").first).to_contain_text("Северо-Казахстанская область")

    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать таблицу (CSV)").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows == [["Регион", "Материалов", "Просмотры", "Репосты"], ["Северо-Казахстанская область", "2", "220", "3"]]

    page.get_by_label("Период").select_option(label="Свои даты")
    page.get_by_label("С:", exact=True).fill("2026-12-03")
    page.get_by_label("По:", exact=True).fill("2026-12-01")
    page.get_by_role("button", name="Показать").click()
    expect(page.locator(".errorlist")).to_contain_text("Начальная дата позже конечной.")
    expect(page.get_by_label("С:", exact=True)).to_have_value("2026-12-03")  # nothing typed is lost
    expect(page.locator("[data-total=views]")).to_have_count(0)


@pytest.mark.parametrize("width", [pytest.param(DESKTOP, id="1280px"), pytest.param(PHONE, id="375px")])
def test_axe_finds_no_serious_violation_on_the_dashboard(live_server, signed_in, moderator, read_stories, width):
    page = signed_in(moderator, width, bypass_csp=True)
    url = f"{live_server.url}/admin/articles/hourlycount/?period=30"
    page.goto(url, wait_until="load")
    expect(page.locator("h1")).to_have_text("Что читают")
    expect(page.get_by_role("img", name="Больше всего просмотров")).to_be_visible()

    assert_no_serious_violation(page, url, width)
