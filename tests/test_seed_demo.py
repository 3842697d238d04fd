import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Sum
from procrastinate.contrib.django.models import ProcrastinateJob

from articles import telegram, workflow
from articles.models import Article, AuthorProfile, Correction
from parties.models import PrimaryOrganisation
from regions.models import Region
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

COUNTED_MODELS = [
    "auth.User", "auth.Group", "articles.Article", "articles.Section", "articles.WorkflowEvent",
    "articles.ArticleRevision", "taggit.Tag", "articles.ArticleTag", "parties.Party", "parties.PartyProject",
    "parties.PrimaryOrganisation", "regions.Region", "regions.City", "articles.Desk", "articles.DeskRegion",
    "articles.AuthorProfile", "articles.ArticleCoauthor",
    "articles.Correction",
]  # fmt: skip


def row_counts():
    return {label: apps.get_model(label).objects.count() for label in COUNTED_MODELS}


def test_seed_demo_twice_gives_the_same_rows(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = row_counts()
    first_passwords = dict(get_user_model().objects.values_list("username", "password"))
    call_command("seed_demo")
    assert row_counts() == first
    assert dict(get_user_model().objects.values_list("username", "password")) == first_passwords


def test_seed_demo_does_not_bring_back_a_demo_story_an_editor_changed(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    story = Article.objects.published().filter(language="ru").order_by("pk").first()
    story.title += " — уточнено"
    story.save()
    workflow.apply(story, "unpublish", by=get_user_model().objects.get(username="moderator"))
    first = row_counts()
    call_command("seed_demo")
    assert row_counts() == first
    story.refresh_from_db()
    assert story.title.endswith(" — уточнено") and story.status == Article.Status.ARCHIVED


def test_seed_demo_posts_nothing_to_a_configured_telegram_channel(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    settings.NEWSROOM_TELEGRAM_BOT_TOKEN = "123456:token-of-the-outlets-real-bot"
    settings.NEWSROOM_TELEGRAM_CHAT_ID = "@outlet"
    settings.NEWSROOM_SITE_URL = "https://news.example.kz"
    assert telegram.is_configured()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")

    assert Article.objects.filter(first_published_at__isnull=False).exists()
    assert not ProcrastinateJob.objects.filter(task_name=telegram.SYNC_TASK).exists()


def test_seed_demo_content(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    User = get_user_model()
    for username in ["journalist", "moderator", "admin"]:
        user = User.objects.get(username=username)
        assert user.is_staff and user.check_password("newsroom-demo")
        assert user.email == f"{username}@example.org"
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="moderator").has_perm("articles.publish_article")
    assert not User.objects.get(username="journalist").has_perm("articles.publish_article")

    nko = PrimaryOrganisation.objects.filter(region__slug="severo-kazakhstanskaya-oblast")
    assert nko.count() == 244
    assert nko.aggregate(total=Sum("members_count"))["total"] == 28_500
    assert nko.filter(city__slug="petropavlovsk").exists()
    assert nko.values("district").exclude(district=None).distinct().count() == 13

    published = Article.objects.published()
    assert published.in_language("ru").count() >= 30
    assert published.in_language("kk").exists()
    assert published.filter(region__slug="severo-kazakhstanskaya-oblast").count() >= 5
    assert published.values("section").distinct().count() >= 4
    assert published.values("region").distinct().count() >= 5
    assert not published.filter(tags=None).exists()
    forum = published.get(is_featured=True)
    assert "244" in forum.body and "28,5" in forum.body
    assert forum.party_projects.count() == 5 and forum.party_organisations.exists()
    assert set(Correction.objects.public().values_list("kind", flat=True)) == {"correction", "update"}


def test_seed_demo_uses_the_password_from_the_environment(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("NEWSROOM_DEMO_PASSWORD", "another-password-42")
    call_command("seed_demo")
    assert get_user_model().objects.get(username="moderator").check_password("another-password-42")


def test_seed_demo_refuses_production_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Article.objects.exists()


def test_seed_demo_shows_regional_desks(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    User = get_user_model()
    moderator, south, chief = (User.objects.get(username=name) for name in ["moderator", "moderator_south", "chief"])
    assert set(moderator.desks.values_list("name", flat=True)) == {"Северный отдел", "Республиканский отдел"}
    assert set(south.desks.values_list("name", flat=True)) == {"Южный отдел"}
    assert chief.has_perm("articles.oversee_desk") and not chief.desks.exists()
    almaty = ArticleFactory(region=Region.objects.get(slug="almaty"), status=Article.Status.REVIEW)
    national = ArticleFactory(status=Article.Status.REVIEW)
    assert [workflow.can_edit(user, almaty) for user in (moderator, south, chief)] == [False, True, True]
    assert [workflow.can_edit(user, national) for user in (moderator, south, chief)] == [True, False, True]


def test_seed_demo_gives_the_demo_journalists_profiles_and_a_co_written_story(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    journalist = AuthorProfile.objects.get(user__username="journalist")
    assert journalist.name == "Айгерим Сапарова" and journalist.bio_ru and journalist.bio_kk
    assert AuthorProfile.objects.filter(user__username="moderator").exists()
    story = Article.objects.published().get(coauthors__username="moderator")
    page = client.get(story.get_absolute_url()).content.decode()
    assert f'href="{journalist.get_absolute_url()}" rel="author">Айгерим Сапарова</a>' in page
    assert "Ерлан Ахметов" in page
    assert client.get(journalist.get_absolute_url()).status_code == 200
