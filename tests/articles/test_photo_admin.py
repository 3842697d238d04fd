"""The photo library in the admin: journalists keep their own photos, moderators everyone's; used photos stay."""

import pytest
from django.urls import reverse

from articles.models import Photo
from tests.articles.test_photo_library import library_photo
from tests.articles.test_photos import HOSTILE, gps_rotated_jpeg, upload
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

LIST = reverse("admin:articles_photo_changelist")


def change_url(photo):
    return reverse("admin:articles_photo_change", args=[photo.pk])


def delete_url(photo):
    return reverse("admin:articles_photo_delete", args=[photo.pk])


def description(**changes):
    return {"alt_text": "Поле", "caption": "", "credit": "", "tags": "", **changes}


def listed(client, **query):
    page = client.get(LIST, query).content.decode()
    return {photo.pk for photo in Photo.objects.all() if change_url(photo) in page}


def test_a_journalist_adds_a_photo_through_the_checked_path(client, journalist, media_root):
    client.force_login(journalist)
    data = description(alt_text="Набережная", tags="паводок, Ишим", file=upload("IMG_1.JPG", gps_rotated_jpeg()))
    response = client.post(reverse("admin:articles_photo_add"), data)
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.uploaded_by == journalist and photo.file.name.startswith("photos/")
    assert (photo.width, photo.height) == (200, 400) and b"PhoneMaker" not in photo.file.read()
    assert sorted(photo.tags.names()) == ["Ишим", "паводок"]


def test_a_hostile_file_is_refused_by_the_photo_admin(client, journalist, media_root):
    client.force_login(journalist)
    content, _message = HOSTILE["polyglot.gif"]
    response = client.post(reverse("admin:articles_photo_add"), {**description(), "file": upload("x.gif", content)})
    assert response.status_code == 200 and response.context["adminform"].form.errors["file"]
    assert not Photo.objects.exists() and not list(media_root.rglob("*.*"))


def test_the_list_shows_thumbnails_and_is_searched_and_filtered(client, journalist, other_journalist, moderator):
    field = library_photo(journalist, alt_text="Уборка пшеницы")
    forum = library_photo(other_journalist, caption="Форум «Аманат»", credit="Фото: Айдос Серик")
    forum.tags.add("форум")
    client.force_login(moderator)
    page = client.get(LIST).content.decode()
    assert field.rendition_480_jpeg.url in page and 'class="photo-thumbnail"' in page
    assert listed(client) == {field.pk, forum.pk}
    assert listed(client, q="пшеницы") == {field.pk}
    assert listed(client, q="Айдос") == {forum.pk}
    assert listed(client, q="форум") == {forum.pk}
    assert listed(client, q=other_journalist.username) == {forum.pk}
    assert listed(client, uploaded_by__id__exact=journalist.pk) == {field.pk}


def test_a_journalist_sees_and_edits_only_their_own_photos(client, journalist, other_journalist):
    mine, theirs = library_photo(journalist, alt_text="Моё"), library_photo(other_journalist, alt_text="Чужое")
    client.force_login(journalist)
    assert listed(client) == {mine.pk}
    assert client.post(change_url(mine), description(alt_text="Моё, уточнённое")).status_code == 302
    mine.refresh_from_db()
    assert mine.alt_text == "Моё, уточнённое"
    # someone else's photo, by a hand-made request: neither shown, changed nor deleted
    assert client.get(change_url(theirs)).status_code in (302, 403, 404)
    assert client.post(change_url(theirs), description(alt_text="Подмена")).status_code in (302, 403, 404)
    assert client.post(delete_url(theirs), {"post": "yes"}).status_code in (302, 403, 404)
    theirs.refresh_from_db()
    assert theirs.alt_text == "Чужое"
    bulk = {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"}
    client.post(LIST, bulk)
    assert Photo.objects.filter(pk=theirs.pk).exists()


def test_a_moderator_edits_anyones_photo(client, journalist, moderator):
    photo = library_photo(journalist, alt_text="Снимок")
    client.force_login(moderator)
    assert client.post(change_url(photo), description(alt_text="Снимок, исправлено")).status_code == 302
    photo.refresh_from_db()
    assert photo.alt_text == "Снимок, исправлено"


def test_a_photo_in_use_is_not_deleted_and_the_refusal_says_where(client, journalist, media_root):
    cover = library_photo(journalist)
    in_text = library_photo(journalist)
    ArticleFactory(author=journalist, title="Паводок", cover_photo=cover)
    ArticleFactory(author=journalist, title="Набережная", body=f'<p><img src="/media/{in_text.file.name}" alt="x"></p>')
    client.force_login(journalist)
    assert "главное фото материала «Паводок»" in client.get(change_url(cover)).content.decode()
    for photo, story in [(cover, "Паводок"), (in_text, "Набережная")]:
        response = client.post(delete_url(photo), {"post": "yes"}, follow=True)
        message = " ".join(str(message) for message in response.context["messages"])
        assert "нельзя удалить" in message and f"«{story}»" in message
        assert Photo.objects.filter(pk=photo.pk).exists()
    bulk = {"action": "delete_selected", "_selected_action": [in_text.pk], "post": "yes"}
    assert "Набережная" in client.post(LIST, bulk).content.decode()
    assert Photo.objects.filter(pk=in_text.pk).exists()


def test_an_unused_photo_is_deleted_with_its_files(client, journalist, media_root, django_capture_on_commit_callbacks):
    photo = library_photo(journalist)
    client.force_login(journalist)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(delete_url(photo), {"post": "yes"}).status_code == 302
    assert not Photo.objects.exists() and not list(media_root.rglob("*.*"))


def test_a_cover_keeps_its_alt_text_in_the_library(client, journalist):
    photo = library_photo(journalist, alt_text="Зал форума")
    ArticleFactory(author=journalist, cover_photo=photo)
    client.force_login(journalist)
    response = client.post(change_url(photo), description(alt_text=" "))
    assert "главное фото материала" in " ".join(response.context["adminform"].form.errors["alt_text"])
    photo.refresh_from_db()
    assert photo.alt_text == "Зал форума"
