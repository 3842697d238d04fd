"""The photo library: every new photo enters through one checked path, and is found, reused and removed as one."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from articles.models import Photo
from tests.articles.test_photos import HOSTILE, gps_rotated_jpeg, jpeg_bytes, upload

pytestmark = pytest.mark.django_db


def library_photo(user=None, size=(2400, 1600), **fields):
    return Photo.objects.create_from_upload(upload("photo.jpg", jpeg_bytes(size=size)), user, **fields)


def test_a_photo_enters_the_library_upright_without_metadata_with_its_renditions(journalist, media_root):
    photo = Photo.objects.create_from_upload(
        upload("IMG_2041.JPG", gps_rotated_jpeg()), journalist, alt_text="Поле у Петропавловска", credit="Айдос"
    )
    photo.refresh_from_db()
    assert photo.file.name.startswith("photos/") and "IMG_2041" not in photo.file.name
    assert (photo.width, photo.height) == (200, 400)
    assert photo.uploaded_by == journalist and photo.uploaded_at
    data = photo.file.open("rb").read()
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert not stored.getexif()
    with Image.open(photo.rendition_480_webp.path) as rendition:
        assert rendition.format == "WEBP"
    with Image.open(photo.open_graph.path) as rendition:
        assert (rendition.format, rendition.size) == ("JPEG", (1200, 630))


@pytest.mark.parametrize("name", ["script.svg", "polyglot.gif", "payload.png", "huge-dimensions.png"])
def test_hostile_upload_is_refused_by_the_library_and_nothing_stored(journalist, media_root, name):
    content, message = HOSTILE[name]
    with pytest.raises(ValidationError) as refused:
        Photo.objects.create_from_upload(upload(name, content), journalist, alt_text="x")
    assert message in " ".join(refused.value.messages)
    assert not Photo.objects.exists()
    assert not list(media_root.rglob("*.*"))


def test_oversized_upload_is_refused_by_the_library(journalist, media_root, settings):
    settings.NEWSROOM_MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError, match="больше 1 МБ"):
        Photo.objects.create_from_upload(upload("big.jpg", b"\xff\xd8" + b"0" * (1024 * 1024 + 10)), journalist)
    assert not Photo.objects.exists() and not list(media_root.rglob("*.*"))


def test_renditions_describe_srcset_and_size(journalist):
    photo = library_photo(journalist)
    shown = photo.renditions
    assert "480w" in shown.webp_srcset and "1200w" in shown.webp_srcset and ".webp" in shown.webp_srcset
    assert "800w" in shown.jpeg_srcset and ".jpg" in shown.jpeg_srcset
    assert (shown.width, shown.height) == (2400, 1600)
    small = library_photo(journalist, size=(600, 400)).renditions
    assert small.webp_srcset.endswith(" 480w") and "," not in small.webp_srcset  # nothing upscaled


def test_search_finds_by_alt_caption_credit_and_tag(journalist):
    field = library_photo(journalist, alt_text="Уборка пшеницы")
    forum = library_photo(journalist, caption="Форум первичных организаций")
    press = library_photo(journalist, credit="Пресс-служба акимата")
    tagged = library_photo(journalist)
    tagged.tags.add("Петропавловск")
    assert list(Photo.objects.search("пшеницы")) == [field]
    assert list(Photo.objects.search("ФОРУМ")) == [forum]
    assert list(Photo.objects.search("акимат")) == [press]
    assert list(Photo.objects.search("петропавл")) == [tagged]
    assert Photo.objects.search("").count() == 4


def test_a_journalist_sees_their_own_photos_a_moderator_all(journalist, other_journalist, moderator):
    mine, theirs = library_photo(journalist), library_photo(other_journalist)
    assert list(Photo.objects.visible_to(journalist)) == [mine]
    assert set(Photo.objects.visible_to(moderator)) == {mine, theirs}


def test_a_deleted_photo_takes_its_file_and_renditions(journalist, media_root, django_capture_on_commit_callbacks):
    photo = library_photo(journalist)
    assert photo.rendition_800_jpeg.path
    assert len(list(media_root.rglob("*.*"))) > 1
    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert not list(media_root.rglob("*.*"))


def test_a_photo_named_in_text_is_in_use(journalist):
    from tests.factories import ArticleFactory

    used, unused = library_photo(journalist), library_photo(journalist)
    ArticleFactory(body=f'<p><img src="/media/{used.file.name}" alt="Поле"></p>')
    assert list(Photo.objects.in_use()) == [used]
    assert list(Photo.objects.unused()) == [unused]
