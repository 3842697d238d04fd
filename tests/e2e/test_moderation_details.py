"""Issue 17's fixes on the change page, in Chromium: the planned publication time, the gate's warning at
submission, and a photo that lost an edit conflict."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article, ArticleRevision, RevisionPhoto
from tests.e2e.test_accessibility import AXE_JS, BLOCKING_IMPACTS, WCAG_TAGS, describe_violations
from tests.e2e.test_editorial_workflow import change_url, save_and_continue, workflow_button
from tests.factories import ArticleFactory, jpeg_file

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def assert_axe_passes(page, selector):
    """No serious or critical axe-core violation in the part of the admin page this change adds to."""
    page.add_script_tag(path=AXE_JS)
    results = page.evaluate(
        "([selector, tags]) => axe.run({include: [selector]}, {runOnly: {type: 'tag', values: tags}})",
        [selector, WCAG_TAGS],
    )
    blocking = [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]
    assert results["passes"], f"axe-core checked nothing in {selector}"
    assert not blocking, describe_violations(blocking, page.url, 1280)


def test_moderator_approves_at_the_proposed_time_or_now(live_server, open_browser_as, journalist, moderator):
    proposed = (timezone.localtime() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    kept = ArticleFactory(author=journalist, status=Article.Status.REVIEW, proposed_publish_at=proposed)
    emptied = ArticleFactory(author=journalist, status=Article.Status.REVIEW, proposed_publish_at=proposed)
    urgent = ArticleFactory(author=journalist, status=Article.Status.REVIEW, proposed_publish_at=proposed)
    editor = open_browser_as(moderator, bypass_csp=True)  # to inject axe-core

    # The field starts from the author's proposal and says what an empty field means.
    editor.goto(change_url(live_server, kept))
    assert_axe_passes(editor, ".workflow-panel")
    field = editor.get_by_label("Запланировать")
    expect(field).to_have_value(f"{proposed:%Y-%m-%dT%H:%M}")
    expect(editor.locator("#approve-publish-at-zone")).to_contain_text(f"пусто — тоже {proposed:%d.%m.%Y %H:%M}")
    workflow_button(editor, "Одобрить").click()
    expect(editor.locator(".messagelist .success")).to_contain_text(f"запланировано на {proposed:%d.%m.%Y %H:%M}")
    expect(editor.locator(".workflow-panel h2")).to_contain_text(f"Запланировано на {proposed:%d.%m.%Y %H:%M}")

    # Emptying the field does not throw the proposal away.
    editor.goto(change_url(live_server, emptied))
    editor.get_by_label("Запланировать").fill("")
    workflow_button(editor, "Одобрить").click()
    expect(editor.locator(".workflow-panel h2")).to_contain_text(f"Запланировано на {proposed:%d.%m.%Y %H:%M}")

    # «Одобрить сейчас» publishes at once.
    editor.goto(change_url(live_server, urgent))
    workflow_button(editor, "Одобрить сейчас").click()
    expect(editor.locator(".messagelist .success")).to_contain_text("Одобрить — готово")
    expect(editor.locator(".workflow-panel h2")).to_contain_text("Опубликовано")

    for article in (kept, emptied, urgent):
        article.refresh_from_db()
    assert kept.publish_at == emptied.publish_at == proposed and not kept.is_live() and not emptied.is_live()
    assert urgent.is_live()


def test_moderator_publishes_a_draft_at_a_chosen_time(live_server, open_browser_as, moderator):
    chosen = (timezone.localtime() + timedelta(days=3)).replace(hour=9, minute=30, second=0, microsecond=0)
    article = ArticleFactory(author=moderator)
    editor = open_browser_as(moderator)
    editor.goto(change_url(live_server, article))
    expect(editor.locator("#publish-publish-at-zone")).to_contain_text("пусто — сейчас")
    editor.get_by_label("Запланировать").fill(f"{chosen:%Y-%m-%dT%H:%M}")
    workflow_button(editor, "Опубликовать").click()
    expect(editor.locator(".workflow-panel h2")).to_contain_text(f"Запланировано на {chosen:%d.%m.%Y %H:%M}")
    article.refresh_from_db()
    assert article.publish_at == chosen


def test_journalist_is_told_what_publication_needs_when_submitting(live_server, open_browser_as, journalist):
    article = ArticleFactory(author=journalist, section=None, cover=jpeg_file(), cover_alt="")
    writer = open_browser_as(journalist, bypass_csp=True)  # to inject axe-core
    writer.goto(change_url(live_server, article))
    assert_axe_passes(writer, ".workflow-panel")
    expect(writer.locator(".workflow-missing")).to_have_text(
        "Для публикации не хватает: рубрика, описание главного фото (alt)."
    )
    workflow_button(writer, "Отправить на модерацию").click()
    expect(writer.locator(".messagelist .success")).to_contain_text("Отправить на модерацию — готово")
    warning = writer.locator(".messagelist .warning")
    expect(warning).to_contain_text("не хватает: рубрика, описание главного фото (alt)")
    expect(warning).to_contain_text("нажмите «Отозвать»")
    expect(writer.locator(".workflow-panel h2")).to_contain_text("На модерации")
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_a_photo_uploaded_in_a_lost_save_is_kept_and_applied(
    live_server, open_browser_as, journalist, moderator, media_root
):
    from articles import revisions

    article = ArticleFactory(author=journalist, title="Паводок в Петропавловске")
    revisions.record(article, journalist)
    photo = media_root.parent / "IMG_0412.jpg"
    Image.new("RGB", (640, 480), (30, 120, 200)).save(photo, format="JPEG")
    their_title = "Паводок в Петропавловске: вода отступает"

    writer = open_browser_as(journalist, bypass_csp=True)  # to inject axe-core
    editor = open_browser_as(moderator)
    writer.goto(change_url(live_server, article))
    editor.goto(change_url(live_server, article))
    editor.locator("#id_title").fill(their_title)
    save_and_continue(editor, their_title)

    # The journalist's save with a new photo loses: the photo is kept and shown, not dropped.
    writer.locator("#id_cover_upload").set_input_files(photo)
    writer.locator("#id_cover_alt").fill("Набережная Ишима под водой")
    writer.locator("input[name=_continue]").click()
    row = writer.locator(".conflict-panel tr.conflict-row[data-field=cover_photo]")
    expect(row).to_contain_text("новое фото (ещё не применено)")
    expect(row.get_by_label("мой", exact=True)).to_be_checked()
    kept = row.get_by_role("img", name="Ваше фото")
    expect(kept).to_have_attribute("src", re.compile(rf"/admin/articles/article/{article.pk}/revisions/\d+/photo/$"))
    writer.wait_for_function("img => img.complete && img.naturalWidth === 640", arg=kept.element_handle())
    assert_axe_passes(writer, ".conflict-panel")
    assert not [path for path in media_root.rglob("*") if path.is_file()]
    assert RevisionPhoto.objects.filter(revision__article=article, revision__is_applied=False).count() == 1

    # Saving again with the offered choices applies their title and the kept photo.
    save_and_continue(writer, their_title)
    expect(writer.locator(".conflict-panel")).to_have_count(0)
    # the kept photo is now the story's cover, a library photo, named in the picker by its alt text
    expect(writer.locator(".field-cover_photo")).to_contain_text("Набережная Ишима под водой")
    article.refresh_from_db()
    assert article.title == their_title
    assert (article.cover_photo.width, article.cover_photo.height) == (640, 480)
    assert ArticleRevision.objects.filter(article=article, is_applied=False).count() == 1
