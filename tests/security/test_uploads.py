"""Uploads never put active content on the site's origin (security issue 12, §1)."""

import importlib
import io
import mimetypes
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, reverse
from PIL import Image

from articles.images import PHOTO_TYPES
from articles.models import Photo
from tests.articles.test_admin_workflow import form_data
from tests.articles.test_photos import jpeg_bytes, png_bytes, upload
from tests.factories import ArticleFactory, UserFactory
from tests.test_storage_settings import storage_with

pytestmark = pytest.mark.django_db

HTML_PAGE = b"<!doctype html><html><body><script>fetch('/admin/')</script></body></html>"
SCRIPT = b"fetch('/admin/auth/user/add/', {method: 'POST'});"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><circle r="4"/></svg>'


def webp_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 200, 90)).save(buffer, format="WEBP")
    return buffer.getvalue()


def jpeg_with_comment(comment):
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (90, 20, 200)).save(buffer, format="JPEG", comment=comment)
    return buffer.getvalue()


def editor_upload(client, name, content, query="?responseType=json"):
    return client.post(reverse("ckeditor_upload") + query, {"upload": upload(name, content)})


def stored_files(media_root):
    return sorted(path for path in Path(media_root).rglob("*") if path.is_file())


def assert_only_photos_stored(media_root):
    """Every stored file is an image whose extension names its real format: what S3 labels it with."""
    for path in stored_files(media_root):
        extension = path.suffix.lower().removeprefix(".")
        assert extension in PHOTO_TYPES, path
        with Image.open(path) as image:
            assert image.get_format_mimetype() == PHOTO_TYPES[extension], path
        assert mimetypes.guess_type(path.name)[0] == PHOTO_TYPES[extension], path


# 1. Only the exact upload and browse routes exist.

STRAY_PATHS = [
    "/ckeditor/upload/x",
    "/ckeditor/upload//",
    "/ckeditor/upload/page.html",
    "/ckeditor/uploadx/",
    "/ckeditor/browse/x",
    "/ckeditor/browse//",
    "/ckeditor/browsex/",
    "/ckeditor/",
    "/ckeditor/x/",
]


@pytest.mark.parametrize("path", STRAY_PATHS)
def test_any_other_path_under_ckeditor_is_404(client, journalist, media_root, path):
    client.force_login(journalist)
    response = client.post(path, {"upload": upload("page.html", HTML_PAGE)}, follow=False)
    assert response.status_code == 404
    assert client.get(path).status_code == 404
    assert not stored_files(media_root)


