"""Accessibility, phone layout and use without JavaScript of the public pages, in a real Chromium.

axe-core 4.14.1 (npm package `axe-core@4.14.1`, MPL-2.0) is vendored as tests/e2e/vendor/axe.min.js,
with its licences next to it (axe-core-LICENSE.txt, axe-core-LICENSE-3RD-PARTY.txt). To upgrade:
`npm pack axe-core@4`, copy package/axe.min.js and the licences there, then change AXE_VERSION.

The site's Content-Security-Policy allows only same-origin scripts, so the axe contexts are opened
with `bypass_csp=True` to inject the script; the application is left as it is.
"""

import mimetypes
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import GalleryItem, Photo
from newsroom.navigation import city_key
from regions.models import City
from tests.factories import ArticleFactory, SectionFactory, jpeg_file

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE_VERSION = "4.14.1"
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
TIMEOUT_MS = 20_000

PHONE, DESKTOP = 375, 1280
WIDTHS = [pytest.param(DESKTOP, id="1280px"), pytest.param(PHONE, id="375px")]
SEARCH_WORD = "форум"
REGION = "severo-kazakhstanskaya-oblast"
PAGES = {
    "home": "/",
    "article": None,  # addresses of stories are known once they are created: see page_url()
    "article-with-table": None,
    "article-with-gallery": None,
    "region": f"/regions/{REGION}/",
    "search": f"/search/?q={SEARCH_WORD}",
    "kk-home": "/kk/",
}
PAGE_PARAMS = [pytest.param(name, id=name) for name in PAGES]


def axe_cases():
    return [
        pytest.param(page.values[0], width.values[0], id=f"{page.values[0]}-{width.values[0]}px")
        for page in PAGE_PARAMS
        for width in WIDTHS
    ]


HARVEST_TABLE = (
    "<table><caption>Уборка зерновых по районам на 1 октября</caption>"
    "<thead><tr><th scope='col'>Район</th><th scope='col'>Убрано, тыс. га</th>"
    "<th scope='col'>Намолочено, тыс. тонн</th><th scope='col'>Урожайность, ц/га</th>"
    "<th scope='col'>Основная культура</th></tr></thead><tbody>"
    "<tr><th scope='row'>Магжана Жумабаева</th><td>412,5</td><td>763,1</td><td>18,5</td><td>пшеница яровая</td></tr>"
    "<tr><th scope='row'>Габита Мусрепова</th><td>398,2</td><td>680,9</td><td>17,1</td><td>пшеница яровая</td></tr>"
    "<tr><th scope='row'>Шал акына</th><td>254,7</td><td>422,8</td><td>16,6</td><td>ячмень</td></tr>"
    "</tbody></table>"
)


