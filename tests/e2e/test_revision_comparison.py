"""The revision comparison in Chromium: a changed link target and a word made bold are seen, and pass axe-core."""

import pytest
from playwright.sync_api import expect

from articles import revisions
from tests.e2e.test_moderation_details import assert_axe_passes
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_moderator_sees_a_changed_link_and_a_bold_word(live_server, open_browser_as, moderator):
    article = ArticleFactory(
        author=moderator,
        published=True,
        body='<p>Итоги на <a href="https://akimat.kz/2024">сайте</a>, 100 человек.</p>',
    )
    earlier = revisions.record(article, moderator)
    article.body = '<p>Итоги на <a href="https://akimat.kz/2025">сайте</a>, <strong>100</strong> человек.</p>'
    article.save()
    revisions.record(article, moderator)

    editor = open_browser_as(moderator, bypass_csp=True)  # to inject axe-core
    editor.goto(f"{live_server.url}/admin/articles/article/{article.pk}/revisions/{earlier.pk}/")
    body_row = editor.locator(".revision-diff tr", has_text="Итоги на")
    expect(body_row).to_contain_text("сайте (ссылка: https://akimat.kz/2024 → https://akimat.kz/2025)")
    expect(body_row).to_contain_text("100 (стало: жирный) человек.")
    expect(body_row.locator("mark.diff-format")).to_have_count(2)
    assert_axe_passes(editor, ".revision-diff")