def test_no_route_reaches_the_librarys_unchecked_views():
    def callbacks(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from callbacks(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern.callback

    modules = {callback.__module__ for callback in callbacks(get_resolver().url_patterns)}
    assert not any(module.startswith("ckeditor_uploader") for module in modules)
    assert (reverse("ckeditor_upload"), reverse("ckeditor_browse")) == ("/ckeditor/upload/", "/ckeditor/browse/")


def test_the_editor_is_configured_with_the_exact_routes(client, journalist):
    client.force_login(journalist)
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    assert "&quot;filebrowserUploadUrl&quot;: &quot;/ckeditor/upload/&quot;" in page
    assert "&quot;filebrowserBrowseUrl&quot;: &quot;/ckeditor/browse/&quot;" in page
    assert "&quot;uploadUrl&quot;: &quot;/ckeditor/upload/?responseType=json&quot;" in page


# 2. Every upload goes through articles.images and the permission check.

REFUSED = {
    "page.html": HTML_PAGE,
    "app.js": SCRIPT,
    "drawing.svg": SVG,
    "polyglot.jpg": jpeg_bytes() + HTML_PAGE,
    "comment-polyglot.jpg": jpeg_with_comment(b"<html><script>alert(1)</script>"),
}


@pytest.mark.parametrize("name", list(REFUSED))
@pytest.mark.parametrize("query", ["?responseType=json", "?CKEditorFuncNum=3&responseType=json", "?CKEditorFuncNum=3"])
def test_active_content_is_refused_by_the_editor_upload(client, journalist, media_root, name, query):
    client.force_login(journalist)
    response = editor_upload(client, name, REFUSED[name], query)
    assert response.status_code == 200
    if "CKEditorFuncNum" in query:
        assert response.content.decode().startswith("<script>window.parent.CKEDITOR.tools.callFunction(3, '', ")
    else:
        assert response.json()["uploaded"] == 0
    assert not stored_files(media_root)


@pytest.mark.parametrize("name", list(REFUSED))
def test_active_content_is_refused_as_a_cover(client, journalist, media_root, name):
    article = ArticleFactory(author=journalist)
    client.force_login(journalist)
    data = form_data(article, cover_alt="Фото")
    data["cover_upload"] = upload(name, REFUSED[name])
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.context["adminform"].form.errors["cover_upload"]
    assert not stored_files(media_root)


def test_a_jpeg_named_html_is_stored_as_a_re_encoded_jpg(client, journalist, media_root):
    client.force_login(journalist)
    payload = b"<img src=x onerror=alert(document.domain)>"  # no marker articles.images looks for
    data = editor_upload(client, "x.html", jpeg_with_comment(payload)).json()
    assert data["uploaded"] == "1"
    assert data["url"].endswith(".jpg") and "html" not in data["url"]
    assert data["url"].startswith("/media/photos/")
    photo = Photo.objects.get()
    assert photo.uploaded_by == journalist and data["url"] == photo.file.url
    files = stored_files(media_root)
    assert {path.suffix for path in files} <= {".jpg", ".webp"}  # the photo and its renditions
    assert all(payload not in path.read_bytes() for path in files)
    assert_only_photos_stored(media_root)


def test_every_stored_file_is_labelled_by_its_real_format(client, journalist, media_root):
    article = ArticleFactory(author=journalist)
    client.force_login(journalist)
    for name, content in [("a.png", png_bytes()), ("b.webp", webp_bytes()), ("c.jpeg", jpeg_bytes())]:
        assert editor_upload(client, name, content).json()["uploaded"] == "1"
    data = form_data(article, cover_alt="Фото")
    data["cover_upload"] = upload("cover.png", png_bytes(size=(900, 600)))
    assert client.post(reverse("admin:articles_article_change", args=[article.pk]), data).status_code == 302
    names = [path.name for path in stored_files(media_root)]
    assert any(name.endswith(".png") for name in names) and any(name.endswith(".webp") for name in names)
    assert_only_photos_stored(media_root)


@pytest.mark.parametrize("func_num", ["1);alert(2", "²", "١", "0x1"])
def test_callback_number_is_ascii_digits_on_success_and_refusal(client, journalist, media_root, func_num):
    client.force_login(journalist)
    accepted = editor_upload(client, "ok.jpg", jpeg_bytes(), f"?CKEditorFuncNum={func_num}").content.decode()
    assert "callFunction(0, '/media/photos/" in accepted
    assert func_num not in accepted
    refused = editor_upload(client, "bad.jpg", b"not an image", f"?CKEditorFuncNum={func_num}")
    assert refused.status_code == 200
    assert refused.content.decode().startswith("<script>window.parent.CKEDITOR.tools.callFunction(0, '', ")


def test_upload_and_browse_need_the_right_to_edit_articles(client, media_root):
    client.force_login(UserFactory(username="intern", is_staff=True))
    assert editor_upload(client, "a.jpg", jpeg_bytes()).status_code == 403
    assert client.get(reverse("ckeditor_browse")).status_code == 403
    assert not stored_files(media_root)


def test_the_uploader_waits_like_the_admin_for_two_factor_setup(client, moderator, media_root, settings):
    settings.NEWSROOM_REQUIRE_2FA = True
    client.post(reverse("admin:login"), {"username": "moderator", "password": "secret-password"})
    setup = reverse("admin:two_factor")
    for response in [editor_upload(client, "a.jpg", jpeg_bytes()), client.get(reverse("ckeditor_browse"))]:
        assert (response.status_code, response["Location"]) == (302, setup)
    assert not stored_files(media_root)


# 3. Media are served as images or not at all.


def put(media_root, name, content):
    path = Path(media_root, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


@pytest.mark.parametrize(
    "name, content_type",
    [
        ("uploads/1/photo.jpg", "image/jpeg"),
        ("uploads/2024/01/01/OLD.JPEG", "image/jpeg"),
        ("uploads/1/photo_thumb.png", "image/png"),
        ("renditions/covers/2026/x/1234.webp", "image/webp"),
    ],
)
def test_photos_are_served_as_images_that_run_nothing(client, media_root, name, content_type):
    put(media_root, name, b"\xff\xd8\xff<html><script>alert(1)</script>")
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "name", ["uploads/page.html", "uploads/x/app.js", "uploads/drawing.svg", "uploads/a.gif", "uploads/x.jpg.html"]
)
def test_any_other_media_file_is_not_served(client, media_root, name):
    put(media_root, "uploads/photo.jpg", jpeg_bytes())
    put(media_root, name, HTML_PAGE)
    assert client.get("/media/uploads/photo.jpg").status_code == 200
    response = client.get(f"/media/{name}")
    assert response.status_code == 404
    assert b"fetch(" not in response.content


def test_media_url_comes_from_the_environment():
    assert storage_with()["url"] == "/media/covers/2026/11/photo.jpg"
    storage = storage_with(NEWSROOM_MEDIA_URL="https://media.example.kz/")
    assert storage["url"] == "https://media.example.kz/covers/2026/11/photo.jpg"


@pytest.fixture
def media_at_the_root_of_another_host(settings):
    """The URLconf as a production site with its own media host (and NEWSROOM_SERVE_MEDIA left on) builds it."""
    settings.MEDIA_URL = "https://media.example.kz/"
    settings.NEWSROOM_SERVE_MEDIA = True
    clear_url_caches()
    importlib.reload(sys.modules[settings.ROOT_URLCONF])
    yield
    settings.MEDIA_URL = "/media/"
    clear_url_caches()
    importlib.reload(sys.modules[settings.ROOT_URLCONF])


def test_a_media_host_at_its_root_does_not_swallow_the_sites_paths(
    client, media_root, media_at_the_root_of_another_host
):
    put(media_root, "photo.jpg", jpeg_bytes())
    assert client.get("/news").status_code == 301  # CommonMiddleware's slash, as without a media host
    assert client.get("/photo.jpg").status_code == 404


def test_photos_from_a_separate_media_origin_are_linked_and_allowed_by_the_csp(client, journalist, settings):
    settings.MEDIA_URL = "https://media.example.kz/"
    client.force_login(journalist)
    assert editor_upload(client, "a.jpg", jpeg_bytes()).json()["url"].startswith("https://media.example.kz/photos/")
    browse = client.get(reverse("ckeditor_browse")).content.decode()
    assert 'href="https://media.example.kz/photos/' in browse
    assert "img-src 'self' https://media.example.kz data: blob:" in client.get("/admin/")["Content-Security-Policy"]
    client.logout()
    assert "img-src 'self' https://media.example.kz data:" in client.get("/")["Content-Security-Policy"]


# 4. A journalist browses their own photos in the library; moderators and superusers see all.


def test_journalists_browse_their_own_uploads_moderators_everyones(
    client, journalist, other_journalist, moderator, media_root
):
    urls = {}
    for user in (journalist, other_journalist):
        client.force_login(user)
        urls[user] = editor_upload(client, "photo.jpg", jpeg_bytes()).json()["url"]
        assert urls[user].startswith("/media/photos/") and user.username not in urls[user]
    # an upload from before the library, moved into it by migration 0028 with nobody known as its uploader
    put(media_root, "uploads/2024/05/01/older.jpg", jpeg_bytes())
    Photo.objects.create(file="uploads/2024/05/01/older.jpg", width=640, height=480)
    older = "/media/uploads/2024/05/01/older.jpg"
    superuser = UserFactory(username="chief", is_staff=True, is_superuser=True)

    def browsed(user):
        client.force_login(user)
        page = client.get(reverse("ckeditor_browse")).content.decode()
        return {url for url in [*urls.values(), older] if f'href="{url}"' in page}

    assert browsed(journalist) == {urls[journalist]}
    assert browsed(other_journalist) == {urls[other_journalist]}
    assert browsed(moderator) == {*urls.values(), older}
    assert browsed(superuser) == {*urls.values(), older}


# 5 and 6. Static files: the editor's test pages are not published; what is has the page headers.


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def test_collectstatic_publishes_the_editor_without_its_test_pages(static_root):
    editor = static_root / "ckeditor" / "ckeditor"
    assert (editor / "ckeditor.js").is_file()
    assert (static_root / "ckeditor" / "galleriffic" / "js" / "jquery.galleriffic.js").is_file()  # the browser's
    assert not [path for path in editor.rglob("*") if {"samples", "tests"} & set(path.parts)]
    pages = sorted(str(path.relative_to(static_root)) for path in static_root.rglob("*.html"))
    # The plugins' own run-time pages, opened by the Preview and SpellChecker commands.
    plugins = "ckeditor/ckeditor/plugins"
    assert pages == [f"{plugins}/preview/preview.html", f"{plugins}/wsc/dialogs/ciframe.html",
                     f"{plugins}/wsc/dialogs/tmpFrameset.html"]  # fmt: skip


def test_the_editor_test_pages_are_not_found_by_the_static_finders_either():
    """WhiteNoise in DEBUG and runserver look files up one by one rather than from collectstatic."""
    assert finders.find("ckeditor/ckeditor/ckeditor.js")
    assert finders.find("ckeditor/ckeditor/plugins/preview/preview.html")
    for path in [
        "ckeditor/ckeditor/plugins/exportpdf/tests/manual/integration.html",
        "ckeditor/ckeditor/bender-runner.config.json",
    ]:
        assert not finders.find(path)
        assert finders.find(path, find_all=True) == []


def test_static_files_carry_the_page_security_headers(client, settings, static_root):
    settings.STATIC_ROOT = static_root
    for path in ["/static/ckeditor/ckeditor/ckeditor.js", "/static/ckeditor/ckeditor/plugins/preview/preview.html"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "default-src 'self'" in response["Content-Security-Policy"], path
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["X-Frame-Options"] == "DENY", path
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", path


def test_cached_pages_keep_the_security_headers(client):
    ArticleFactory(published=True)
    client.get("/")
    response = client.get("/")
    assert response["X-Page-Cache"] == "hit"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
