"""Issue 17, «Two languages kept honest», in Chromium: an editor corrects a Russian story, finds its Kazakh translation
marked «Перевод устарел», sees what changed and confirms it; a reader's language switch leads to the translation."""

import pytest
from playwright.sync_api import expect

from articles import revisions
from articles.models import Article, WorkflowEvent
from tests.e2e.test_editorial_workflow import change_url, save_and_continue, workflow_button
from tests.e2e.test_moderation_details import assert_axe_passes
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_editor_sees_the_translation_go_stale_and_confirms_it(live_server, open_browser_as, moderator):
    original = ArticleFactory(
        published=True,
        author=moderator,
        title="Форум первичных организаций в Петропавловске",
        body="<p>Около 100 участников.</p><p>244 <strong>первичные</strong> организации.</p>"
        "<blockquote><p>«Ауыл аманаты» — о сёлах.</p></blockquote><ul><li>16 проектов</li><li>3 000 встреч</li></ul>",
    )
    revisions.record(original, moderator)  # the original as the translator read it
    kazakh = ArticleFactory(
        published=True, author=moderator, language="kk", translation_of=original, title="Петропавлдағы форум"
    )
    editor = open_browser_as(moderator, bypass_csp=True)  # to inject axe-core

    # A current translation carries no flag.
    editor.goto(change_url(live_server, kazakh))
    expect(editor.locator(".workflow-panel")).to_be_visible()
    expect(editor.locator(".stale-translation-notice")).to_have_count(0)

    # Saving the original through the editor without changing its text leaves the translation current.
    editor.goto(change_url(live_server, original))
    expect(editor.frame_locator("#cke_id_body iframe").locator("body")).to_contain_text("Ауыл аманаты")
    save_and_continue(editor, original.title)
    assert not Article.objects.get(pk=kazakh.pk).is_stale_translation()

    # The editor corrects the original's lead.
    editor.locator("#id_lead").fill("Уточнение: в форуме участвовали около 100 человек из 244 организаций.")
    save_and_continue(editor, original.title)

    # The translation now says it is stale, with what changed in the original, and in the list.
    editor.goto(f"{live_server.url}/admin/articles/article/?stale_translation=yes")
    expect(editor.locator("#result_list")).to_contain_text("Петропавлдағы форум")
    expect(editor.locator("#result_list")).to_contain_text("перевод устарел")
    expect(editor.locator("#result_list")).not_to_contain_text(original.title)
    editor.goto(change_url(live_server, kazakh))
    notice = editor.locator(".stale-translation-notice")
    expect(notice).to_contain_text("Перевод устарел")
    expect(notice).to_contain_text(original.title)
    assert_axe_passes(editor, ".workflow-panel")
    notice.get_by_role("link", name="Что изменилось в оригинале").click()
    editor.wait_for_url(f"**/admin/articles/article/{original.pk}/revisions/**")
    expect(editor.locator("body")).to_contain_text("около 100 человек")
    editor.go_back()

    workflow_button(editor, "Перевод актуален").click()
    expect(editor.locator(".messagelist .success")).to_contain_text("Перевод отмечен как актуальный")
    expect(editor.locator(".stale-translation-notice")).to_have_count(0)
    assert not Article.objects.get(pk=kazakh.pk).is_stale_translation()
    assert WorkflowEvent.objects.filter(article=kazakh, transition="confirm_translation", actor=moderator).exists()

    # A reader of the original switches language and lands on the translation.
    reader = open_browser_as(None)
    reader.goto(f"{live_server.url}{original.get_absolute_url()}")
    reader.locator(".language-switch").get_by_role("link", name="Қаз").click()
    expect(reader).to_have_url(f"{live_server.url}/kk/news/{kazakh.slug}/")
    expect(reader.locator("html")).to_have_attribute("lang", "kk")
