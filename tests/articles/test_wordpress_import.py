"""`manage.py import_wordpress` on a real WordPress export: what arrives, how, and what a second run does."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import CommandError

from articles import wordpress
from articles.models import Article, ImportedPost, LegacyRedirect, Photo, Section
from articles.tasks import send_workflow_mail
from newsroom.background.models import Job
from regions.models import Region
from tests import nu_checker
from tests.articles.wordpress import EXPORT, edited_export, run_import
from tests.factories import UserFactory
from tests.pages import get_page

pytestmark = pytest.mark.django_db
EXPORTED_AT = datetime(2026, 12, 3, 17, 33, 34, tzinfo=UTC)  # the export's own date: the scheduled post is ahead


def imported(post_id):
    return ImportedPost.objects.select_related("article__author").get(post_id=post_id).article


def test_published_drafts_and_scheduled_posts_arrive_and_the_page_is_skipped():
    output = run_import()

    # The file holds 60 published posts (its README says 61: it counts the published page, which is no post).
    assert (
        "Импортировано: 62 (опубликовано: 60, черновиков: 1, запланировано: 1)" in output
        and "Пропущено: 1" in output
        and "«О редакции»" in output
    )
    articles = Article.objects.all()
    assert articles.count() == ImportedPost.objects.count() == 62
    published = [a for a in articles if a.status == Article.Status.PUBLISHED and not a.is_scheduled(EXPORTED_AT)]
    assert len(published) == 60
    assert imported(84).status == Article.Status.DRAFT
    scheduled = imported(85)
    assert scheduled.is_scheduled(EXPORTED_AT)
    assert scheduled.publish_at == datetime(2027, 1, 2, 20, 33, 34, tzinfo=UTC)


def test_dates_authors_sections_and_tags_are_kept():
    run_import()

    story = imported(17)
    assert story.publish_at == story.first_published_at == datetime(2025, 1, 23, 14, 12, 30, tzinfo=UTC)
    assert story.title == "Под Екатеринбурга произошло крупное ДТП с участием автобуса"
    assert story.lead.startswith("Всего в регионе насчитывается около 888 таких объектов")
    assert story.section.name == "Свердловская область"
    assert set(story.tags.names()) == {"губернатор", "зарплаты", "ипотека", "Иркутск", "Искитим"}

    draft = imported(84)
    assert draft.author.username == "a.saparova" and draft.author_display == "Айгерим Сапарова"
    assert not draft.author.is_active and not draft.author.has_usable_password()
    assert list(draft.author.groups.values_list("name", flat=True)) == ["Journalists"]
    assert draft.section.slug == "novosti"  # «Без рубрики», WordPress's "no category"
    assert draft.lead  # no excerpt: the start of the text

    two_categories = imported(25)
    assert two_categories.section.name == "Алтайский край" and "Башкортостан" in two_categories.tags.names()
    assert Section.objects.filter(name="Башкортостан").exists()  # the rubric of other posts


def test_an_author_with_an_account_here_gets_the_stories_and_no_mail_about_them():
    existing = UserFactory(username="a.saparova", email="aigerim@example.org", is_staff=True)

    output = run_import()

    assert imported(84).author == existing and imported(85).author == existing
    assert "Новые авторы (без доступа к редакции): admin." in output
    assert not Job.objects.filter(task_name=send_workflow_mail.name).exists()


def test_a_category_named_as_one_of_our_regions_sets_the_region(tmp_path):
    export, media = edited_export(
        tmp_path,
        (
            '<category domain="category" nicename="sverdlovskaya-oblast"><![CDATA[Свердловская область]]>',
            '<category domain="category" nicename="sko"><![CDATA[Северо-Казахстанская область]]>',
        ),
    )
    run_import(export, media)

    story = imported(17)
    assert story.region == Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    assert story.section.slug == "novosti"


def test_the_cover_keeps_its_alt_and_body_photos_come_from_our_media():
    run_import()

    story = imported(16)
    cover = story.cover_photo
    assert cover and cover.file.name.startswith("photos/") and default_storage.exists(cover.file.name)
    assert (cover.width, cover.height) == (1600, 1000)
    assert cover.alt_text == "Вид на улицу Петропавловска, снимок 1"
    assert "<figcaption>Участники встречи в районном акимате</figcaption>" in story.body
    assert "127.0.0.1:8102" not in story.body and "[caption" not in story.body
    source = story.body.split('src="')[1].split('"')[0]
    assert source.startswith(settings.MEDIA_URL)
    assert default_storage.exists(source.removeprefix(settings.MEDIA_URL))
    assert Photo.objects.filter(file=source.removeprefix(settings.MEDIA_URL)).exists()  # a library photo


def test_the_youtube_block_becomes_our_embed_and_block_comments_go():
    run_import()

    assert 'data-embed-provider="youtube" data-embed-id="dQw4w9WgXcQ"' in imported(24).body
    assert not Article.objects.filter(body__contains="wp:").exists()
    assert not Article.objects.filter(body__contains="<!--").exists()


def test_a_script_goes_an_unknown_shortcode_is_reported_and_a_resized_photo_found(tmp_path):
    export, media = edited_export(
        tmp_path,
        (
            "<p>Подрядчик уже приступил",
            '<script>alert("x")</script><p onclick="steal()">[gallery ids="1,2"]Подрядчик уже приступил',
        ),
        # WordPress's resized copy, which the uploads folder does not keep: its original is taken
        ('uploads/2026/08/photo0.jpg" alt=', 'uploads/2026/08/photo0-1024x640.jpg" alt='),
    )
    output = run_import(export, media)

    body = imported(17).body
    assert "<script" not in body and "alert" not in body and "onclick" not in body and "[gallery" not in body
    assert "Подрядчик уже приступил" in body
    assert "удалены шорткоды: gallery" in output
    assert "Нет файлов" not in output and f'src="{settings.MEDIA_URL}photos/' in imported(16).body


def test_a_second_run_changes_nothing_and_says_so():
    run_import()
    before = list(Article.objects.order_by("pk").values_list("pk", "version", "updated_at", "cover_photo"))
    redirects, photos = LegacyRedirect.objects.count(), sorted(Photo.objects.values_list("file", flat=True))

    output = run_import()

    assert "Импортировано: 0" in output and "Уже импортировано: 62" in output
    assert list(Article.objects.order_by("pk").values_list("pk", "version", "updated_at", "cover_photo")) == before
    assert LegacyRedirect.objects.count() == redirects
    assert sorted(Photo.objects.values_list("file", flat=True)) == photos


def test_a_truncated_file_imports_nothing_and_says_why(tmp_path):
    broken = tmp_path / "export.xml"
    broken.write_bytes(EXPORT.read_bytes()[:300_000])

    with pytest.raises(CommandError, match="Ничего не импортировано: Файл повреждён или обрезан"):
        run_import(broken)
    assert not Article.objects.exists() and not ImportedPost.objects.exists()


def test_a_file_that_is_not_a_wordpress_export_is_refused(tmp_path):
    other = tmp_path / "feed.xml"
    other.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>')

    with pytest.raises(CommandError, match="не экспорт WordPress"):
        run_import(other)
    assert not Article.objects.exists()


def test_a_missing_photo_file_is_reported_and_the_post_imported_without_it(tmp_path):
    export, media = edited_export(tmp_path)
    (media / "2025" / "01" / "photo1.jpg").unlink()

    output = run_import(export, media)

    assert "Нет файлов: 1" in output and "2025/01/photo1.jpg" in output
    story = imported(17)  # its featured image is 2025/01/photo1.jpg
    assert story.status == Article.Status.PUBLISHED and not story.cover_photo
    assert Article.objects.exclude(cover_photo=None).count() == 5


def test_only_files_under_the_old_sites_uploads_are_taken():
    export = wordpress.Export(site="http://old.example", authors={}, posts=[], attachments={})

    assert export.upload_path("http://old.example/wp-content/uploads/2025/01/a.jpg") == "2025/01/a.jpg"
    assert export.upload_path("http://old.example/wp-content/uploads/../../etc/passwd") is None
    assert export.upload_path("http://old.example/wp-content/uploads/2025/%2e%2e/%2e%2e/x.jpg") is None
    assert export.upload_path("http://elsewhere.example/wp-content/uploads/2025/01/a.jpg") is None
    assert wordpress.original_upload("2025/01/photo-300x188.jpg") == "2025/01/photo.jpg"


def test_a_classic_editor_post_gets_its_paragraphs():
    body = wordpress.convert_body("Первый абзац\nс переносом.\n\nВторой абзац.\n\n<ul><li>пункт</li></ul>")

    assert body.html == "<p>Первый абзац<br>с переносом.</p>\n<p>Второй абзац.</p>\n<ul><li>пункт</li></ul>"


@pytest.mark.skipif(bool(nu_checker.MISSING), reason=nu_checker.MISSING or "-")
def test_imported_stories_pages_pass_the_nu_html_checker(client):
    run_import()
    # a caption's figure and a cover; a YouTube embed; a post in two categories
    pages = {f"post {post_id}": get_page(client, imported(post_id).get_absolute_url()) for post_id in (16, 24, 25)}

    assert "<figcaption>Участники встречи в районном акимате</figcaption>" in pages["post 16"]
    assert {name: lines for name, lines in nu_checker.errors(pages).items() if lines} == {}
