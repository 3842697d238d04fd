"""A story's cover is a library photo: uploaded in the article form, or picked from the photos the person may see."""

import pytest
from django.urls import reverse

from articles.models import Photo
from tests.articles.test_admin_workflow import form_data
from tests.articles.test_photo_library import library_photo
from tests.articles.test_photos import gps_rotated_jpeg, upload
from tests.factories import ArticleFactory, jpeg_file

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def save(client, user, article, **changes):
    client.force_login(user)
    return client.post(change_url(article), form_data(article, **changes))


def test_a_cover_uploaded_in_the_article_form_enters_the_library(client, journalist, media_root):
    article = ArticleFactory(author=journalist)
    data = form_data(article, cover_alt="Поле пшеницы", cover_caption="Уборка", cover_credit="Фото: Айдос Серик")
    data["cover_upload"] = upload("IMG_7.JPG", gps_rotated_jpeg())
    client.force_login(journalist)
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    photo = article.cover_photo
    assert (photo.alt_text, photo.caption, photo.credit) == ("Поле пшеницы", "Уборка", "Фото: Айдос Серик")
    assert photo.uploaded_by == journalist and photo.file.name.startswith("photos/")
    assert article.revisions.first().data["cover_photo"] == photo.pk


def test_a_photo_picked_from_the_library_keeps_its_own_description(client, journalist):
    photo = library_photo(journalist, alt_text="Зал форума", caption="Форум в Петропавловске")
    article = ArticleFactory(author=journalist)
    assert save(client, journalist, article, cover_photo=photo.pk).status_code == 302
    article.refresh_from_db()
    photo.refresh_from_db()
    assert article.cover_photo == photo and (photo.alt_text, photo.caption) == ("Зал форума", "Форум в Петропавловске")


def test_the_description_typed_for_ones_own_cover_changes_the_photo(client, journalist):
    article = ArticleFactory(author=journalist, cover=jpeg_file(), cover_alt="Зал")
    assert save(client, journalist, article, cover_alt="Зал форума, первый ряд").status_code == 302
    article.cover_photo.refresh_from_db()
    assert article.cover_photo.alt_text == "Зал форума, первый ряд"


def test_a_journalist_cannot_pick_someone_elses_photo(client, journalist, other_journalist):
    theirs = library_photo(other_journalist, alt_text="Чужое фото")
    article = ArticleFactory(author=journalist)
    response = save(client, journalist, article, cover_photo=theirs.pk)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["cover_photo"]
    article.refresh_from_db()
    assert article.cover_photo is None


def test_a_moderator_may_pick_anyones_photo(client, journalist, moderator):
    theirs = library_photo(journalist, alt_text="Фото журналиста")
    article = ArticleFactory(author=moderator)
    assert save(client, moderator, article, cover_photo=theirs.pk).status_code == 302
    article.refresh_from_db()
    assert article.cover_photo == theirs


def test_a_journalist_cannot_rewrite_the_description_of_someone_elses_cover(client, journalist, moderator):
    # A moderator set the cover from their own library; the journalist may keep it, not re-describe it.
    photo = library_photo(moderator, alt_text="Снимок модератора")
    article = ArticleFactory(author=journalist, cover_photo=photo)
    assert save(client, journalist, article, title="Новый заголовок").status_code == 302
    article.refresh_from_db()
    response = save(client, journalist, article, cover_alt="Моё описание")
    assert "другой автор" in " ".join(response.context["adminform"].form.errors["cover_alt"])
    photo.refresh_from_db()
    assert photo.alt_text == "Снимок модератора"


def test_a_picked_photo_without_alt_text_is_refused(client, journalist):
    photo = library_photo(journalist, alt_text="")
    article = ArticleFactory(author=journalist)
    response = save(client, journalist, article, cover_photo=photo.pk)
    assert "Опишите, что на фото" in " ".join(response.context["adminform"].form.errors["cover_alt"])
    response = save(client, journalist, article, cover_photo=photo.pk, cover_alt="Набережная")
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.alt_text == "Набережная"


def test_the_cover_picker_offers_only_the_photos_one_may_see(client, journalist, other_journalist, moderator):
    mine = library_photo(journalist, alt_text="Моё поле")
    theirs = library_photo(other_journalist, alt_text="Чужое поле")
    url = reverse("admin:autocomplete")
    query = {"app_label": "articles", "model_name": "article", "field_name": "cover_photo", "term": "поле"}
    client.force_login(journalist)
    found = {int(result["id"]) for result in client.get(url, query).json()["results"]}
    assert found == {mine.pk}
    client.force_login(moderator)
    found = {int(result["id"]) for result in client.get(url, query).json()["results"]}
    assert found == {mine.pk, theirs.pk}


def test_a_cover_cannot_be_deleted_from_the_library(journalist):
    from django.db.models import ProtectedError

    article = ArticleFactory(author=journalist, cover=jpeg_file())
    with pytest.raises(ProtectedError):
        Photo.objects.filter(pk=article.cover_photo_id).delete()


def test_a_cover_described_anew_in_the_library_shows_on_pages_already_seen(client, journalist):
    article = ArticleFactory(published=True, author=journalist, cover=jpeg_file(), cover_alt="Зал")
    assert 'alt="Зал"' in client.get(article.get_absolute_url()).content.decode()
    assert 'alt="Зал"' in client.get("/news/").content.decode()
    photo = article.cover_photo
    photo.alt_text = "Зал форума в Петропавловске"
    photo.save()
    for url in (article.get_absolute_url(), "/news/"):
        assert 'alt="Зал форума в Петропавловске"' in client.get(url).content.decode(), url


def test_the_story_form_offers_no_link_that_changes_or_deletes_a_library_photo(client, moderator):
    """The widget's red cross would delete the photo from the library, not take it off the story."""
    photo = library_photo(moderator, alt_text="Зал форума")
    article = ArticleFactory(author=moderator, cover_photo=photo)
    client.force_login(moderator)

    page = client.get(change_url(article)).content.decode()

    assert 'id="add_id_cover_photo"' in page  # uploading from the picker's «+» stays
    for field in ("id_cover_photo", "id_gallery_items-0-photo"):
        assert f'id="delete_{field}"' not in page and f'id="change_{field}"' not in page
    assert 'id="delete_id_section"' in page or 'id="change_id_section"' in page  # other pickers keep theirs
