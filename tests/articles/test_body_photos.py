"""Photos in a story's text come from the library and are shown like covers: responsive, sized and lazy."""

import importlib

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Photo
from tests.articles.test_photo_library import library_photo
from tests.factories import ArticleFactory, jpeg_file
from tests.pages import get_page, parse

pytestmark = pytest.mark.django_db


def body_with(photos, extra=""):
    figures = "".join(
        f'<figure><img src="/media/{photo.file.name}" alt="Снимок {number}"><figcaption>Подпись</figcaption></figure>'
        for number, photo in enumerate(photos)
    )
    return f"<p>Текст.</p>{figures}{extra}"


def test_a_library_photo_in_the_text_becomes_a_responsive_lazy_picture(client, journalist):
    photo = library_photo(journalist, alt_text="Своё описание")
    outside = '<p><img src="https://example.org/elsewhere.jpg" alt="Чужой сайт"></p>'
    story = ArticleFactory(published=True, body=body_with([photo], outside))
    body = parse(get_page(client, story.get_absolute_url())).find(".//div[@class='article__body']")
    [picture] = body.findall("./figure/picture")
    [source] = picture.findall("source")
    assert source.get("type") == "image/webp" and "480w" in source.get("srcset") and "1200w" in source.get("srcset")
    [image] = picture.findall("img")
    assert image.get("src") == photo.rendition_800_jpeg.url and "800w" in image.get("srcset")
    assert (image.get("width"), image.get("height")) == ("2400", "1600")
    assert (image.get("loading"), image.get("decoding")) == ("lazy", "async")
    assert image.get("alt") == "Снимок 0"  # the text's own alt text, as the journalist wrote it
    [plain] = body.findall("./p/img")
    assert (plain.get("src"), plain.get("alt")) == ("https://example.org/elsewhere.jpg", "Чужой сайт")


def page_queries(client, story):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(story.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_photos_of_a_text_cost_one_query_whatever_their_number(client, journalist):
    photos = [library_photo(journalist, size=(900, 600)) for _ in range(4)]
    without = ArticleFactory(published=True, body=body_with([]))
    one = ArticleFactory(published=True, body=body_with(photos[:1]))
    four = ArticleFactory(published=True, body=body_with(photos))
    page_queries(client, ArticleFactory(published=True))  # what any first request reads once
    counts = [page_queries(client, story) for story in (without, one, four)]
    assert counts[1] == counts[2] == counts[0] + 1, counts


def test_the_editors_browser_searches_the_library(client, journalist, other_journalist):
    field = library_photo(journalist, alt_text="Уборка пшеницы")
    tagged = library_photo(journalist, alt_text="Без слова в описании")
    tagged.tags.add("элеватор")
    library_photo(other_journalist, alt_text="Пшеница коллеги")
    client.force_login(journalist)

    def browsed(query):
        page = client.post(reverse("ckeditor_browse"), {"q": query}).content.decode()
        return {photo.pk for photo in Photo.objects.all() if f'href="{photo.file.url}"' in page}

    assert browsed("пшени") == {field.pk}
    assert browsed("элеватор") == {tagged.pk}
    assert browsed("") == {field.pk, tagged.pk}


def test_migration_makes_the_editors_old_uploads_library_photos_in_place(journalist, media_root):
    in_body = default_storage.save(f"uploads/{journalist.pk}/2025/03/01/field.jpg", jpeg_file(size=(640, 480)))
    default_storage.save(f"uploads/{journalist.pk}/2025/03/01/field_thumb.jpg", jpeg_file(size=(75, 56)))
    older = default_storage.save("uploads/2024/05/01/older.png", jpeg_file(size=(320, 200)))
    already = library_photo(journalist)
    migration = importlib.import_module("articles.migrations.0028_body_uploads_into_library")

    migration.move_uploads(apps, None)
    migration.move_uploads(apps, None)  # again: nothing twice

    moved = {photo.file.name: photo for photo in Photo.objects.exclude(pk=already.pk)}
    assert set(moved) == {in_body, older}  # thumbnails are no photos of their own
    assert (moved[in_body].width, moved[in_body].height, moved[in_body].uploaded_by) == (640, 480, journalist)
    assert moved[older].uploaded_by is None
    assert default_storage.exists(in_body)  # the same file: the stories' links still work
    assert default_storage.exists(moved[in_body].rendition_800_webp.name)  # the renditions the page shows

    migration.forget_uploads(apps, None)
    assert list(Photo.objects.all()) == [already] and default_storage.exists(in_body)
