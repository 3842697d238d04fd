"""The editorial workflow in the admin, driven in Chromium as the newsroom's people use it.

Each person works in a browser context of their own (own cookies, own session), so a
journalist, two moderators and an anonymous reader can act on the same story in turn.
"""

import re

import pytest
from django.contrib.auth.models import Group
from PIL import Image
from playwright.sync_api import expect

from articles import revisions
from articles.models import Article, ArticleRevision, Photo
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def second_moderator(db):
    user = UserFactory(username="moderator2", first_name="Динара", last_name="Абенова", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def change_url(live_server, article):
    return f"{live_server.url}/admin/articles/article/{article.pk}/change/"


def workflow_button(page, label):
    return page.locator(".workflow-panel").get_by_role("button", name=label, exact=True)


def click_workflow_button(page, label):
    """Press a transition button and wait for the page it redirects to to say it is done."""
    workflow_button(page, label).click()
    expect(page.locator(".messagelist .success")).to_contain_text(f"{label} — готово")


def save_and_continue(page, title):
    """Press «Сохранить и продолжить редактирование» and wait for the admin to confirm the save."""
    page.locator("input[name=_continue]").click()
    page.wait_for_url(re.compile(r"/admin/articles/article/\d+/change/$"))
    expect(page.locator(".messagelist .success")).to_contain_text(title)
    expect(page.locator(".messagelist .success")).to_contain_text("успешно")


def type_into_body(page, text):
    """Type into the CKEditor body the way a person does: click into the editor, then type."""
    editor = page.frame_locator("#cke_id_body iframe").locator("body")
    expect(editor).to_have_attribute("contenteditable", "true")
    editor.click()
    page.keyboard.type(text)
    expect(editor).to_contain_text(text)


def choose_section(page, name):
    """Pick a section in the select2 autocomplete of the «рубрика» field."""
    page.locator(".field-section .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(name[:5])
    page.locator(".select2-results__option", has_text=name).click()
    expect(page.locator(".field-section .select2-selection__rendered")).to_contain_text(name)


def test_story_goes_from_journalist_to_reader(live_server, open_browser_as, journalist, moderator):
    section = SectionFactory(name="Общество", slug="obshchestvo")
    title = "В Тайынше открылась новая школа на 600 мест"
    body_text = "Школу построили за полтора года по программе Комфортная школа."
    reason = "Нет источника в лиде: кто сообщил об открытии?"
    first_lead = "В Тайынше открылась школа."
    second_lead = "Как сообщил акимат района, в Тайынше открылась новая школа."

    # The journalist writes the story and sends it to review.
    writer = open_browser_as(journalist)
    writer.goto(f"{live_server.url}/admin/articles/article/add/")
    writer.locator("#id_title").fill(title)
    writer.locator("#id_lead").fill(first_lead)
    type_into_body(writer, body_text)
    choose_section(writer, section.name)
    writer.locator("#id_tags").fill("образование, Тайынша")
    save_and_continue(writer, title)
    article = Article.objects.get(title=title)
    assert (article.author, article.status, article.section) == (journalist, Article.Status.DRAFT, section)
    assert body_text in article.body
    assert sorted(article.tags.names()) == ["Тайынша", "образование"]
    expect(writer.locator(".workflow-panel h2")).to_contain_text("Черновик")
    click_workflow_button(writer, "Отправить на модерацию")
    expect(writer.locator(".workflow-panel h2")).to_contain_text("На модерации")

    # The moderator finds it in the review queue and sends it back with a reason.
    editor = open_browser_as(moderator)
    queue = editor.locator(".review-queue a")
    expect(queue).to_contain_text("На модерации: 1")
    queue.click()
    editor.get_by_role("link", name=title, exact=True).click()
    # The admin keeps the queue's filter in the address (?_changelist_filters=...).
    editor.wait_for_url(re.compile(rf"/admin/articles/article/{article.pk}/change/"))
    editor.get_by_label("Причина").fill(reason)
    click_workflow_button(editor, "Отклонить")
    expect(editor.locator(".workflow-panel h2")).to_contain_text("Черновик")

    # The journalist sees why, fixes the lead and sends it again.
    writer.goto(change_url(live_server, article))
    expect(writer.locator(".workflow-rejection")).to_contain_text(reason)
    writer.locator("#id_lead").fill(second_lead)
    save_and_continue(writer, title)
    expect(writer.locator("#id_lead")).to_have_value(second_lead)
    click_workflow_button(writer, "Отправить на модерацию")
    expect(writer.locator(".workflow-rejection")).to_have_count(0)

    # The moderator approves it for publication now.
    editor.goto(change_url(live_server, article))
    expect(editor.locator("#id_lead")).to_have_value(second_lead)
    click_workflow_button(editor, "Одобрить")
    expect(editor.locator(".workflow-panel h2")).to_contain_text("Опубликовано")
    article.refresh_from_db()
    assert (article.status, article.lead) == (Article.Status.PUBLISHED, second_lead)
    assert article.is_live()

    # A reader without an account finds the headline on the home page and reads the story.
    reader = open_browser_as(None)
    reader.goto(f"{live_server.url}/")
    reader.get_by_role("link", name=title, exact=True).first.click()
    reader.wait_for_url(f"**/news/{article.slug}/")
    expect(reader.locator("h1")).to_have_text(title)
    expect(reader.locator(".article__body")).to_contain_text(body_text)


def test_two_editors_lose_nothing(live_server, open_browser_as, moderator, second_moderator):
    article = ArticleFactory(author=moderator, title="Исходный заголовок", lead="Исходный лид")
    revisions.record(article, moderator)  # as the admin does on every save
    first_title = "Заголовок от первого редактора"
    second_lead = "Лид от второго редактора, набранный параллельно."

    first = open_browser_as(moderator)
    second = open_browser_as(second_moderator)
    first.goto(change_url(live_server, article))
    second.goto(change_url(live_server, article))

    first.locator("#id_title").fill(first_title)
    save_and_continue(first, first_title)
    expect(first.locator("#id_title")).to_have_value(first_title)

    # The second editor saves on the version they opened: refused, shown, nothing lost.
    second.locator("#id_lead").fill(second_lead)
    second.locator("input[name=_continue]").click()
    panel = second.locator(".conflict-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Материал изменили, пока вы его редактировали")
    expect(panel).to_contain_text("Сохранил(а): Тест")  # the first moderator, by name
    expect(second.locator(".errorlist.nonfield")).to_contain_text("Ваш текст не потерян")
    expect(second.locator("#id_lead")).to_have_value(second_lead)
    rows = panel.locator("tr.conflict-row")
    expect(rows).to_have_count(2)
    assert rows.evaluate_all("rows => rows.map(row => row.dataset.field)") == ["title", "lead"]
    title_row = panel.locator("tr.conflict-row[data-field=title]")
    expect(title_row).to_contain_text(first_title)
    expect(title_row.get_by_label("их", exact=True)).to_be_checked()
    lead_row = panel.locator("tr.conflict-row[data-field=lead]")
    expect(lead_row).to_contain_text(second_lead)
    expect(lead_row.get_by_label("мой", exact=True)).to_be_checked()
    article.refresh_from_db()
    assert (article.title, article.lead) == (first_title, "Исходный лид")

    # Saving again with the offered choices merges both changes.
    save_and_continue(second, first_title)
    expect(second.locator(".conflict-panel")).to_have_count(0)
    expect(second.locator("#id_title")).to_have_value(first_title)
    expect(second.locator("#id_lead")).to_have_value(second_lead)
    expect(second.locator(".history-panel")).to_contain_text("не применена: столкнулась с чужой правкой")
    article.refresh_from_db()
    assert (article.title, article.lead) == (first_title, second_lead)
    unapplied = ArticleRevision.objects.get(article=article, is_applied=False)
    assert (unapplied.created_by, unapplied.data["lead"]) == (second_moderator, second_lead)


def test_journalist_sees_only_allowed_buttons(live_server, open_browser_as, journalist):
    article = ArticleFactory(author=journalist, title="Черновик журналиста о посевной")
    page = open_browser_as(journalist)
    page.goto(change_url(live_server, article))

    expect(page.locator("#id_title")).to_have_value(article.title)
    expect(workflow_button(page, "Отправить на модерацию")).to_be_visible()
    for label in ["Опубликовать", "Одобрить", "Отклонить", "Отозвать"]:
        expect(workflow_button(page, label)).to_have_count(0)

    click_workflow_button(page, "Отправить на модерацию")
    expect(page.locator(".workflow-panel h2")).to_contain_text("На модерации")
    expect(page.locator("#id_title")).to_have_count(0)
    expect(page.locator(".field-title")).to_contain_text(article.title)
    expect(page.locator("input[name=_save]")).to_have_count(0)
    expect(workflow_button(page, "Отозвать")).to_be_visible()
    for label in ["Отправить на модерацию", "Опубликовать", "Одобрить", "Отклонить"]:
        expect(workflow_button(page, label)).to_have_count(0)
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_journalist_puts_an_uploaded_photo_into_the_body(live_server, open_browser_as, journalist, media_root):
    photo = media_root.parent / "IMG_0412.jpg"
    Image.new("RGB", (640, 480), (30, 120, 200)).save(photo, format="JPEG")
    title = "Паводок в Петропавловске: фото с набережной"
    writer = open_browser_as(journalist)
    writer.goto(f"{live_server.url}/admin/articles/article/add/")
    writer.locator("#id_title").fill(title)
    writer.locator("#id_lead").fill("Вода поднялась до отметки в семь метров.")
    type_into_body(writer, "Набережная утром. ")

    # The image dialog's «Загрузить» tab, as a person uses it: pick a file, send it, press OK.
    writer.locator("#cke_id_body .cke_button__image").click()
    dialog = writer.locator(".cke_dialog:visible")
    dialog.get_by_role("tab", name="Загрузить").click()
    dialog.frame_locator("iframe.cke_dialog_ui_input_file").locator("input[type=file]").set_input_files(photo)
    dialog.get_by_role("button", name="Загрузить на сервер").click()
    url_field = dialog.get_by_role("textbox", name="Ссылка", exact=True)
    expect(url_field).to_have_value(re.compile(r"^/media/photos/\d{4}/\d\d/[0-9a-f]{32}\.jpg$"))
    dialog.get_by_role("button", name="ОК").click()

    image = writer.frame_locator("#cke_id_body iframe").locator("img")
    expect(image).to_have_attribute("src", re.compile(r"^/media/photos/"))
    writer.wait_for_function(
        "() => document.querySelector('#cke_id_body iframe').contentDocument.querySelector('img').naturalWidth === 640"
    )
    save_and_continue(writer, title)
    article = Article.objects.get(title=title)
    # the picture is a library photo, uploaded by the journalist
    photo = Photo.objects.get()
    assert photo.uploaded_by == journalist and f'src="{photo.file.url}"' in article.body
    assert (photo.width, photo.height) == (640, 480)
