"""The plan page in Chromium, as a regional moderator opens it: their desk's week, accessible, a story a click away."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Desk, DeskRegion
from regions.models import Region
from tests.e2e.test_accessibility import AXE_JS, AXE_VERSION, BLOCKING_IMPACTS, WCAG_TAGS, describe_violations
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_regional_moderator_reads_the_plan_and_opens_a_story(live_server, open_browser_as, moderator):
    north = Desk.objects.create(name="Северный отдел")
    DeskRegion.objects.create(desk=north, region=Region.objects.get(slug="severo-kazakhstanskaya-oblast"))
    north.members.add(moderator)
    tomorrow = timezone.now() + timedelta(days=1)
    story = ArticleFactory(
        title="Открытие моста через Ишим",
        status=Article.Status.PUBLISHED,
        publish_at=tomorrow,
        in_north_kazakhstan=True,
    )
    ArticleFactory(
        title="Новость Алматы в очереди",
        status=Article.Status.REVIEW,
        submitted_at=timezone.now(),
        region=Region.objects.get(slug="almaty"),
    )

    page = open_browser_as(moderator, bypass_csp=True)  # to inject axe-core
    page.get_by_role("link", name="План публикаций").first.click()
    expect(page.locator("h1")).to_have_text("План публикаций")
    table = page.locator("table.plan")
    expect(table.get_by_role("rowheader", name="Северный отдел")).to_be_visible()
    expect(table).not_to_contain_text("Алматы")
    expect(page.locator("th[aria-current=date]")).to_have_count(1)

    page.add_script_tag(path=AXE_JS)
    assert page.evaluate("() => window.axe && axe.version") == AXE_VERSION
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    assert results["passes"], "axe-core checked nothing: is the page empty?"
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe_violations(blocking, page.url, 1280)

    if timezone.localdate(tomorrow).weekday() == 0:  # tomorrow is in next week's plan
        page.get_by_role("link", name="Следующая неделя").click()
    table.get_by_role("link", name=story.title).click()
    page.wait_for_url(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    expect(page.locator("#id_title")).to_have_value(story.title)
