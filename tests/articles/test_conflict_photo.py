"""A cover photo uploaded in a save that lost an edit conflict is kept with that revision, privately, until applied."""

import pytest
from django.urls import reverse
from PIL import Image

from articles.models import ArticleRevision, Photo, RevisionPhoto
from tests.articles.test_admin_workflow import form_data
from tests.articles.test_lost_update import shared_article
from tests.articles.test_photos import HOSTILE, gps_rotated_jpeg, upload
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def stored_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()]


def lose_a_conflict_with_a_photo(client, journalist, moderator, photo=None):
    """The journalist opens the draft, a moderator saves it, then the journalist saves a new photo: refused."""
    article = shared_article(journalist, title="Паводок в Петропавловске", lead="Вода поднялась.")
    stale = form_data(article)
    client.force_login(moderator)
    assert client.post(change_url(article), form_data(article, title="Паводок: вода отступает")).status_code == 302
    client.force_login(journalist)
    mine = {
        **stale,
        "cover_alt": "Набережная Ишима под водой",
        "cover_upload": upload("IMG_2041.JPG", photo or gps_rotated_jpeg()),
    }
    response = client.post(change_url(article), mine)
    return article, mine, response


def resolution(response, mine, **choices):
    """The form as the browser sends it again: the file input empty, the conflict's hidden fields, the choices."""
    conflict = response.context["conflict"]
    form = response.context["adminform"].form
    data = {key: value for key, value in mine.items() if key != "cover_upload"}
    data.update(seen_version=conflict["version"], kept_photo=form.data["kept_photo"])
    data.update({f"resolve_{row['name']}": row["default"] for row in conflict["rows"]})
    data.update({f"resolve_{name}": choice for name, choice in choices.items()})
    return data


def test_the_photo_of_a_lost_save_is_kept_cleaned_and_stored_nowhere_public(client, journalist, moderator, media_root):
    article, _mine, response = lose_a_conflict_with_a_photo(client, journalist, moderator)
    assert response.status_code == 200 and response.context["conflict"]
    assert stored_files(media_root) == []  # nothing under MEDIA_ROOT, so no media URL can reach it
    revision = ArticleRevision.objects.get(article=article, is_applied=False)
    photo = RevisionPhoto.objects.get(revision=revision)
    assert revision.data["cover_photo"] == f"kept:{photo.name}" and "IMG_2041" not in photo.name
    assert photo.alt_text == "Набережная Ишима под водой"  # what was typed for it stays with it
    with Image.open(photo.as_upload()) as image:  # the one upload path's output: upright, no metadata
        assert image.size == (200, 400) and not image.getexif()
    rows = {row["name"]: row for row in response.context["conflict"]["rows"]}
    assert rows["cover_photo"]["default"] == "mine"
    assert rows["cover_photo"]["new"] == "новое фото (ещё не применено)"
    assert rows["cover_photo"]["new_photo"] == reverse(
        "admin:articles_article_revision_photo", args=[article.pk, revision.pk]
    )
    page = response.content.decode()
    assert f'name="kept_photo" value="{revision.pk}"' in page
    assert f'src="{rows["cover_photo"]["new_photo"]}"' in page
    article.refresh_from_db()
    assert not article.cover_photo and not Photo.objects.exists()


def test_choosing_mine_applies_the_kept_photo(client, journalist, moderator, media_root):
    article, mine, response = lose_a_conflict_with_a_photo(client, journalist, moderator)
    response = client.post(change_url(article), resolution(response, mine))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Паводок: вода отступает"  # theirs, as offered
    photo = article.cover_photo
    assert photo.file.name.startswith("photos/") and photo.alt_text == "Набережная Ишима под водой"
    assert (photo.width, photo.height) == (200, 400) and photo.uploaded_by == journalist
    assert photo.file.path in [str(path) for path in stored_files(media_root)]


