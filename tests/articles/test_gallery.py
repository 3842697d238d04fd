"""A story's photo gallery: library photos in order, shown with their renditions in the story's stored part, kept
current when they change, editable by whoever may edit the story, and holding their photos in the library."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from articles import revisions
from articles.models import GalleryItem, Photo, StoryPart
from newsroom import edge
from newsroom.background.orphaned_uploads import remove_orphaned_uploads
from tests.articles.test_admin_workflow import change_url, form_data, logged_in
from tests.articles.test_photo_library import library_photo
from tests.articles.test_story_parts import new_process, render_queued, tamper_with_stored_body
from tests.factories import ArticleFactory
from tests.pages import get_page, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def photos(journalist, media_root):
    return [
        library_photo(journalist, alt_text="Зал форума", caption="Форум в Петропавловске", credit="Айдос Серик"),
        library_photo(journalist, size=(1600, 1200), alt_text="Участники голосуют", credit="Пресс-служба"),
        library_photo(journalist, size=(900, 600), alt_text="Выставка проектов"),
    ]


@pytest.fixture
def story(journalist, photos, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        story = ArticleFactory(published=True, author=journalist, body="<p>Текст материала о форуме.</p>")
        # Out of order on purpose: the numbers decide.
        GalleryItem.objects.create(article=story, photo=photos[2], position=3)
        GalleryItem.objects.create(article=story, photo=photos[0], position=1, caption="Открытие форума")
        GalleryItem.objects.create(article=story, photo=photos[1], position=2)
    render_queued()
    return story


def figures(content):
    section = parse(content).find(".//section[@class='gallery']")
    assert section is not None, "no gallery on the page"
    return section, section.findall("./ol/li/figure")


def test_the_gallery_follows_the_text_in_order_with_captions_credits_and_renditions(client, story, photos):
    content = get_page(client, story.get_absolute_url())
    section, shown = figures(content)
    assert section.get("aria-labelledby") == "gallery-title"
    assert section.find(".//h2[@id='gallery-title']").text == "Фотогалерея"
    assert content.index("Текст материала о форуме.") < content.index('class="gallery"')
    assert [figure.find(".//img").get("alt") for figure in shown] == [
        "Зал форума",
        "Участники голосуют",
        "Выставка проектов",
    ]
    first = shown[0]
    img, source = first.find(".//img"), first.find(".//picture/source")
    assert (img.get("width"), img.get("height")) == ("2400", "1600")
    assert img.get("loading") == "lazy" and img.get("decoding") == "async"
    assert source.get("type") == "image/webp" and "480w" in source.get("srcset") and "1200w" in source.get("srcset")
    assert ".jpg 800w" in img.get("srcset")
    assert first.find("./a").get("href") == photos[0].rendition_1200_jpeg.url
    caption = "".join(first.find("figcaption").itertext())
    assert "Открытие форума" in caption and "Форум в Петропавловске" not in caption  # the item's own caption
    assert "Фото: Айдос Серик" in caption
    assert "Фото: Пресс-служба" in "".join(shown[1].find("figcaption").itertext())  # the photo's own credit
    assert shown[2].find("figcaption") is None  # nothing to say, nothing shown

    controls = section.find(".//div[@class='gallery__controls']")
    assert controls.get("hidden") is not None  # the viewer's buttons only with JavaScript (static/js/gallery.js)


def test_a_credit_that_names_itself_a_photo_credit_is_not_labelled_twice(client, story, photos):
    photos[1].credit = "Фото: пресс-служба акимата"
    photos[1].save()
    content = get_page(client, story.get_absolute_url())
    assert "Фото: пресс-служба акимата" in content and "Фото: Фото:" not in content


def test_the_gallery_is_in_the_stored_part_and_costs_no_query(client, story, journalist, photos):
    assert "Открытие форума" in StoryPart.objects.get(article=story).body
    tamper_with_stored_body(story, "stored-part-used")
    assert "stored-part-used" in client.get(story.get_absolute_url()).content.decode()  # its fingerprint matched
    plain = ArticleFactory(published=True, author=journalist)
    counts = []
    for shown in (plain, story):
        new_process()
        client.get(shown.get_absolute_url())  # the generation and the navigation read, as on a warm server
        new_process()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(shown.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_photo_changed_in_the_library_shows_at_once_and_is_rendered_again(
    client, story, photos, django_capture_on_commit_callbacks
):
    client.get(story.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        photos[1].alt_text = "Делегаты голосуют мандатами"
        photos[1].save()
    assert 'alt="Делегаты голосуют мандатами"' in client.get(story.get_absolute_url()).content.decode()
    render_queued()
    assert "Делегаты голосуют мандатами" in StoryPart.objects.get(article=story).body


def test_a_photo_taken_out_of_the_gallery_leaves_the_stored_part(
    client, story, photos, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        story.gallery_items.get(photo=photos[2]).delete()
    render_queued()
    assert "Выставка проектов" not in StoryPart.objects.get(article=story).body
    with django_capture_on_commit_callbacks(execute=True):
        story.gallery_items.all().delete()
    render_queued()
    assert 'class="gallery"' not in StoryPart.objects.get(article=story).body
    assert 'class="gallery"' not in client.get(story.get_absolute_url()).content.decode()


def test_changing_a_gallery_purges_the_story_at_the_edge(story, photos, settings, django_capture_on_commit_callbacks):
    settings.NEWSROOM_EDGE_PURGE_URLS = ["http://127.0.0.1:6081/"]
    ProcrastinateJob.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        photos[0].credit = "Айдос Серикбаев"
        photos[0].save()
    [job] = ProcrastinateJob.objects.filter(task_name=edge.PURGE_TASK)
    assert edge.key("article", story.pk) in job.args["lists"]


def test_json_ld_lists_the_gallery_photos(client, story, photos):
    content = get_page(client, story.get_absolute_url())
    script = parse(content).find(".//script[@type='application/ld+json']")
    images = json.loads(script.text)["image"]
    assert [image.rsplit("/", 2)[-2] for image in images] == [
        photo.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0] for photo in (photos[0], photos[1], photos[2])
    ]
    assert all(image.startswith("http") for image in images)


def test_a_preview_shows_the_gallery_of_a_draft(client, journalist, photos):
    draft = ArticleFactory(author=journalist)
    GalleryItem.objects.create(article=draft, photo=photos[0], caption="Черновая подпись")
    logged_in(client, journalist)
    content = client.get(reverse("admin:articles_article_preview", args=[draft.pk])).content.decode()
    assert "Черновая подпись" in content


# --- the library: a gallery's photo is in use ---


def test_a_gallery_photo_is_in_use_and_cannot_be_deleted(story, photos, journalist):
    unused = library_photo(journalist)
    assert set(Photo.objects.in_use()) == set(photos)
    assert list(Photo.objects.unused()) == [unused]
    with pytest.raises(ProtectedError) as refused:
        photos[0].delete()
    assert "Фото №1 в галерее материала" in str(refused.value.protected_objects)
    assert Photo.objects.filter(pk=photos[0].pk).exists() and photos[0].file.storage.exists(photos[0].file.name)


def test_deleting_a_gallery_photo_in_the_library_is_refused_naming_the_story(client, story, photos, journalist):
    client.force_login(journalist)
    response = client.post(reverse("admin:articles_photo_delete", args=[photos[1].pk]), {"post": "yes"}, follow=True)
    message = " ".join(str(message) for message in response.context["messages"])
    assert "нельзя удалить" in message and f"в фотогалерее материала «{story.title}»" in message
    assert Photo.objects.filter(pk=photos[1].pk).exists()


def test_the_sweep_of_unused_library_photos_keeps_a_gallerys(
    story, photos, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_UPLOAD_GRACE_HOURS = 0
    unused = library_photo(photos[0].uploaded_by)
    Photo.objects.update(uploaded_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        sweep = remove_orphaned_uploads()
    assert sweep.photos_removed == 1
    assert set(Photo.objects.all()) == set(photos) and not Photo.objects.filter(pk=unused.pk).exists()
    assert all(photo.file.storage.exists(photo.file.name) for photo in photos)


def test_deleting_the_story_frees_its_photos(story, photos):
    story.delete()
    assert set(Photo.objects.unused()) == set(photos)


# --- the article form's gallery inline ---


def gallery_rows(*rows, initial=0):
    data = {
        "gallery_items-TOTAL_FORMS": str(len(rows)),
        "gallery_items-INITIAL_FORMS": str(initial),
        "gallery_items-MIN_NUM_FORMS": "0",
        "gallery_items-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"gallery_items-{index}-{name}": value for name, value in row.items()})
    return data


def test_the_author_builds_a_gallery_of_their_own_photos(client, journalist, photos):
    draft = ArticleFactory(author=journalist)
    logged_in(client, journalist)
    rows = gallery_rows(
        {"photo": photos[1].pk, "position": "2", "caption": "", "credit": ""},
        {"photo": photos[0].pk, "position": "1", "caption": "Своя подпись", "credit": "Своя подпись автора"},
    )
    assert client.post(change_url(draft), form_data(draft) | rows).status_code == 302
    items = list(draft.gallery_items.all())
    assert [item.photo for item in items] == [photos[0], photos[1]]
    assert (items[0].caption, items[0].credit) == ("Своя подпись", "Своя подпись автора")


def test_a_journalist_is_offered_only_their_own_photos_and_cannot_post_anothers(
    client, journalist, other_journalist, moderator, photos
):
    private = library_photo(other_journalist, alt_text="Чужое неопубликованное фото")
    draft = ArticleFactory(author=journalist)
    picker = {"app_label": "articles", "model_name": "galleryitem", "field_name": "photo", "term": "фото"}

    def offered(user):
        logged_in(client, user)
        assert 'name="gallery_items-0-photo"' in client.get(change_url(draft)).content.decode()
        return {int(found["id"]) for found in client.get(reverse("admin:autocomplete"), picker).json()["results"]}

    picker["term"] = ""
    assert offered(journalist) == {photo.pk for photo in photos}
    assert private.pk in offered(moderator)
    logged_in(client, journalist)
    response = client.post(change_url(draft), form_data(draft) | gallery_rows({"photo": private.pk, "position": "1"}))
    assert response.status_code == 200 and not draft.gallery_items.exists()


def test_a_journalist_cannot_touch_the_gallery_of_a_story_they_may_not_edit(
    client, journalist, other_journalist, photos
):
    submitted = ArticleFactory(author=journalist, status="review")
    foreign = ArticleFactory(author=other_journalist)
    logged_in(client, journalist)
    for story in (submitted, foreign):
        client.post(change_url(story), form_data(story) | gallery_rows({"photo": photos[0].pk, "position": "1"}))
        assert not story.gallery_items.exists()


def test_a_revision_keeps_the_gallery_and_restoring_it_brings_it_back(client, journalist, photos):
    draft = ArticleFactory(author=journalist)
    logged_in(client, journalist)
    rows = gallery_rows(
        {"photo": photos[0].pk, "position": "1", "caption": "Открытие"}, {"photo": photos[1].pk, "position": "2"}
    )
    assert client.post(change_url(draft), form_data(draft) | rows).status_code == 302
    revision = draft.revisions.filter(is_applied=True).first()
    assert revision.data["gallery"] == [[photos[0].pk, "Открытие", ""], [photos[1].pk, "", ""]]
    shown = client.get(reverse("admin:articles_article_revision", args=[draft.pk, revision.pk])).content.decode()
    assert '<th scope="row">Фотогалерея</th><td>Зал форума (Открытие); Участники голосуют</td>' in shown

    draft.gallery_items.all().delete()
    assert set(Photo.objects.in_use()) == {photos[0], photos[1]}  # the revision may bring them back
    revisions.restore(draft, revision, journalist)
    assert [(item.photo, item.caption) for item in draft.gallery_items.all()] == [
        (photos[0], "Открытие"),
        (photos[1], ""),
    ]


def test_a_photo_an_editor_put_in_a_journalists_gallery_stays_offered(client, journalist, moderator, media_root):
    editors = library_photo(moderator, alt_text="Фото редакции")
    draft = ArticleFactory(author=journalist)
    item = GalleryItem.objects.create(article=draft, photo=editors, position=1)
    logged_in(client, journalist)
    assert "Фото редакции" in client.get(change_url(draft)).content.decode()
    rows = gallery_rows({"id": item.pk, "article": draft.pk, "photo": editors.pk, "position": "5"}, initial=1)
    assert client.post(change_url(draft), form_data(draft) | rows).status_code == 302
    item.refresh_from_db()
    assert item.position == 5
