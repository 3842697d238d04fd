"""One caching design (newsroom/caching.py): values kept per content generation, invalidation declared per app."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db.models.signals import m2m_changed
from django.test import override_settings
from django.utils import timezone, translation
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleCoauthor,
    AuthorProfile,
    BreakingBanner,
    Correction,
    FrontPageSlot,
    GalleryItem,
    Photo,
)
from newsroom import caching
from newsroom.generation import bump_generation, current_generation, forget_generation
from regions.models import City, District, Region
from tests.factories import ArticleFactory, SectionFactory, UserFactory, jpeg_file
from tests.parties.factories import PartyFactory, PartyProjectFactory, PrimaryOrganisationFactory

pytestmark = pytest.mark.django_db

DECLARED = {
    "articles": {
        "articles.Article",
        "articles.Section",
        "taggit.Tag",
        "articles.FrontPageSlot",
        "articles.BreakingBanner",
        "articles.AuthorProfile",
        "articles.ArticleCoauthor",
        "articles.Correction",
        "articles.GalleryItem",
    },
    "regions": {"regions.Region", "regions.District", "regions.City"},
    "parties": {"parties.Party", "parties.PrimaryOrganisation", "parties.PartyProject"},
}


def new_request():
    """What the page cache middleware does between two requests: a fresh read of the generation."""
    forget_generation()


@pytest.mark.parametrize("app", sorted(DECLARED))
def test_each_app_declares_the_models_readers_see(app):
    config = apps.get_app_config(app)
    labels = {label if "." in label else f"{app}.{label}" for label in config.public_models}
    assert labels == DECLARED[app]


def declared_instance(label):
    """A saved instance of a declared model, made for the test (deleting it touches nothing else)."""
    makers = {
        "articles.Article": ArticleFactory,
        "articles.Section": SectionFactory,
        "taggit.Tag": lambda: Tag.objects.create(name="паводок", slug="pavodok"),
        "articles.FrontPageSlot": lambda: FrontPageSlot.objects.create(
            position=1, article=ArticleFactory(published=True)
        ),
        "articles.BreakingBanner": lambda: BreakingBanner.objects.create(
            text="Штормовое предупреждение", link="/news/", ends_at=timezone.now() + timedelta(hours=1)
        ),
        "articles.Correction": lambda: Correction.objects.create(
            article=ArticleFactory(published=True), text="В первой версии неверно указана дата."
        ),
        "regions.Region": lambda: Region.objects.create(
            name="Тестовая область",
            slug="testovaya",
            kind=Region.Kind.OBLAST,
            kato="999999999",
            centre="Тест",
            latitude=50,
            longitude=70,
        ),
        "regions.District": lambda: District.objects.create(region=Region.objects.first(), name="Тестовый район"),
        "regions.City": lambda: City.objects.create(
            region=Region.objects.first(), name="Тестовый", slug="testovyi", latitude=50, longitude=70
        ),
        "articles.AuthorProfile": lambda: AuthorProfile.objects.create(user=UserFactory(), name="Айгерим Сапарова"),
        "articles.ArticleCoauthor": lambda: ArticleCoauthor.objects.create(
            article=ArticleFactory(published=True), user=UserFactory()
        ),
        "articles.GalleryItem": lambda: GalleryItem.objects.create(
            article=ArticleFactory(published=True), photo=Photo.objects.create(file=jpeg_file(size=(200, 100)))
        ),
        "parties.Party": PartyFactory,
        "parties.PrimaryOrganisation": PrimaryOrganisationFactory,
        "parties.PartyProject": PartyProjectFactory,
    }
    return makers[label]()


@pytest.mark.parametrize("label", sorted(set().union(*DECLARED.values())))
def test_saving_or_deleting_a_declared_model_moves_the_generation(label):
    instance = declared_instance(label)
    new_request()
    before = current_generation()

    instance.save()
    new_request()
    saved = current_generation()
    instance.delete()
    new_request()

    assert len({before, saved, current_generation()}) == 3


@pytest.mark.parametrize("link", ["tags", "cities", "party_organisations", "party_projects"])
def test_relinking_a_story_moves_the_generation(link):
    through = Article._meta.get_field(link).remote_field.through
    assert m2m_changed.has_listeners(through)
    before = current_generation()
    m2m_changed.send(sender=through, instance=None, action="post_add", reverse=False, model=None, pk_set=set())
    new_request()
    assert current_generation() != before


def test_a_value_is_computed_once_per_generation_and_language():
    calls = []

    def compute():
        calls.append(translation.get_language())
        return len(calls)

    assert caching.kept("example", 1, compute=compute) == 1
    assert caching.kept("example", 1, compute=compute) == 1
    with translation.override("kk"):
        assert caching.kept("example", 1, compute=compute) == 2
    assert caching.kept("example", 2, compute=compute) == 3

    bump_generation()
    new_request()

    assert caching.kept("example", 1, compute=compute) == 4
    assert calls == ["ru", "kk", "ru", "ru"]


def test_the_shared_cache_answers_a_process_that_has_no_copy():
    assert caching.kept("example", compute=lambda: "computed") == "computed"
    caching.forget_local_copies()  # another worker: nothing of its own, the same shared cache

    assert caching.kept("example", compute=lambda: "computed again") == "computed"


def test_only_what_is_missing_is_computed_and_none_is_a_value():
    asked = []

    def compute_missing(missing):
        asked.append(sorted(missing))
        return {parts: None if parts == (2,) else parts[0] * 10 for parts in missing}

    assert caching.kept_each("numbers", [(1,), (2,)], compute_missing) == {(1,): 10, (2,): None}
    assert caching.kept_each("numbers", [(1,), (2,), (3,)], compute_missing) == {(1,): 10, (2,): None, (3,): 30}
    assert asked == [[(1,), (2,)], [(3,)]]


def test_this_process_keeps_a_bounded_number_of_copies(monkeypatch):
    monkeypatch.setattr(caching, "LOCAL_ENTRIES", 3)
    for number in range(10):
        caching.kept("bounded", number, compute=lambda number=number: number)

    assert len(caching._local) == 3


def test_a_renamed_region_shows_on_a_kept_story_at_once(client):
    north = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    article = ArticleFactory(published=True, region=north)
    assert north.name in client.get(article.get_absolute_url()).content.decode()

    north.name = "Северо-Казахстанская область (СКО)"
    north.save()

    assert "(СКО)" in client.get(article.get_absolute_url()).content.decode()


def test_a_party_link_added_without_saving_the_story_shows_at_once(client):
    article = ArticleFactory(published=True)
    organisation = PrimaryOrganisationFactory(name="Первичная организация «Тайынша»")
    assert organisation.name not in client.get(article.get_absolute_url()).content.decode()

    article.party_organisations.add(organisation)

    assert organisation.name in client.get(article.get_absolute_url()).content.decode()


@override_settings(NEWSROOM_PAGE_CACHE_STORE_AFTER=2)
def test_a_crawler_reading_each_story_once_stores_none_and_evicts_nothing(client):
    stories = [ArticleFactory(published=True, title=f"Новость {number}") for number in range(30)]
    assert client.get("/news/")["X-Page-Cache"] == "miss"
    assert client.get("/news/")["X-Page-Cache"] == "miss"  # the second request stores it
    assert client.get("/news/")["X-Page-Cache"] == "hit"

    for story in stories:
        assert client.get(story.get_absolute_url())["X-Page-Cache"] == "miss"

    assert client.get("/news/")["X-Page-Cache"] == "hit"
    assert client.get(stories[0].get_absolute_url())["X-Page-Cache"] == "miss"  # not stored by the crawler
    assert client.get(stories[0].get_absolute_url())["X-Page-Cache"] == "hit"
