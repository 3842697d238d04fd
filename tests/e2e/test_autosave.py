"""Nothing typed is lost: the article form keeps a draft while the journalist writes and offers it back.

Driven in Chromium as a journalist works: a closed tab, a session ended in another tab, a colleague's save in
between. Restoring fills the form; the save then goes through the usual check for someone else's save.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from articles import revisions
from articles.models import Article, ArticleDraft
from tests.e2e.conftest import PASSWORD, TIMEOUT_MS
from tests.e2e.test_accessibility import AXE_JS, AXE_VERSION, BLOCKING_IMPACTS, WCAG_TAGS
from tests.e2e.test_editorial_workflow import change_url, save_and_continue, type_into_body
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "В Петропавловске открыли новый мост через Ишим"
LEAD = "Как сообщил акимат города, движение по мосту открыто с сегодняшнего утра."
BODY = "Мост длиной 400 метров строили два года."


def journalists_story(journalist):
    article = ArticleFactory(author=journalist, title="Исходный заголовок", lead="Исходный лид", body="<p>Было.</p>")
    revisions.record(article, journalist)  # as the admin does on every save
    return article


def wait_for_draft(**lookup):
    """The server's draft matching `lookup`, once the form's autosave (every 5 s) has written it."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        draft = ArticleDraft.objects.filter(**lookup).first()
        if draft is not None:
            return draft
        time.sleep(0.25)
    raise AssertionError(f"no draft with {lookup} after {TIMEOUT_MS} ms")


def body_editor(page):
    return page.frame_locator("#cke_id_body iframe").locator("body")


def offers(page):
    return page.locator("#autosave .autosave-offer")


def assert_panel_is_accessible(page):
    page.add_script_tag(path=AXE_JS)  # the admin's CSP allows inline scripts (CKEditor needs them)
    assert page.evaluate("() => window.axe && axe.version") == AXE_VERSION
    results = page.evaluate("tags => axe.run('#autosave', {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    assert results["passes"], "axe-core checked nothing in the panel"
    blocking = [violation["id"] for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking


def test_text_of_a_closed_tab_is_offered_back_and_restored(live_server, open_browser_as, journalist):
    article = journalists_story(journalist)
    writer = open_browser_as(journalist)
    writer.goto(change_url(live_server, article))
    expect(body_editor(writer)).to_have_attribute("contenteditable", "true")
    expect(writer.locator("#autosave")).to_be_hidden()  # nothing to offer yet

    writer.locator("#id_title").fill(TITLE)
    writer.locator("#id_lead").fill(LEAD)
    type_into_body(writer, BODY)
    draft = wait_for_draft(article=article, user=journalist, data__lead=LEAD, data__body__icontains=BODY)
    expect(writer.locator(".autosave-status")).to_contain_text("Черновик сохранён в")
    assert draft.data["title"] == TITLE
    article.refresh_from_db()
    assert (article.title, article.lead) == ("Исходный заголовок", "Исходный лид")  # a draft is not a save
    writer.close()

    again = writer.context.new_page()
    again.goto(change_url(live_server, article))
    panel = again.locator("#autosave")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Есть несохранённый текст")
    expect(offers(again)).to_have_count(1)
    expect(offers(again)).to_contain_text(f"«{TITLE}» — сохранён на сервере")
    expect(again.locator("#id_title")).to_have_value("Исходный заголовок")  # offered, not applied
    assert_panel_is_accessible(again)

    again.get_by_role("button", name="Восстановить несохранённое").click()
    expect(panel).to_be_hidden()
    expect(again.locator("#id_title")).to_have_value(TITLE)
    expect(again.locator("#id_lead")).to_have_value(LEAD)
    expect(body_editor(again)).to_contain_text(BODY)
    save_and_continue(again, TITLE)

    article.refresh_from_db()
    assert (article.title, article.lead) == (TITLE, LEAD)
    assert BODY in article.body
    assert not ArticleDraft.objects.exists()  # saved: nothing left to offer
    expect(again.locator("#autosave")).to_be_hidden()


def test_a_new_story_is_offered_back_and_a_draft_can_be_discarded(live_server, open_browser_as, journalist):
    writer = open_browser_as(journalist)
    add_url = f"{live_server.url}/admin/articles/article/add/"
    writer.goto(add_url)
    writer.locator("#id_title").fill(TITLE)
    type_into_body(writer, BODY)
    wait_for_draft(article=None, user=journalist, data__title=TITLE)
    writer.close()

    again = writer.context.new_page()
    again.goto(add_url)
    expect(offers(again)).to_have_count(1)
    again.get_by_role("button", name="Удалить черновик").click()
    expect(again.locator("#autosave")).to_be_hidden()
    expect(again.locator("#id_title")).to_have_value("")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while ArticleDraft.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not ArticleDraft.objects.exists()
    again.reload()
    expect(body_editor(again)).to_have_attribute("contenteditable", "true")
    expect(again.locator("#autosave")).to_be_hidden()


def test_text_typed_after_the_session_ended_is_offered_after_signing_in_again(live_server, open_browser_as, journalist):
    article = journalists_story(journalist)
    writer = open_browser_as(journalist)
    writer.goto(change_url(live_server, article))
    expect(body_editor(writer)).to_have_attribute("contenteditable", "true")

    # The session ends in another tab of the same browser.
    other_tab = writer.context.new_page()
    other_tab.goto(f"{live_server.url}/admin/")
    other_tab.locator("#logout-form button").click()
    other_tab.wait_for_url(re.compile(r"/admin/logout/$"))

    writer.locator("#id_lead").fill(LEAD)
    type_into_body(writer, BODY)
    status = writer.locator(".autosave-status")
    expect(status).to_contain_text("Сессия закончилась")
    expect(status.get_by_role("link", name="Войти снова")).to_be_visible()
    kept = writer.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('newsroom-draft:')).map(k => localStorage[k])"
    )
    assert len(kept) == 1 and LEAD in kept[0] and BODY in kept[0]
    assert not ArticleDraft.objects.filter(data__lead=LEAD).exists()

    # Signing in again in the other tab leads back to the story, which offers the text.
    other_tab.goto(f"{live_server.url}/admin/login/?next=/admin/articles/article/{article.pk}/change/")
    other_tab.locator("#id_username").fill(journalist.username)
    other_tab.locator("#id_password").fill(PASSWORD)
    other_tab.locator("#login-form [type=submit]").click()
    other_tab.wait_for_url(re.compile(rf"/admin/articles/article/{article.pk}/change/$"))
    expect(offers(other_tab)).to_have_count(1)
    expect(offers(other_tab)).to_contain_text("«Исходный заголовок»")
    # The first tab, untouched, keeps its draft on the server again with the new session's token.
    wait_for_draft(article=article, user=journalist, data__lead=LEAD)
    expect(status).to_contain_text("Черновик сохранён в")

    other_tab.get_by_role("button", name="Восстановить несохранённое").click()
    expect(other_tab.locator("#id_lead")).to_have_value(LEAD)
    expect(body_editor(other_tab)).to_contain_text(BODY)
    save_and_continue(other_tab, "Исходный заголовок")
    article.refresh_from_db()
    assert article.lead == LEAD and BODY in article.body