@pytest.fixture
def newsroom(transactional_db):
    """Published Russian stories with photos and tags in North Kazakhstan, and a Kazakh one."""
    section = SectionFactory(name="Общество", slug="obshchestvo")
    now = timezone.now()
    stories = [
        (
            "В Петропавловске прошёл форум первичных организаций",
            "Около ста участников из всех районов Северо-Казахстанской области обсудили итоги года.",
            ["форум", "аманат", "Петропавловск"],
            "",
        ),
        (
            "Аграрии Северо-Казахстанской области завершили уборочную кампанию",
            "Средняя урожайность зерновых в этом году составила 18 центнеров с гектара.",
            ["сельское хозяйство", "урожай"],
            HARVEST_TABLE,
        ),
        (
            "Молодёжный форум в Кокшетау собрал волонтёров трёх областей",
            "Волонтёры договорились о совместных проектах на следующий год.",
            ["форум", "молодёжь"],
            "",
        ),
        (
            "В районе Магжана Жумабаева отремонтировали сельскую школу",
            "В школе заменили окна, кровлю и отопление; занятия начнутся в срок.",
            ["образование"],
            "",
        ),
    ]
    articles = [
        ArticleFactory(
            published=True,
            in_north_kazakhstan=True,
            section=section,
            title=title,
            lead=lead,
            body=(
                f"<p>{lead} Участники форума выступили с докладами и ответили на вопросы жителей.</p>"
                "<h2>Главное</h2><ul><li>Приняты планы на следующий год.</li>"
                "<li>Избраны новые председатели.</li></ul>"
                "<blockquote><p>«Мы будем встречаться чаще», — сказал один из организаторов.</p></blockquote>"
                f"{extra_body}"
            ),
            tags=tags,
            cover=jpeg_file(name=f"cover-{number}.jpg", size=(1200, 800)),
            cover_alt=f"Участники события в зале, фото {number + 1}",
            cover_caption="Фото пресс-службы акимата области",
            cover_credit="Фото: Айдос Серик",
            publish_at=now - timedelta(hours=number + 1),
            views_count=100 - number,
        )
        for number, (title, lead, tags, extra_body) in enumerate(stories)
    ]
    kazakh = ArticleFactory(
        published=True,
        in_north_kazakhstan=True,
        section=section,
        language="kk",
        title="Петропавлда бастауыш партия ұйымдарының форумы өтті",
        lead="Облыстың барлық аудандарынан жүзге жуық қатысушы жыл қорытындысын талқылады.",
        body="<p>Форумға қатысушылар баяндама жасап, тұрғындардың сұрақтарына жауап берді.</p>",
        tags=["форум"],
        cover=jpeg_file(name="cover-kk.jpg", size=(1200, 800)),
        cover_alt="Форумға қатысушылар залда",
    )
    for number, alt_text in enumerate(["Сцена форума", "Участники голосуют", "Выставка проектов"]):
        photo = Photo.objects.create(file=jpeg_file(name=f"gallery-{number}.jpg", size=(1200, 800)), alt_text=alt_text)
        GalleryItem.objects.create(
            article=articles[2], photo=photo, position=number, caption="Молодёжный форум", credit="Айдос Серик"
        )
    return {"articles": articles, "kazakh": kazakh}


