import html

import pytest
from django.urls import reverse
from django.utils import translation

from articles import revisions
from articles.models import Article
from tests.articles.test_admin_workflow import form_data
from tests.factories import ArticleFactory
from tests.pages import parse

pytestmark = pytest.mark.django_db


def test_word_diff_marks_removed_and_added_words():
    diff = revisions.word_diff("<p>Около 100 участников</p>", "<p>Около 120 участников</p>")
    assert diff == "Около <del>100 </del><ins>120 </ins>участников"


def test_word_diff_escapes_text():
    assert "<script>" not in revisions.word_diff("a", "&lt;script&gt;")


def test_revision_page_compares_and_restore_keeps_the_state(client, moderator):
    article = ArticleFactory(author=moderator, published=True, lead="Старый лид о форуме")
    url = reverse("admin:articles_article_change", args=[article.pk])
    client.force_login(moderator)
    client.post(url, form_data(article))
    article.refresh_from_db()
    old = article.revisions.get()
    client.post(url, form_data(article, lead="Новый лид о форуме"))

    page = client.get(reverse("admin:articles_article_revision", args=[article.pk, old.pk])).content.decode()
    assert "<del>Старый </del><ins>Новый </ins>" in page.replace("Старый</del>", "Старый </del>") or (
        "<del>Старый" in page and "<ins>Новый" in page
    )

    history = client.get(url).content.decode()
    assert history.count(f"admin/articles/article/{article.pk}/revisions/") == 2

    response = client.post(reverse("admin:articles_article_restore", args=[article.pk, old.pk]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.lead == "Старый лид о форуме"
    assert article.status == Article.Status.PUBLISHED
    assert article.revisions.count() == 3


def test_journalist_cannot_restore_once_submitted(client, journalist):
    article = ArticleFactory(author=journalist)
    revision = revisions.record(article, journalist)
    article.status = Article.Status.REVIEW
    article.save()
    client.force_login(journalist)
    page = client.get(reverse("admin:articles_article_revision", args=[article.pk, revision.pk]))
    assert page.status_code == 200 and "Восстановить эту редакцию" not in page.content.decode()
    restore = client.post(reverse("admin:articles_article_restore", args=[article.pk, revision.pk]))
    assert restore.status_code == 403


DIFF_TAGS = {"del", "ins", "mark", "small"}


def tags_of(diff):
    """The elements a diff puts on the page (it must be text and the diff's own marks, nothing else)."""
    return {element.tag for element in parse(f"<div>{diff}</div>").find(".//div").iter()} - {"div"}


def test_a_link_whose_target_changed_shows_the_old_and_the_new_address():
    old = '<p>Отчёт на <a href="https://akimat.kz/otchet-2024">сайте акимата</a>.</p>'
    new = '<p>Отчёт на <a href="https://akimat.kz/otchet-2025">сайте акимата</a>.</p>'
    diff = revisions.word_diff(old, new)
    assert diff == (
        'Отчёт на <mark class="diff-format">сайте акимата</mark> <small class="diff-note">'
        "(ссылка: https://akimat.kz/otchet-2024 → https://akimat.kz/otchet-2025)</small>."
    )


def test_a_link_added_or_removed_on_the_same_words_is_named():
    plain, linked = "<p>Сайт акимата</p>", '<p><a href="https://akimat.kz/">Сайт</a> акимата</p>'
    assert "(ссылка добавлена: https://akimat.kz/)" in revisions.word_diff(plain, linked)
    assert "(ссылка убрана: https://akimat.kz/)" in revisions.word_diff(linked, plain)


def test_a_word_made_bold_shows_as_changed_with_its_formatting():
    diff = revisions.word_diff("<p>Около 100 участников</p>", "<p>Около <strong>100</strong> участников</p>")
    assert (
        diff == 'Около <mark class="diff-format">100</mark> <small class="diff-note">(стало: жирный)</small> участников'
    )
    assert "(снято: жирный)" in revisions.word_diff("<p>Около <b>100</b> участников</p>", "<p>Около 100 участников</p>")


def test_part_of_a_word_made_bold_shows_as_the_word_changed():
    diff = revisions.word_diff("<p>Слово и дело</p>", "<p>Сло<strong>во</strong> и дело</p>")
    assert diff == '<mark class="diff-format">Слово</mark> <small class="diff-note">(стало: жирный)</small> и дело'


def test_headings_lists_and_quotations_are_formatting_too():
    assert "(стало: заголовок 2)" in revisions.word_diff("<p>Итоги года</p>", "<h2>Итоги года</h2>")
    assert "(стало: нумерованный список; снято: список)" in revisions.word_diff(
        "<ul><li>раз</li><li>два</li></ul>", "<ol><li>раз</li><li>два</li></ol>"
    )
    assert "(стало: цитата)" in revisions.word_diff("<p>«Слова»</p>", "<blockquote><p>«Слова»</p></blockquote>")


def test_words_and_formatting_changed_together_show_both():
    diff = revisions.word_diff("<p>a <em>b</em> c d</p>", "<p>a b c e</p>")
    restyled = '<mark class="diff-format">b</mark> <small class="diff-note">(снято: курсив)</small>'
    assert diff == f"a {restyled} c <del>d </del><ins>e </ins>"


def test_an_unchanged_rich_text_shows_no_change():
    body = '<h2>Итоги</h2><p>Текст со <strong>словом</strong> и <a href="https://e.kz/">ссылкой</a>.</p>'
    assert tags_of(revisions.word_diff(body, body)) == set()


def test_a_picture_whose_address_changed_is_shown():
    diff = revisions.word_diff('<p><img src="/media/a.jpg" alt="Зал"></p>', '<p><img src="/media/b.jpg" alt="Зал"></p>')
    assert "[изображение: Зал]" in diff and "(адрес изображения: /media/a.jpg → /media/b.jpg)" in diff


def test_the_notes_speak_kazakh_in_the_kazakh_interface():
    old = '<p><a href="https://akimat.kz/2024">Сайт</a> <img src="/a.jpg" alt="Зал"></p>'
    new = '<h2><a href="https://akimat.kz/2025"><strong>Сайт</strong></a> <img src="/b.jpg" alt="Зал"></h2>'
    with translation.override("kk"):
        diff = revisions.word_diff(old, new)
    assert "(қосылды: қалың, 2-деңгейлі тақырып; сілтеме: https://akimat.kz/2024 → https://akimat.kz/2025)" in diff
    assert "[сурет: Зал]" in diff and "сурет мекенжайы: /a.jpg → /b.jpg)" in diff


def test_the_comparison_escapes_what_it_shows():
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    old = f'<p>Текст <a href="https://e.kz/">ссылка</a> <img src="/a.jpg" alt="{html.escape(hostile)}"></p>'
    new = (
        f'<p>Текст &lt;script&gt;alert(3)&lt;/script&gt; <a href="https://e.kz/{html.escape(hostile)}">ссылка</a>'
        f' <img src="/b.jpg" alt="{html.escape(hostile)}"></p>'
    )
    for diff in [revisions.word_diff(old, new), revisions.word_diff(new, old)]:
        assert tags_of(diff) <= DIFF_TAGS
        assert "<script" not in diff and "<img" not in diff and "&lt;script&gt;" in diff
    assert tags_of(revisions.word_diff("Лид с <b>тегом</b>", "Лид с <i>тегом</i>", rich=False)) <= DIFF_TAGS


def test_titles_are_compared_as_plain_text():
    diff = revisions.word_diff("Форум <угловые> скобки", "Форум <квадратные> скобки", rich=False)
    assert diff == "Форум <del>&lt;угловые&gt; </del><ins>&lt;квадратные&gt; </ins>скобки"


def test_the_revision_page_shows_a_changed_link_and_bold_word(client, moderator):
    body = '<p>Итоги на <a href="https://akimat.kz/2024">сайте</a>, около 100 участников.</p>'
    article = ArticleFactory(author=moderator, published=True, body=body)
    url = reverse("admin:articles_article_change", args=[article.pk])
    client.force_login(moderator)
    client.post(url, form_data(article))
    article.refresh_from_db()
    old = article.revisions.get()
    changed = '<p>Итоги на <a href="https://akimat.kz/2025">сайте</a>, около <strong>100</strong> участников.</p>'
    client.post(url, form_data(article, body=changed))
    article.refresh_from_db()
    assert "<strong>100</strong>" in article.body

    page = client.get(reverse("admin:articles_article_revision", args=[article.pk, old.pk])).content.decode()
    assert "(ссылка: https://akimat.kz/2024 → https://akimat.kz/2025)" in page
    assert '<mark class="diff-format">100</mark> <small class="diff-note">(стало: жирный)</small>' in page


def test_the_revision_page_shows_a_stored_body_sanitised(client, moderator):
    article = ArticleFactory(author=moderator, published=True)
    revision = revisions.record(article, moderator)
    revision.data["body"] = '<p onclick="alert(1)">Текст</p><script>alert(2)</script>'  # written around the form
    revision.save()
    client.force_login(moderator)
    page = client.get(reverse("admin:articles_article_revision", args=[article.pk, revision.pk])).content.decode()
    assert "<p>Текст</p>" in page
    assert "alert(" not in page
