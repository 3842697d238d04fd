import pytest

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_reader_opens_home_and_an_article(live_server, page):
    article = ArticleFactory(
        published=True,
        title="В Петропавловске прошёл форум первичных организаций",
        body="<p>Около <strong>100 участников</strong> обсудили итоги года.</p>",
    )
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.locator(".main-story").get_by_role("link", name=article.title).click()
    page.wait_for_url(f"**/news/{article.slug}/")
    assert page.locator("h1").inner_text() == article.title
    assert page.locator(".article__body strong").inner_text() == "100 участников"
    assert page.locator("[data-share-count]").inner_text() == "0"
    page.get_by_role("link", name="Новости", exact=True).last.click()
    page.wait_for_url("**/news/")