@pytest.fixture
def open_page(browser, live_server):
    """open_page(width, **context_options) -> a page in a new browser context, `width` px wide.

    The live server's /media/ route was bound to the media folder when the URLconf was imported,
    while each test stores its uploads in a folder of its own (tests/conftest.py); the browser is
    therefore given the test's photos straight from that folder, as the media server would.
    """
    contexts = []

    def serve_media(route, request):
        relative = unquote(request.url.removeprefix(f"{live_server.url}/media/").split("?")[0])
        file = Path(settings.MEDIA_ROOT, relative)
        if file.is_file():
            content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            route.fulfill(path=file, content_type=content_type)
        else:
            route.fulfill(status=404)

    def open_page_(width, **options):
        context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": 900}, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route(f"{live_server.url}/media/**", serve_media)
        contexts.append(context)
        return context.new_page()

    yield open_page_
    for context in contexts:
        context.close()


def page_url(live_server, newsroom, name):
    stories = {
        "article": newsroom["articles"][0],
        "article-with-table": newsroom["articles"][1],
        "article-with-gallery": newsroom["articles"][2],
    }
    path = PAGES[name] or stories[name].get_absolute_url()
    return live_server.url + path


def visit(page, url):
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    expect(page.locator("h1")).to_have_count(1)


def describe_violations(violations, url, width):
    lines = [f"axe-core {AXE_VERSION} on {url} at {width}px: {len(violations)} serious/critical violation(s)"]
    for violation in violations:
        targets = [" ".join(node["target"]) if isinstance(node["target"], list) else node["target"]
                   for node in violation["nodes"]]  # fmt: skip
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']} ({violation['helpUrl']})\n"
            f"  {len(targets)} element(s), first: {'; '.join(targets[:3])}\n"
            f"  {violation['nodes'][0].get('failureSummary', '').strip()}"
        )
    return "\n".join(lines)


def assert_no_serious_violation(page, url, width):
    """Run axe-core on the page open at `url` (its context opened with bypass_csp=True) and fail on a serious one."""
    page.add_script_tag(path=AXE_JS)
    assert page.evaluate("() => window.axe && axe.version") == AXE_VERSION
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    assert results["passes"], "axe-core checked nothing: is the page empty?"

    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe_violations(blocking, url, width)


@pytest.mark.parametrize(("name", "width"), axe_cases())
def test_axe_finds_no_serious_violation(live_server, newsroom, open_page, name, width):
    url = page_url(live_server, newsroom, name)
    page = open_page(width, bypass_csp=True)
    visit(page, url)
    assert_no_serious_violation(page, url, width)


# Elements sticking out past the window's right edge, except inside their own scroll container.
OVERFLOWING_ELEMENTS_JS = """() => {
    const limit = window.innerWidth;
    const clipped = element => {
        for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
            if (getComputedStyle(parent).overflowX !== 'visible') return true;
        }
        return false;
    };
    return Array.from(document.querySelectorAll('body *'))
        .filter(element => element.getBoundingClientRect().right > limit + 0.5 && !clipped(element))
        .slice(0, 5)
        .map(element => {
            const classes = element.classList.length ? '.' + Array.from(element.classList).join('.') : '';
            const right = Math.round(element.getBoundingClientRect().right);
            return `${element.tagName.toLowerCase()}${classes} (right edge at ${right}px)`;
        });
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGE_PARAMS)
def test_page_fits_the_screen_without_horizontal_scrolling(live_server, newsroom, open_page, tmp_path, name, width):
    url = page_url(live_server, newsroom, name)
    page = open_page(width)
    visit(page, url)
    if name.startswith("article"):
        cover = page.locator(".article__cover img")
        expect(cover).to_be_visible()
        assert cover.evaluate("img => img.complete && img.naturalWidth > 0"), "the cover photo did not load"
    page.screenshot(path=tmp_path / f"{name}-{width}px.png", full_page=True)  # for a person debugging
    sizes = page.evaluate("() => ({inner: window.innerWidth, scroll: document.documentElement.scrollWidth})")
    assert sizes["inner"] == width
    assert sizes["scroll"] <= sizes["inner"], (
        f"{url} at {width}px scrolls sideways: the document is {sizes['scroll']}px wide; sticking out: "
        f"{page.evaluate(OVERFLOWING_ELEMENTS_JS)}"
    )


def test_article_page_works_without_javascript(live_server, newsroom, open_page):
    article = newsroom["articles"][0]
    page = open_page(PHONE, java_script_enabled=False)
    visit(page, live_server.url + article.get_absolute_url())
    expect(page.locator("h1")).to_have_text(article.title)
    expect(page.locator(".article__body")).to_contain_text("Участники форума выступили с докладами")
    expect(page.locator(".article__cover img")).to_be_visible()
    telegram = page.locator("a[href^='https://t.me/']")
    expect(telegram).to_have_count(1)
    expect(telegram).to_be_visible()
    assert article.get_absolute_url() in unquote(telegram.get_attribute("href"))
    expect(page.locator("[data-share-count]")).to_have_text("0")


def test_copy_link_button_stays_hidden_without_javascript(live_server, newsroom, open_page):
    """The one control that needs JavaScript (article.js unhides it) is not offered without it."""
    page = open_page(PHONE, java_script_enabled=False)
    visit(page, live_server.url + newsroom["articles"][0].get_absolute_url())
    copy = page.locator("[data-copy-link]")
    expect(copy).to_have_attribute("hidden", "")
    expect(copy).to_be_hidden()


def test_city_chooser_works_without_javascript(live_server, newsroom, open_page):
    article = newsroom["articles"][0]
    other = City.objects.select_related("region").exclude(slug="petropavlovsk").order_by("region__name", "name").first()
    page = open_page(DESKTOP, java_script_enabled=False)
    article_url = live_server.url + article.get_absolute_url()
    visit(page, article_url)
    expect(page.locator(".reader-city a")).to_have_text("Петропавловск")

    page.get_by_label("Ваш город").select_option(city_key(other))
    page.get_by_role("button", name="Выбрать").click()
    page.wait_for_url(article_url)  # back on the page the reader was reading
    expect(page.locator(".reader-city a")).to_have_text(other.name)
    expect(page.get_by_label("Ваш город")).to_have_value(city_key(other))

    visit(page, live_server.url + "/")  # and remembered on the next page
    expect(page.locator(".reader-city a")).to_have_text(other.name)