def test_restored_text_never_overwrites_a_colleagues_save(live_server, open_browser_as, journalist, moderator):
    article = journalists_story(journalist)
    writer = open_browser_as(journalist)
    writer.goto(change_url(live_server, article))
    writer.locator("#id_lead").fill(LEAD)
    wait_for_draft(article=article, data__lead=LEAD)
    writer.close()  # the tab is gone before the journalist saved

    editor = open_browser_as(moderator)
    editor.goto(change_url(live_server, article))
    editor.locator("#id_title").fill(TITLE)
    save_and_continue(editor, TITLE)

    again = writer.context.new_page()
    again.goto(change_url(live_server, article))
    expect(offers(again)).to_contain_text("Материал сохраняли после этого черновика")
    again.get_by_role("button", name="Восстановить несохранённое").click()
    expect(again.locator("#id_lead")).to_have_value(LEAD)

    # Saved on the version the text was typed on: refused, shown field by field, nothing overwritten.
    again.locator("input[name=_continue]").click()
    panel = again.locator(".conflict-panel")
    expect(panel).to_contain_text("Материал изменили, пока вы его редактировали")
    expect(panel.locator("tr.conflict-row[data-field=title]").get_by_label("их", exact=True)).to_be_checked()
    expect(panel.locator("tr.conflict-row[data-field=lead]").get_by_label("мой", exact=True)).to_be_checked()
    article.refresh_from_db()
    assert (article.title, article.lead) == (TITLE, "Исходный лид")

    # Saving with the choices offered keeps both: the moderator's title, the journalist's lead.
    save_and_continue(again, TITLE)
    article.refresh_from_db()
    assert (article.title, article.lead, article.status) == (TITLE, LEAD, Article.Status.DRAFT)


def test_a_save_sent_while_the_editor_loads_leaves_no_draft_behind(live_server, open_browser_as, journalist):
    """On a slow connection a headline can be changed and saved before CKEditor is ready. That save holds
    everything typed: leaving the page must not write the same text again as a draft offered on the next visit."""
    article = journalists_story(journalist)
    writer = open_browser_as(journalist)
    held = {"editor": [], "save": []}
    requested = []

    def hold(kind, route):
        if held[kind] is None or (kind == "save" and route.request.method != "POST"):
            route.continue_()
        else:
            held[kind].append(route)

    def release(kind):
        routes, held[kind] = held[kind], None
        for route in routes:
            route.continue_()

    def wait_until(condition, what):
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while not condition():
            assert time.monotonic() < deadline, f"never happened: {what}"
            writer.wait_for_timeout(50)

    writer.route(re.compile(r"/ckeditor/ckeditor/lang/"), lambda route: hold("editor", route))
    writer.route(re.compile(r"/change/$"), lambda route: hold("save", route))
    writer.on("request", lambda request: requested.append(request.url))
    writer.goto(change_url(live_server, article), wait_until="domcontentloaded")
    writer.locator("#id_title").fill(TITLE)
    writer.locator("input[name=_continue]").click(no_wait_after=True)
    wait_until(lambda: held["editor"] and held["save"], "the editor's language file and the save requested")

    # The editor becomes ready while the save is on its way, as on a slow connection. Its last file is the text
    # area's stylesheet (Playwright evaluates nothing in a page whose navigation is held, so the requests tell).
    release("editor")
    wait_until(lambda: any("/contents.css" in url for url in requested), "the editor built")
    writer.wait_for_timeout(1000)  # the autosave looks for a ready editor every 100 ms
    release("save")
    writer.wait_for_url(re.compile(r"/admin/articles/article/\d+/change/$"))
    expect(writer.locator(".messagelist .success")).to_contain_text("успешно")
    article.refresh_from_db()
    assert article.title == TITLE

    writer.reload()
    expect(body_editor(writer)).to_have_attribute("contenteditable", "true")
    expect(writer.locator("#autosave")).to_be_hidden()
    assert not ArticleDraft.objects.exists()
