"""A reader follows a byline to the author's page, in a real Chromium; both pages pass axe-core."""

import pytest
from playwright.sync_api import expect

from articles.models import ArticleCoauthor, AuthorProfile
from tests.e2e import test_accessibility
from tests.e2e.test_accessibility import DESKTOP, PHONE, assert_no_serious_violation
from tests.factories import ArticleFactory, SectionFactory, UserFactory, jpeg_file

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# A reader's page that gets the test's uploaded photos as the media server would.
open_page = test_accessibility.open_page


@pytest.fixture
def coauthored_story(transactional_db):
    section = SectionFactory(name="Общество", slug="obshchestvo")
    aigerim = UserFactory(username="aigerim", first_name="Айгерим", last_name="Сапарова", is_staff=True)
    erlan = UserFactory(username="erlan", first_name="Ерлан", last_name="Ахметов", is_staff=True)
    profile = AuthorProfile(
        user=aigerim,
        name="Айгерим Сапарова",
        bio_ru="Корреспондент по Северо-Казахстанской области: сёла, дороги и партийные проекты.",
        bio_kk="Солтүстік Қазақстан облысы бойынша тілші: ауылдар, жолдар және партиялық жобалар.",
    )
    profile.photo.save("portrait.jpg", jpeg_file(size=(600, 800)), save=False)
    profile.save()
    AuthorProfile.objects.create(user=erlan, name="Ерлан Ахметов", bio_ru="Выпускающий редактор Северного отдела.")
    story = ArticleFactory(
        published=True,
        author=erlan,
        section=section,
        title="В Есильском районе обсудили ремонт сельских дорог",
        lead="Жители трёх сёл встретились с акимом района и депутатами маслихата.",
    )
    ArticleCoauthor.objects.create(article=story, user=aigerim, order=0)
    return story


@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_a_reader_follows_a_co_authors_byline_to_their_page(open_page, live_server, coauthored_story, width):
    page = open_page(width, bypass_csp=True)
    page.goto(live_server.url + coauthored_story.get_absolute_url())
    byline = page.locator(".article__author")
    expect(byline).to_have_text("Ерлан Ахметов, Айгерим Сапарова")
    assert_no_serious_violation(page, page.url, width)

    byline.get_by_role("link", name="Айгерим Сапарова").click()

    expect(page).to_have_url(f"{live_server.url}/authors/aigerim-saparova/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Айгерим Сапарова")
    photo = page.get_by_role("img", name="Айгерим Сапарова")
    expect(photo).to_be_visible()
    assert photo.evaluate("image => image.complete && image.naturalWidth") > 0
    expect(page.locator(".author__bio")).to_contain_text("Корреспондент по Северо-Казахстанской области")
    expect(page.get_by_role("link", name=coauthored_story.title)).to_be_visible()
    assert_no_serious_violation(page, page.url, width)

    page.get_by_role("link", name=coauthored_story.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(coauthored_story.title)


def test_the_kazakh_author_page_shows_the_kazakh_bio(open_page, live_server, coauthored_story):
    page = open_page(DESKTOP, bypass_csp=True)
    page.goto(f"{live_server.url}/kk/authors/aigerim-saparova/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator(".author__bio")).to_contain_text("Солтүстік Қазақстан облысы бойынша тілші")
    assert_no_serious_violation(page, page.url, DESKTOP)
