"""Front page control in Chromium: a moderator pins a story and puts up «Срочно»; readers' home passes axe-core."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles import front_page
from tests.e2e import test_accessibility
from tests.e2e.test_accessibility import AXE_JS, AXE_VERSION, BLOCKING_IMPACTS, DESKTOP, PHONE, WCAG_TAGS
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The accessibility tests' browser fixture: a page of a given width (open_browser_as is the e2e conftest's).
open_page = test_accessibility.open_page
BANNER_TEXT = "Штормовое предупреждение: на трассе Петропавловск — Кокшетау метель до утра"


@pytest.fixture
def stories(transactional_db):
    """Four published stories, the newest first; the oldest is the one editors will hold in the lead."""
    section = SectionFactory(name="Общество", slug="obshchestvo")
    now = timezone.now()
    titles = [
        "В Петропавловске открыли новую поликлинику",
        "Аграрии области завершили уборочную кампанию",
        "Молодёжный форум собрал волонтёров трёх областей",
        "Паводок: в районе Шал акына готовят дамбы",
    ]
    return [
        ArticleFactory(
            published=True,
            in_north_kazakhstan=True,
            section=section,
            title=title,
            lead="Как передаёт корреспондент, в области прошло важное событие.",
            publish_at=now - timedelta(hours=6 * number + 1),
        )
        for number, title in enumerate(titles)
    ]


def axe_violations(page):
    page.add_script_tag(path=AXE_JS)
    assert page.evaluate("() => window.axe && axe.version") == AXE_VERSION
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    assert results["passes"], "axe-core checked nothing: is the page empty?"
    return [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_home_with_a_pinned_story_and_the_banner_is_accessible(live_server, stories, moderator, open_page, width):
    held = stories[3]
    front_page.save(
        by=moderator,
        slots={1: (held, None), 2: (stories[2], None)},
        banner={
            "text": BANNER_TEXT,
            "text_kk": "",
            "link": held.get_absolute_url(),
            "ends_at": timezone.now() + timedelta(hours=2),
        },
    )
    page = open_page(width, bypass_csp=True)

    page.goto(live_server.url + "/", wait_until="load")

    expect(page.locator(".main-story h2")).to_have_text(held.title)
    expect(page.locator(".cards .card").first).to_contain_text(stories[2].title)
    banner = page.get_by_role("region", name="Срочно")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("link", name=BANNER_TEXT)).to_have_attribute("href", held.get_absolute_url())
    blocking = axe_violations(page)
    assert not blocking, test_accessibility.describe_violations(blocking, page.url, width)
    sizes = page.evaluate("() => ({inner: window.innerWidth, scroll: document.documentElement.scrollWidth})")
    assert sizes["scroll"] <= sizes["inner"], f"the home page scrolls sideways at {width}px"

    page.goto(live_server.url + stories[0].get_absolute_url(), wait_until="load")
    expect(page.get_by_role("region", name="Срочно")).to_contain_text(BANNER_TEXT)


def test_a_moderator_previews_then_saves_the_arrangement_and_readers_see_it_next(
    live_server, stories, moderator, open_browser_as
):
    held = stories[3]
    reader = open_browser_as(None)
    reader.goto(live_server.url + "/")
    expect(reader.locator(".main-story h2")).to_have_text(stories[0].title)

    desk = open_browser_as(moderator)
    desk.goto(live_server.url + "/admin/")
    desk.get_by_role("link", name="Главная страница").first.click()
    desk.get_by_label("Место 1 — главная новость").select_option(value=str(held.pk))
    desk.get_by_label("Показывать плашку «Срочно»").check()
    desk.get_by_label("Текст", exact=True).fill(BANNER_TEXT)
    desk.get_by_label("Ссылка").fill(held.get_absolute_url())
    ends_at = timezone.localtime(timezone.now() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    desk.get_by_label("Показывать до").fill(ends_at)

    with desk.expect_popup() as popup:
        desk.get_by_role("button", name="Предпросмотр").click()
    preview = popup.value
    expect(preview.locator(".preview-banner")).to_be_visible()
    expect(preview.locator(".main-story h2")).to_have_text(held.title)
    expect(preview.get_by_role("region", name="Срочно")).to_contain_text(BANNER_TEXT)
    reader.reload()
    expect(reader.locator(".main-story h2")).to_have_text(stories[0].title)  # the preview changed nothing
    expect(reader.get_by_role("region", name="Срочно")).to_have_count(0)

    desk.get_by_role("button", name="Сохранить").click()
    expect(desk.locator(".messagelist")).to_contain_text("Главная страница обновлена")

    reader.reload()
    expect(reader.locator(".main-story h2")).to_have_text(held.title)
    expect(reader.get_by_role("region", name="Срочно")).to_contain_text(BANNER_TEXT)
