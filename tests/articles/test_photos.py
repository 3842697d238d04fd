"""Every uploaded photo is checked by content and stored upright without metadata."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article, Photo
from tests.articles.test_admin_workflow import form_data
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def png_bytes(size=(64, 64)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(640, 480), **options):
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def png_with_declared_size(width, height):
    """A tiny PNG whose header claims `width`×`height` pixels (a decompression bomb's shape)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def gps_rotated_jpeg():
    """A landscape 400×200 photo with GPS and 'rotate 90° clockwise on display' in its EXIF."""
    image = Image.new("RGB", (400, 200), (10, 150, 60))
    image.paste((250, 250, 0), (0, 0, 50, 50))  # a marker in the top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (54.0, 52.0, 24.0), 3: "E", 4: (69.0, 9.0, 2.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


HOSTILE = {
    "decompression-bomb.png": (png_with_declared_size(60_000, 60_000), "слишком большое"),
    "huge-dimensions.png": (png_with_declared_size(12_000, 9_000), "мегапикселей"),
    "truncated.jpg": (jpeg_bytes()[:1500], ""),
    "zero.jpg": (b"", ""),
    "text.jpg": ("Это просто текст, а не фотография.".encode(), ""),
    "script.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', ""),
    "polyglot.gif": (b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00;*/=alert(document.domain)//;", ""),
    "payload.png": (png_bytes() + b"<?php system($_GET['c']); ?>", "код"),
    "page.jpg": (b"<html><body><script>alert(1)</script></body></html>", ""),
}


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def post_cover(client, article, name, content):
    data = form_data(article, cover_alt="Описание фото")
    data["cover_upload"] = upload(name, content)
    return client.post(reverse("admin:articles_article_change", args=[article.pk]), data)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_cover_is_refused_and_nothing_stored(client, journalist, media_root, name):
    content, message = HOSTILE[name]
    article = ArticleFactory(author=journalist)
    client.force_login(journalist)
    response = post_cover(client, article, name, content)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.get("cover_upload")
    assert errors, f"{name} was accepted"
    assert message in " ".join(errors)
    article.refresh_from_db()
    assert not article.cover_photo and not Photo.objects.exists()
    assert not list(media_root.rglob("*.*"))


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_editor_upload_is_refused_and_nothing_stored(client, journalist, media_root, name):
    content, _message = HOSTILE[name]
    client.force_login(journalist)
    response = client.post(reverse("ckeditor_upload") + "?responseType=json", {"upload": upload(name, content)})
    assert response.status_code == 200
    assert response.json()["uploaded"] == 0
    assert response.json()["error"]["message"]
    assert not list(media_root.rglob("*.*"))


def test_phone_photo_is_stored_upright_without_gps(client, journalist, media_root):
    article = ArticleFactory(author=journalist)
    client.force_login(journalist)
    response = post_cover(client, article, "IMG_2041.JPG", gps_rotated_jpeg())
    assert response.status_code == 302
    article.refresh_from_db()
    photo = article.cover_photo
    assert photo.file.name.startswith("photos/") and "IMG_2041" not in photo.file.name
    assert photo.alt_text == "Описание фото" and photo.uploaded_by == journalist
    with Image.open(photo.file.path) as stored:
        assert stored.size == (200, 400)  # rotated upright
        assert not stored.getexif()
        assert "exif" not in stored.info and "icc_profile" not in stored.info
        assert stored.getpixel((175, 25))[0] > 200  # the yellow corner moved to the top right
    assert b"PhoneMaker" not in photo.file.open("rb").read()
    assert (photo.width, photo.height) == (200, 400)


def test_editor_upload_is_cleaned_too(client, journalist, media_root):
    client.force_login(journalist)
    response = client.post(
        reverse("ckeditor_upload") + "?responseType=json", {"upload": upload("phone.jpg", gps_rotated_jpeg())}
    )
    data = response.json()
    assert data["uploaded"] == "1"
    photo = Photo.objects.get()
    assert data["url"].endswith(photo.file.name)
    with Image.open(media_root / photo.file.name) as image:
        assert image.size == (200, 400) and not image.getexif()


def test_editor_upload_dialog_gets_a_safe_callback(client, journalist):
    client.force_login(journalist)
    response = client.post(
        reverse("ckeditor_upload") + "?CKEditorFuncNum=1);alert(2", {"upload": upload("x.jpg", b"not an image")}
    )
    assert "alert(2" not in response.content.decode()
    assert "callFunction(0" in response.content.decode()


def test_editor_upload_needs_an_editorial_role(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="intern", is_staff=True))
    response = client.post(reverse("ckeditor_upload"), {"upload": upload("a.jpg", jpeg_bytes())})
    assert response.status_code == 403


def test_renditions_at_the_expected_sizes_and_formats(client, journalist, media_root):
    article = ArticleFactory(author=journalist)
    client.force_login(journalist)
    post_cover(client, article, "wide.jpg", jpeg_bytes(size=(2400, 1600)))
    photo = Article.objects.get(pk=article.pk).cover_photo
    expectations = {
        "rendition_480_webp": ("WEBP", 480),
        "rendition_800_webp": ("WEBP", 800),
        "rendition_1200_webp": ("WEBP", 1200),
        "rendition_480_jpeg": ("JPEG", 480),
        "rendition_800_jpeg": ("JPEG", 800),
        "rendition_1200_jpeg": ("JPEG", 1200),
    }
    for field, (image_format, width) in expectations.items():
        with Image.open(getattr(photo, field).path) as image:
            assert (image.format, image.width) == (image_format, width), field
    with Image.open(photo.open_graph.path) as image:
        assert (image.format, image.size) == ("JPEG", (1200, 630))


def test_article_page_uses_srcset_and_lazy_cards(client, journalist, moderator):
    from articles import workflow

    article = ArticleFactory(author=journalist, section=SectionFactory())
    client.force_login(journalist)
    post_cover(client, article, "wide.jpg", jpeg_bytes(size=(2400, 1600)))
    article.refresh_from_db()
    workflow.apply(article, "publish", by=moderator)
    ArticleFactory(published=True)
    client.logout()
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'type="image/webp"' in page and "480w" in page and "1200w" in page
    assert 'width="2400" height="1600"' in page
    assert 'alt="Описание фото"' in page
    assert "og:image" in page and "renditions/" in page
    listing = client.get("/news/").content.decode()
    assert 'loading="lazy"' in listing


def test_cover_without_alt_text_is_refused(client, journalist, media_root):
    article = ArticleFactory(author=journalist)
    client.force_login(journalist)
    data = form_data(article, cover_alt="")
    data["cover_upload"] = upload("ok.jpg", jpeg_bytes())
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert "Опишите, что на фото" in " ".join(response.context["adminform"].form.errors["cover_alt"])
    assert not list(media_root.rglob("*.*"))


def test_oversized_file_is_refused(client, journalist, settings, media_root):
    settings.NEWSROOM_MAX_UPLOAD_MB = 1
    article = ArticleFactory(author=journalist)
    client.force_login(journalist)
    noisy = Image.effect_noise((1400, 1400), 120).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    assert len(buffer.getvalue()) > 1024 * 1024
    response = post_cover(client, article, "big.png", buffer.getvalue())
    assert "больше 1 МБ" in " ".join(response.context["adminform"].form.errors["cover_upload"])
