"""An embed in Chromium: nothing is requested from the provider until the reader presses «Загрузить» (here with the
keyboard); then the frame comes from youtube-nocookie.com, as the page's CSP allows. axe-core finds nothing serious.

Every request to a host other than the live server is recorded and aborted (the outside network is closed here
anyway): the frame's own load fails, which is all the test needs.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e import test_accessibility
from tests.e2e.test_accessibility import (
    BLOCKING_IMPACTS,
    DESKTOP,
    PHONE,
    WCAG_TAGS,
    assert_no_serious_violation,
    describe_violations,
)
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

open_page = test_accessibility.open_page
VIDEO = "dQw4w9WgXcQ"


@pytest.fixture
def story(transactional_db):
    return ArticleFactory(
        published=True,
        in_north_kazakhstan=True,
        title="Форум первичных организаций: видеозапись",
        lead="Как передаёт корреспондент, форум прошёл в Петропавловске.",
        body=(
            "<p>Около ста участников обсудили итоги года.</p>"
            f'<p><a href="https://youtu.be/{VIDEO}">https://youtu.be/{VIDEO}</a></p>'
            "<p>https://t.me/sko_news/4521</p>"
        ),
    )


def recording_outside_requests(page, live_server):
    """Abort every request that leaves the live server, and return the list of their addresses."""
    local = urlsplit(live_server.url).netloc
    outside = []

    def handle(route, request):
        if urlsplit(request.url).netloc == local:
            route.fallback()
        else:
            outside.append(request.url)
            route.abort()

    page.context.route("**/*", handle)
    return outside


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_the_frame_loads_only_when_the_reader_asks(live_server, story, open_page, width):
    page = open_page(width)  # the site's own CSP, enforced
    outside = recording_outside_requests(page, live_server)
    blocked_by_csp = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked_by_csp.append(message))

    page.goto(live_server.url + story.get_absolute_url(), wait_until="load")
    youtube = page.locator("figure.embed").filter(has_text="Видео YouTube")
    expect(youtube.get_by_role("link")).to_have_attribute("href", f"https://www.youtube.com/watch?v={VIDEO}")
    button = youtube.get_by_role("button", name="Загрузить Видео YouTube")
    expect(button).to_be_visible()  # the script has shown it
    page.wait_for_timeout(500)  # whatever the page would fetch on its own has been asked for by now
    assert outside == [] and page.locator("iframe").count() == 0

    button.focus()
    with page.expect_event("requestfailed"):  # the frame's request, recorded and aborted: the CSP let it through
        page.keyboard.press("Enter")

    frame = youtube.locator("iframe")
    expect(frame).to_have_attribute("src", f"https://www.youtube-nocookie.com/embed/{VIDEO}")
    expect(frame).to_have_attribute("title", "Видео YouTube")
    expect(frame).to_be_focused()
    expect(button).to_have_count(0)
    # The one request that left: the frame the reader asked for.
    assert [urlsplit(url).netloc for url in outside] == ["www.youtube-nocookie.com"]
    assert not blocked_by_csp, [message.text for message in blocked_by_csp]
    # The other embed is untouched.
    expect(page.locator("figure.embed").filter(has_text="Пост в Telegram").locator("iframe")).to_have_count(0)


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_story_with_embeds_is_accessible_before_and_after_loading(live_server, story, open_page, width):
    page = open_page(width, bypass_csp=True)  # to inject axe-core
    recording_outside_requests(page, live_server)
    url = live_server.url + story.get_absolute_url()
    page.goto(url, wait_until="load")
    expect(page.get_by_role("button", name="Загрузить Видео YouTube")).to_be_visible()
    assert_no_serious_violation(page, url, width)

    page.get_by_role("button", name="Загрузить Видео YouTube").click()
    expect(page.locator("iframe")).to_have_count(1)
    # The frame's load was aborted: axe-core is not sent into it (it would wait a minute for an answer).
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, iframes: false})", WCAG_TAGS
    )
    assert results["passes"], "axe-core checked nothing: is the page empty?"
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe_violations(blocking, url, width)