def test_choosing_theirs_leaves_the_photo_with_the_revision_only(client, journalist, moderator, media_root):
    article, mine, response = lose_a_conflict_with_a_photo(client, journalist, moderator)
    response = client.post(change_url(article), resolution(response, mine, cover_photo="theirs"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert not article.cover_photo and stored_files(media_root) == [] and not Photo.objects.exists()
    assert RevisionPhoto.objects.filter(revision__article=article).count() == 1


def test_restoring_the_revision_later_applies_its_photo(client, journalist, moderator, media_root):
    article, mine, response = lose_a_conflict_with_a_photo(client, journalist, moderator)
    client.post(change_url(article), resolution(response, mine, cover_photo="theirs"))
    revision = ArticleRevision.objects.get(article=article, is_applied=False)
    client.post(reverse("admin:articles_article_restore", args=[article.pk, revision.pk]))
    article.refresh_from_db()
    photo = article.cover_photo
    assert photo.file.name.startswith("photos/") and (photo.width, photo.height) == (200, 400)
    assert photo.alt_text == "Набережная Ишима под водой"
    assert article.revisions.filter(is_applied=True).first().data["cover_photo"] == photo.pk


def test_the_kept_photo_is_shown_only_to_who_may_see_the_story(client, journalist, other_journalist, moderator):
    article, _mine, _response = lose_a_conflict_with_a_photo(client, journalist, moderator)
    revision = ArticleRevision.objects.get(article=article, is_applied=False)
    url = reverse("admin:articles_article_revision_photo", args=[article.pk, revision.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    client.force_login(other_journalist)
    assert client.get(url).status_code in (302, 404)
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
    assert reverse("admin:login") in client.get(url)["Location"]


def test_a_hostile_photo_in_a_lost_save_is_refused_and_nothing_kept(client, journalist, moderator, media_root):
    content, _message = HOSTILE["payload.png"]
    article, _mine, response = lose_a_conflict_with_a_photo(client, journalist, moderator, photo=content)
    assert response.context["adminform"].form.errors.get("cover_upload")
    assert not RevisionPhoto.objects.exists() and stored_files(media_root) == []


def test_someone_elses_kept_photo_cannot_be_applied_by_a_hand_made_post(
    client, journalist, other_journalist, moderator
):
    article, _mine, _response = lose_a_conflict_with_a_photo(client, journalist, moderator)
    foreign = ArticleRevision.objects.get(article=article, is_applied=False)
    own = shared_article(other_journalist)
    stale = form_data(own)
    client.force_login(moderator)
    client.post(change_url(own), form_data(own, title="Правка модератора"))
    own.refresh_from_db()
    client.force_login(other_journalist)
    data = {**stale, "seen_version": own.version, "kept_photo": foreign.pk, "resolve_cover_photo": "mine"}
    data["resolve_title"] = "theirs"
    assert client.post(change_url(own), data).status_code == 302
    own.refresh_from_db()
    assert not own.cover_photo


def test_discarding_the_revision_deletes_its_photo(client, journalist, other_journalist, moderator):
    article, _mine, _response = lose_a_conflict_with_a_photo(client, journalist, moderator)
    revision = ArticleRevision.objects.get(article=article, is_applied=False)
    discard = reverse("admin:articles_article_discard", args=[article.pk, revision.pk])
    page = client.get(reverse("admin:articles_article_revision", args=[article.pk, revision.pk])).content.decode()
    assert "Удалить эту неприменённую правку" in page and "Фото этой правки" in page
    client.force_login(other_journalist)
    assert client.post(discard).status_code in (302, 403, 404)
    assert RevisionPhoto.objects.filter(revision=revision).exists()
    client.force_login(journalist)
    assert client.get(discard).status_code == 404  # POST only
    assert client.post(discard).status_code == 302
    assert not ArticleRevision.objects.filter(pk=revision.pk).exists()
    assert not RevisionPhoto.objects.exists()


def test_an_applied_revision_cannot_be_discarded(client, journalist):
    article = shared_article(journalist)
    applied = article.revisions.get()
    client.force_login(journalist)
    assert client.post(reverse("admin:articles_article_discard", args=[article.pk, applied.pk])).status_code == 403
    assert ArticleRevision.objects.filter(pk=applied.pk).exists()


def test_a_save_without_a_conflict_keeps_no_photo(client, journalist, media_root):
    article = ArticleFactory(author=journalist)
    client.force_login(journalist)
    data = form_data(article, cover_alt="Описание фото")
    data["cover_upload"] = upload("IMG_1.JPG", gps_rotated_jpeg())
    assert client.post(change_url(article), data).status_code == 302
    assert not RevisionPhoto.objects.exists()
    assert len(stored_files(media_root)) >= 1


def test_deleting_the_story_deletes_its_kept_photos(client, journalist, moderator):
    article, _mine, _response = lose_a_conflict_with_a_photo(client, journalist, moderator)
    assert RevisionPhoto.objects.count() == 1
    article.delete()
    assert not RevisionPhoto.objects.exists()
