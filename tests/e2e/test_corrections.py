"""Corrections in Chromium: a regional moderator posts a note from the story's admin page; readers see it on the
story and on /corrections/, both passing axe-core."""

import pytest
from playwright.sync_api import expect

from articles.models import Desk, DeskRegion
from regions.models import Region
from tests.e2e import test_accessibility
from tests.e2e.test_accessibility import DESKTOP, PHONE
from tests.e2e.test_front_page import axe_violations
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

open_page = test_accessibility.open_page
NOTE = "В первой версии материала неверно указано число участников форума: их было 120, а не 100."


@pytest.fixture
def story(transactional_db):
    return ArticleFactory(
        published=True,
        in_north_kazakhstan=True,
        section=SectionFactory(name="Общество", slug="obshchestvo"),
        title="В Петропавловске прошёл форум первичных организаций",
        lead="Как передаёт корреспондент, на форум собрались представители всех районов области.",
    )


@pytest.fixture
def regional_moderator(moderator):
    """The moderator, on the desk of North Kazakhstan Region only (desks in force)."""
    north = Desk.objects.create(name="Северный отдел")
    DeskRegion.objects.create(desk=north, region=Region.objects.get(slug="severo-kazakhstanskaya-oblast"))
    north.members.add(moderator)
    return moderator


def test_a_regional_moderator_posts_a_correction_and_readers_see_it(
    live_server, story, regional_moderator, open_browser_as, open_page
):
    desk = open_browser_as(regional_moderator)
    desk.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    panel = desk.get_by_role("region", name="Исправления и обновления")
    panel.get_by_label("Вид").select_option(label="Исправление")
    panel.get_by_label("Текст для читателей").fill(NOTE)
    panel.get_by_role("button", name="Добавить исправление").click()

    expect(desk).to_have_url(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    expect(desk.get_by_role("region", name="Исправления и обновления")).to_contain_text(NOTE)

    for width in (DESKTOP, PHONE):
        reader = open_page(width, bypass_csp=True)
        reader.goto(live_server.url + story.get_absolute_url(), wait_until="load")
        notes = reader.get_by_role("region", name="Исправления и обновления")
        expect(notes).to_contain_text("Исправление")
        expect(notes).to_contain_text(NOTE)
        blocking = axe_violations(reader)
        assert not blocking, test_accessibility.describe_violations(blocking, reader.url, width)

        reader.get_by_role("contentinfo").get_by_role("link", name="Исправления и обновления").click()
        expect(reader).to_have_url(f"{live_server.url}/corrections/")
        expect(reader.get_by_role("heading", level=1)).to_have_text("Исправления и обновления")
        expect(reader.locator(".correction-list")).to_contain_text(NOTE)
        blocking = axe_violations(reader)
        assert not blocking, test_accessibility.describe_violations(blocking, reader.url, width)
        reader.get_by_role("link", name=story.title).click()
        expect(reader).to_have_url(live_server.url + story.get_absolute_url())
