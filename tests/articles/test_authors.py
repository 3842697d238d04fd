"""Staff profiles and their public author pages, bylines with co-authors, and the author in JSON-LD."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from procrastinate.contrib.django.models import ProcrastinateJob

from articles import revisions
from articles.models import ArticleCoauthor, AuthorProfile, StoryPart
from newsroom import edge
from tests.articles.test_admin_workflow import change_url, form_data, logged_in
from tests.articles.test_feeds_and_sitemaps import locations, read_sitemap
from tests.articles.test_story_parts import new_process, render_queued, tamper_with_stored_body
from tests.factories import ArticleFactory, UserFactory
from tests.pages import get_page, parse

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


def jpeg_upload(size=(600, 800), name="portrait.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def json_ld(content):
    return [json.loads(block.text) for block in parse(content).findall(".//script[@type='application/ld+json']")]


def byline_links(content):
    [byline] = parse(content).findall(".//span[@class='article__author']")
    return [(link.text, link.get("href")) for link in byline.findall("a")], "".join(byline.itertext())


@pytest.fixture
def aigerim(journalist):
    journalist.first_name, journalist.last_name = "Айгерим", "Сапарова"
    journalist.save()
    return AuthorProfile.objects.create(
        user=journalist,
        name="Айгерим Сапарова",
        bio_ru="Корреспондент по Северо-Казахстанской области.",
        bio_kk="Солтүстік Қазақстан облысы бойынша тілші.",
    )


@pytest.fixture
def erlan(other_journalist):
    return AuthorProfile.objects.create(user=other_journalist, name="Ерлан Ахметов", bio_ru="Редактор отдела.")


def test_a_profile_gets_an_ascii_slug_once_and_keeps_it(aigerim):
    assert aigerim.slug == "aigerim-saparova"
    aigerim.name = "Айгерим Сапарова-Нурланова"
    aigerim.save()
    aigerim.refresh_from_db()
    assert aigerim.slug == "aigerim-saparova"
    namesake = AuthorProfile.objects.create(user=UserFactory(is_staff=True), name="Айгерим Сапарова")
    assert namesake.slug == "aigerim-saparova-2"


def test_author_page_shows_photo_bio_and_the_stories_written_or_co_written(client, aigerim, erlan):
    aigerim.photo = jpeg_upload()
    aigerim.save()
    own = ArticleFactory(published=True, author=aigerim.user, title="Сельский сход в Явленке")
    coauthored = ArticleFactory(
        published=True, author=erlan.user, title="Дороги Есильского района", publish_at=own.publish_at + HOUR
    )
    ArticleCoauthor.objects.create(article=coauthored, user=aigerim.user)
    ArticleFactory(author=aigerim.user, title="Черновик о паводке")  # not published
    ArticleFactory(published=True, author=erlan.user, title="Чужой материал")

    content = get_page(client, "/authors/aigerim-saparova/")

    tree = parse(content)
    assert tree.find(".//h1").text == "Айгерим Сапарова"
    [photo] = tree.findall(".//img[@class='author__photo']")
    assert photo.get("alt") == "Айгерим Сапарова" and photo.get("width") == "240" and photo.get("height") == "320"
    assert "Корреспондент по Северо-Казахстанской области." in content
    titles = [link.text for link in tree.findall(".//h3[@class='card__title']/a")]
    assert titles == [coauthored.title, own.title]  # newest first
    assert "Черновик о паводке" not in content and "Чужой материал" not in content
    assert '<link rel="canonical" href="http://testserver/authors/aigerim-saparova/">' in content
    assert '<meta property="og:title" content="Айгерим Сапарова">' in content


def test_author_page_speaks_kazakh_under_kk_and_falls_back_to_the_russian_bio(client, aigerim, erlan):
    content = get_page(client, "/kk/authors/aigerim-saparova/")
    assert 'lang="kk"' in content and "Солтүстік Қазақстан облысы бойынша тілші." in content
    assert "Корреспондент по Северо-Казахстанской области." not in content
    assert '<p class="author__bio" lang="ru">Редактор отдела.</p>' in get_page(client, "/kk/authors/erlan-akhmetov/")


def test_author_page_lists_only_stories_in_the_pages_language(client, aigerim):
    ArticleFactory(published=True, author=aigerim.user, title="Орысша материал")
    ArticleFactory(published=True, author=aigerim.user, title="Қазақша материал", language="kk")
    assert "Қазақша материал" in get_page(client, "/kk/authors/aigerim-saparova/")
    assert "Қазақша материал" not in get_page(client, "/authors/aigerim-saparova/")


def test_author_page_is_paginated(client, aigerim):
    for number in range(23):
        ArticleFactory(published=True, author=aigerim.user, title=f"Материал автора {number}")
    first = parse(get_page(client, "/authors/aigerim-saparova/"))
    second = parse(get_page(client, "/authors/aigerim-saparova/?page=2"))
    assert len(first.findall(".//article[@class='card']")) == 20
    assert len(second.findall(".//article[@class='card']")) == 3
    assert client.get("/authors/aigerim-saparova/?page=9").status_code == 404


def test_author_without_a_public_profile_has_no_page(client, aigerim, journalist):
    assert client.get("/authors/nobody-here/").status_code == 404
    aigerim.is_public = False
    aigerim.save()
    assert client.get("/authors/aigerim-saparova/").status_code == 404
    aigerim.is_public = True
    aigerim.save()
    journalist.is_active = False
    journalist.save()
    assert client.get("/authors/aigerim-saparova/").status_code == 404


def test_author_page_describes_a_person_in_json_ld(client, aigerim):
    [data] = json_ld(get_page(client, "/authors/aigerim-saparova/"))
    assert data["@type"] == "ProfilePage"
    assert data["mainEntity"] == {
        "@type": "Person",
        "name": "Айгерим Сапарова",
        "url": "http://testserver/authors/aigerim-saparova/",
        "description": "Корреспондент по Северо-Казахстанской области.",
    }


def test_a_profile_change_moves_the_author_page_at_once(client, aigerim):
    assert "Айгерим Сапарова" in get_page(client, "/authors/aigerim-saparova/")
    aigerim.name = "Айгерим Нурланова"
    aigerim.save()
    assert "Айгерим Нурланова" in get_page(client, "/authors/aigerim-saparova/")


def test_the_sitemap_lists_public_author_pages_in_both_languages(client, aigerim, erlan):
    erlan.is_public = False
    erlan.save()
    listed = locations(read_sitemap(client, "/sitemap.xml"))
    assert "http://testserver/authors/aigerim-saparova/" in listed
    assert "http://testserver/kk/authors/aigerim-saparova/" in listed
    assert not [url for url in listed if "erlan" in url]


# --- bylines ---


def test_byline_names_the_author_and_co_authors_each_linking_to_their_page(client, aigerim, erlan):
    third = UserFactory(username="third", first_name="Дмитрий", last_name="Ковалёв", is_staff=True)
    story = ArticleFactory(published=True, author=aigerim.user)
    ArticleCoauthor.objects.create(article=story, user=third, order=2)
    ArticleCoauthor.objects.create(article=story, user=erlan.user, order=1)

    links, text = byline_links(get_page(client, story.get_absolute_url()))

    assert links == [
        ("Айгерим Сапарова", "/authors/aigerim-saparova/"),
        ("Ерлан Ахметов", "/authors/erlan-akhmetov/"),
    ]
    assert text == "Айгерим Сапарова, Ерлан Ахметов, Дмитрий Ковалёв"  # no profile: named, not linked


def test_a_hidden_profile_names_the_author_without_a_link(client, aigerim):
    aigerim.is_public = False
    aigerim.save()
    story = ArticleFactory(published=True, author=aigerim.user)
    links, text = byline_links(get_page(client, story.get_absolute_url()))
    assert links == [] and text == "Айгерим Сапарова"


def test_a_free_text_byline_stays_and_co_authors_follow_it(client, aigerim, erlan):
    story = ArticleFactory(published=True, author=aigerim.user, byline="Пресс-служба акимата")
    ArticleCoauthor.objects.create(article=story, user=erlan.user)
    links, text = byline_links(get_page(client, story.get_absolute_url()))
    assert text == "Пресс-служба акимата, Ерлан Ахметов"
    assert links == [("Ерлан Ахметов", "/authors/erlan-akhmetov/")]


def test_kazakh_story_links_bylines_to_the_kazakh_author_pages(client, aigerim):
    story = ArticleFactory(published=True, author=aigerim.user, language="kk", title="Ауыл жиыны")
    links, _ = byline_links(get_page(client, story.get_absolute_url()))
    assert links == [("Айгерим Сапарова", "/kk/authors/aigerim-saparova/")]


def test_json_ld_names_every_author_as_a_person_with_their_page(client, aigerim, erlan):
    third = UserFactory(username="third", first_name="Дмитрий", last_name="Ковалёв", is_staff=True)
    story = ArticleFactory(published=True, author=aigerim.user)
    ArticleCoauthor.objects.create(article=story, user=erlan.user, order=0)
    ArticleCoauthor.objects.create(article=story, user=third, order=1)

    [data] = json_ld(get_page(client, story.get_absolute_url()))

    assert data["author"] == [
        {"@type": "Person", "name": "Айгерим Сапарова", "url": "http://testserver/authors/aigerim-saparova/"},
        {"@type": "Person", "name": "Ерлан Ахметов", "url": "http://testserver/authors/erlan-akhmetov/"},
        {"@type": "Person", "name": "Дмитрий Ковалёв"},
    ]


def test_feed_names_the_author_by_the_profile(client, aigerim):
    aigerim.name = "Айгерим С."
    aigerim.save()
    ArticleFactory(published=True, author=aigerim.user)
    assert "Айгерим С." in client.get("/feed/").content.decode()


# --- the stored part ---


def test_a_profile_change_renders_the_stories_showing_it_again(
    client, aigerim, erlan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        own = ArticleFactory(published=True, author=aigerim.user)
        coauthored = ArticleFactory(published=True, author=erlan.user)
        ArticleCoauthor.objects.create(article=coauthored, user=aigerim.user)
        other = ArticleFactory(published=True, author=erlan.user)
    render_queued()
    untouched = StoryPart.objects.get(article=other).fingerprint

    with django_capture_on_commit_callbacks(execute=True):
        aigerim.name = "Айгерим Нурланова"
        aigerim.save()
    assert "Айгерим Нурланова" in get_page(client, own.get_absolute_url())  # before the worker ran
    assert sorted(render_queued()) == [2]

    for story in (own, coauthored):
        part = StoryPart.objects.get(article=story)
        assert "Айгерим Нурланова" in part.body and '"name": "Айгерим Нурланова"' in part.head
        tamper_with_stored_body(story, "stored-part-used")
        new_process()
        assert "stored-part-used" in get_page(client, story.get_absolute_url())
    assert StoryPart.objects.get(article=other).fingerprint == untouched


def test_adding_and_removing_a_co_author_renders_the_story_again(
    client, aigerim, erlan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        story = ArticleFactory(published=True, author=aigerim.user)
    render_queued()
    with django_capture_on_commit_callbacks(execute=True):
        link = ArticleCoauthor.objects.create(article=story, user=erlan.user)
    render_queued()
    assert "Ерлан Ахметов" in StoryPart.objects.get(article=story).body
    with django_capture_on_commit_callbacks(execute=True):
        link.delete()
    render_queued()
    assert "Ерлан Ахметов" not in StoryPart.objects.get(article=story).body
    assert "Ерлан Ахметов" not in get_page(client, story.get_absolute_url())


# --- the admin: who keeps which profile ---


def profile_form(**changes):
    data = {"name": "Айгерим Сапарова", "bio_ru": "", "bio_kk": "", "is_public": "on"}
    data.update(changes)
    return data


def test_a_journalist_creates_and_edits_their_own_profile(client, journalist):
    logged_in(client, journalist)
    form = client.get(reverse("admin:articles_authorprofile_add")).content.decode()
    assert 'name="bio_kk"' in form and 'name="user"' not in form  # whose profile it is is not a choice
    response = client.post(
        reverse("admin:articles_authorprofile_add"),
        profile_form(bio_ru="Пишу о сёлах.", photo=jpeg_upload(), user="999"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = AuthorProfile.objects.get()
    assert profile.user == journalist and profile.bio_ru == "Пишу о сёлах." and profile.photo_width == 600
    response = client.post(
        reverse("admin:articles_authorprofile_change", args=[profile.pk]), profile_form(bio_kk="Ауылдар туралы.")
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.bio_kk == "Ауылдар туралы."
    assert client.get(reverse("admin:articles_authorprofile_add")).status_code == 403  # one profile each


def test_a_journalist_cannot_edit_anothers_profile_by_a_hand_made_post(client, journalist, erlan):
    logged_in(client, journalist)
    url = reverse("admin:articles_authorprofile_change", args=[erlan.pk])
    response = client.post(url, profile_form(name="Подмена", user=journalist.pk))
    assert response.status_code == 302 and response.url == reverse("admin:index")  # «not found», as the admin says
    erlan.refresh_from_db()
    assert erlan.name == "Ерлан Ахметов" and erlan.user_id != journalist.pk
    listed = client.get(reverse("admin:articles_authorprofile_changelist")).content.decode()
    assert "Ерлан Ахметов" not in listed


def test_a_journalist_cannot_make_a_profile_for_someone_else(client, journalist, other_journalist):
    logged_in(client, journalist)
    client.post(reverse("admin:articles_authorprofile_add"), profile_form(name="Ерлан", user=other_journalist.pk))
    assert not AuthorProfile.objects.filter(user=other_journalist).exists()


def test_a_moderator_edits_anyones_profile(client, moderator, aigerim):
    logged_in(client, moderator)
    url = reverse("admin:articles_authorprofile_change", args=[aigerim.pk])
    assert 'name="user"' in client.get(url).content.decode()
    response = client.post(url, profile_form(name="Айгерим Сапарова", user=aigerim.user_id, is_public=""))
    assert response.status_code == 302
    aigerim.refresh_from_db()
    assert not aigerim.is_public


def test_a_bad_photo_is_refused_with_a_message_and_nothing_typed_is_lost(client, journalist):
    logged_in(client, journalist)
    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = client.post(reverse("admin:articles_authorprofile_add"), profile_form(bio_ru="Мой текст", photo=fake))
    content = response.content.decode()
    assert response.status_code == 200 and "Файл содержит код или разметку" in content and "Мой текст" in content
    assert not AuthorProfile.objects.exists()


# --- co-authors in the article form ---


def coauthor_rows(*rows, initial=0):
    data = {
        "coauthor_links-TOTAL_FORMS": str(len(rows)),
        "coauthor_links-INITIAL_FORMS": str(initial),
        "coauthor_links-MIN_NUM_FORMS": "0",
        "coauthor_links-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"coauthor_links-{index}-{name}": value for name, value in row.items()})
    return data


def test_the_author_adds_co_authors_in_the_change_form_and_the_revision_keeps_them(
    client, journalist, other_journalist, moderator
):
    story = ArticleFactory(author=journalist)
    logged_in(client, journalist)
    data = form_data(story) | coauthor_rows(
        {"user": moderator.pk, "order": "2"}, {"user": other_journalist.pk, "order": "1"}
    )
    assert client.post(change_url(story), data).status_code == 302
    assert list(story.coauthors.order_by("coauthor_links__order")) == [other_journalist, moderator]
    revision = story.revisions.filter(is_applied=True).first()
    assert revision.data["coauthors"] == [other_journalist.pk, moderator.pk]
    shown = client.get(reverse("admin:articles_article_revision", args=[story.pk, revision.pk])).content.decode()
    assert '<th scope="row">Соавторы</th><td>Тест, Тест</td>' in shown  # the factory names both «Тест»

    story.coauthor_links.all().delete()
    revisions.restore(story, revision, journalist)
    assert list(story.coauthor_links.values_list("user_id", flat=True)) == [other_journalist.pk, moderator.pk]


def test_a_save_without_the_co_author_rows_leaves_them_as_they_are(client, journalist, other_journalist):
    story = ArticleFactory(author=journalist)
    ArticleCoauthor.objects.create(article=story, user=other_journalist)
    logged_in(client, journalist)
    assert client.post(change_url(story), form_data(story, title="Новый заголовок")).status_code == 302
    assert list(story.coauthors.all()) == [other_journalist]


def test_a_journalist_cannot_add_co_authors_to_a_story_they_may_not_edit(client, journalist, other_journalist):
    submitted = ArticleFactory(author=journalist, status="review")
    foreign = ArticleFactory(author=other_journalist)
    logged_in(client, journalist)
    for story in (submitted, foreign):
        client.post(change_url(story), form_data(story) | coauthor_rows({"user": journalist.pk, "order": "0"}))
        assert not story.coauthor_links.exists()


# --- the edge (newsroom/edge.py) ---


def test_a_profile_change_purges_the_stories_naming_the_author_and_their_page(
    client, settings, aigerim, erlan, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_EDGE_PURGE_URLS = ["http://127.0.0.1:6081/"]
    story = ArticleFactory(published=True, author=erlan.user)
    ArticleCoauthor.objects.create(article=story, user=aigerim.user)
    story_keys = set(client.get(story.get_absolute_url())[edge.HEADER].split())
    page_keys = set(client.get("/authors/aigerim-saparova/")[edge.HEADER].split())
    assert {f"person-{aigerim.user_id}", f"person-{erlan.user_id}"} <= story_keys
    assert {f"authorprofile-{aigerim.pk}", f"author-{aigerim.user_id}", f"listed-article-{story.pk}"} <= page_keys

    ProcrastinateJob.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        aigerim.bio_ru = "Новый текст о себе."
        aigerim.save()
    [job] = ProcrastinateJob.objects.filter(task_name=edge.PURGE_TASK)
    assert f"authorprofile-{aigerim.pk}" in job.args["keys"]  # her page, for good
    # The stories naming her and her page's list, fetched again (kept for a stale answer while the origin fails).
    assert {f"person-{aigerim.user_id}", f"author-{aigerim.user_id}"} <= set(job.args["lists"])
    assert f"person-{aigerim.user_id}" not in job.args["keys"]

    ProcrastinateJob.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        newer = ArticleFactory(published=True, author=erlan.user)
        ArticleCoauthor.objects.create(article=newer, user=aigerim.user)
    lists = set().union(*(job.args["lists"] for job in ProcrastinateJob.objects.filter(task_name=edge.PURGE_TASK)))
    assert f"author-{aigerim.user_id}" in lists  # her page lists the new story


def test_a_revision_from_before_co_authors_compares_as_without_them(journalist):
    story = ArticleFactory(author=journalist)
    old = revisions.snapshot(story)
    del old["coauthors"]
    assert revisions.changed_fields(old, revisions.snapshot(story)) == []
    ArticleCoauthor.objects.create(article=story, user=UserFactory(is_staff=True))
    assert revisions.changed_fields(old, revisions.snapshot(story)) == ["coauthors"]
