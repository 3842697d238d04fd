"""A story's photo gallery in a real Chromium: a readable list without JavaScript, a keyboard viewer with it."""

import pytest
from playwright.sync_api import expect

from articles.models import GalleryItem, Photo
from tests.e2e import test_accessibility
from tests.e2e.test_accessibility import DESKTOP, PHONE, assert_no_serious_violation, visit
from tests.factories import ArticleFactory, jpeg_file

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# A reader's page that gets the test's uploaded photos as the media server would.
open_page = test_accessibility.open_page

PHOTOS = [
    ("Сцена форума", "Открытие форума"),
    ("Участники голосуют", "Голосование"),
    ("Выставка проектов", "Выставка"),
]


@pytest.fixture
def story(transactional_db):
    # A body longer than a screen: the gallery starts below the fold, where lazily loaded photos wait.
    body = "".join(f"<p>Абзац {number} о форуме первичных организаций и его решениях.</p>" for number in range(60))
    story = ArticleFactory(published=True, title="Форум в Петропавловске", body=body)
    for number, (alt_text, caption) in enumerate(PHOTOS):
        photo = Photo.objects.create(
            file=jpeg_file(name=f"forum-{number}.jpg", size=(1200, 800)), alt_text=alt_text, credit="Айдос Серик"
        )
        GalleryItem.objects.create(article=story, photo=photo, position=number, caption=caption)
    return story


def test_without_javascript_the_gallery_is_a_list_of_every_photo(live_server, story, open_page):
    page = open_page(PHONE, java_script_enabled=False)
    url = live_server.url + story.get_absolute_url()
    visit(page, url)
    gallery = page.get_by_role("region", name="Фотогалерея")
    figures = gallery.locator("li figure")
    expect(figures).to_have_count(len(PHOTOS))
    for number, (alt_text, caption) in enumerate(PHOTOS):
        figure = figures.nth(number)
        expect(figure).to_be_visible()
        expect(figure.get_by_role("img", name=alt_text)).to_be_visible()
        expect(figure.locator("figcaption")).to_have_text(f"{caption} Фото: Айдос Серик")
        large = figure.get_by_role("link", name=alt_text).get_attribute("href")
        assert large.endswith(".jpg") and "renditions/" in large
    expect(gallery.get_by_role("button")).to_have_count(0)  # no control that would need the script
    figures.first.scroll_into_view_if_needed()
    expect(figures.first.locator("img")).to_have_js_property("complete", True)


def test_the_list_without_the_viewer_passes_axe(live_server, story, open_page):
    """axe-core needs scripts on; the page's list is checked as it is without the viewer's script."""
    page = open_page(PHONE, bypass_csp=True)
    page.route("**/static/js/gallery*.js", lambda route: route.abort())
    url = live_server.url + story.get_absolute_url()
    visit(page, url)
    expect(page.get_by_role("region", name="Фотогалерея").locator("li figure")).to_have_count(len(PHOTOS))
    expect(page.locator(".gallery__controls")).to_be_hidden()
    assert_no_serious_violation(page, url, PHONE)


def test_the_viewer_shows_one_photo_at_a_time_and_follows_the_keyboard(live_server, story, open_page):
    page = open_page(DESKTOP, bypass_csp=True)
    url = live_server.url + story.get_absolute_url()
    visit(page, url)
    gallery = page.get_by_role("region", name="Фотогалерея")
    counter = gallery.locator(".gallery__counter")
    forward = gallery.get_by_role("button", name="Вперёд")
    back = gallery.get_by_role("button", name="Назад")
    expect(counter).to_have_attribute("aria-live", "polite")
    expect(counter).to_have_text("1 из 3")

    def shown():
        return [alt for alt, _ in PHOTOS if gallery.get_by_role("img", name=alt).is_visible()]

    assert shown() == ["Сцена форума"]
    # The photos either side are fetched already, so that «Вперёд» or «Назад» shows a photo, not a blank moment.
    loaded = "image => image.complete && image.naturalWidth > 0"
    for neighbour in ("Участники голосуют", "Выставка проектов"):
        image = gallery.get_by_role("img", name=neighbour, include_hidden=True)
        page.wait_for_function(f"image => ({loaded})(image)", arg=image.element_handle(), timeout=5000)

    back.focus()
    page.keyboard.press("Tab")  # from «Назад» past the counter to «Вперёд»
    expect(forward).to_be_focused()
    page.keyboard.press("Enter")
    expect(counter).to_have_text("2 из 3")
    assert shown() == ["Участники голосуют"]
    page.keyboard.press("Space")
    expect(counter).to_have_text("3 из 3")
    expect(forward).to_be_focused()
    assert forward.evaluate("button => button.matches(':focus-visible')")
    page.keyboard.press("ArrowRight")  # past the last: the first again
    expect(counter).to_have_text("1 из 3")
    page.keyboard.press("ArrowLeft")
    expect(counter).to_have_text("3 из 3")
    assert shown() == ["Выставка проектов"]

    # On the photo itself, the arrows move to the next photo and focus follows it, visibly.
    gallery.get_by_role("link", name="Выставка проектов").focus()
    page.keyboard.press("ArrowLeft")
    expect(counter).to_have_text("2 из 3")
    current = gallery.get_by_role("link", name="Участники голосуют")
    expect(current).to_be_focused()
    assert current.evaluate("link => link.matches(':focus-visible')")
    assert_no_serious_violation(page, url, DESKTOP)
