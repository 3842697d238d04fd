"""Editorial data (security issue 12, §3): links, moderators' decisions and shared draft links.

Each test makes the request a person could make by hand, past what the admin's widgets offer.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from articles import revisions, workflow
from articles.models import Article
from parties.models import PartyProject, PrimaryOrganisation
from regions.models import City, Region
from tests.articles.test_admin_workflow import form_data
from tests.factories import ArticleFactory, SectionFactory, UserFactory
from tests.parties.factories import PartyProjectFactory, PrimaryOrganisationFactory

pytestmark = pytest.mark.django_db

S = Article.Status


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def autocomplete(client, term, field="translation_of"):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "article", "field_name": field, "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


# --- 1. Links to other objects accept only what the user may see ---


def test_visible_to_is_all_for_a_moderator_and_own_plus_live_for_a_journalist(journalist, other_journalist, moderator):
    own_draft = ArticleFactory(author=journalist)
    foreign_draft = ArticleFactory(author=other_journalist)
    foreign_review = ArticleFactory(author=other_journalist, status=S.REVIEW)
    foreign_live = ArticleFactory(author=other_journalist, published=True)
    foreign_scheduled = ArticleFactory(
        author=other_journalist, status=S.PUBLISHED, publish_at=timezone.now() + timedelta(days=1)
    )
    foreign_archived = ArticleFactory(author=other_journalist, status=S.ARCHIVED, publish_at=timezone.now())
    everything = {own_draft, foreign_draft, foreign_review, foreign_live, foreign_scheduled, foreign_archived}

    assert set(Article.objects.visible_to(journalist)) == {own_draft, foreign_live}
    assert set(Article.objects.visible_to(moderator)) == everything


def test_journalist_cannot_link_another_journalists_draft_as_translation(client, journalist, other_journalist):
    article = ArticleFactory(author=journalist, title="Мой перевод")
    secret = ArticleFactory(author=other_journalist, title="Секретный черновик коллеги о выборах")
    client.force_login(journalist)

    response = client.post(change_url(article), form_data(article, translation_of=secret.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "этого материала нет среди доступных вам" in page
    assert "Секретный черновик" not in page
    article.refresh_from_db()
    assert article.translation_of_id is None


def test_journalist_cannot_create_a_translation_of_another_journalists_draft(client, journalist, other_journalist):
    secret = ArticleFactory(author=other_journalist, title="Секретный черновик коллеги о выборах")
    client.force_login(journalist)
    data = {
        "title": "Перевод чужого черновика",
        "lead": "Лид.",
        "body": "<p>Текст.</p>",
        "section": SectionFactory().pk,
        "language": "kk",
        "translation_of": secret.pk,
    }

    response = client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 200
    assert "Секретный черновик" not in response.content.decode()
    assert not Article.objects.filter(translation_of=secret).exists()


def test_journalist_links_a_published_story_of_a_colleague(client, journalist, other_journalist):
    article = ArticleFactory(author=journalist)
    original = ArticleFactory(author=other_journalist, published=True, title="Опубликованный оригинал")
    client.force_login(journalist)

    response = client.post(change_url(article), form_data(article, translation_of=original.pk))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.translation_of == original


def test_a_link_a_moderator_saved_survives_the_authors_save(client, journalist, other_journalist):
    linked = ArticleFactory(author=other_journalist, title="Черновик, связанный модератором")
    article = ArticleFactory(author=journalist, translation_of=linked)
    client.force_login(journalist)

    response = client.post(change_url(article), form_data(article, translation_of=linked.pk, lead="Новый лид"))

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.translation_of, article.lead) == (linked, "Новый лид")


def test_autocomplete_gives_a_journalist_what_they_may_see_and_nothing_else(client, journalist, other_journalist):
    ArticleFactory(author=other_journalist, title="Черновик коллеги про паводок")
    ArticleFactory(author=other_journalist, status=S.REVIEW, title="Заявка коллеги про паводок")
    ArticleFactory(author=other_journalist, published=True, title="Репортаж коллеги про паводок")
    ArticleFactory(author=journalist, title="Мой черновик про паводок")
    client.force_login(journalist)

    assert sorted(autocomplete(client, "паводок")) == ["Мой черновик про паводок", "Репортаж коллеги про паводок"]
    assert autocomplete(client, "Черновик коллеги") == []


def test_autocomplete_gives_a_moderator_every_story(client, journalist, moderator):
    ArticleFactory(author=journalist, title="Черновик журналиста про паводок")
    client.force_login(moderator)

    assert autocomplete(client, "паводок") == ["Черновик журналиста про паводок"]


@pytest.fixture
def writer_without_reference_rights(db):
    """Staff who may write articles but was given no right to view sections, regions or the party registry."""
    user = UserFactory(username="freelancer", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles", codename__in=["add_article", "change_article", "view_article"]
        )
    )
    return user


@pytest.mark.parametrize(
    ("field", "make"),
    [
        ("section", lambda: SectionFactory()),
        ("region", lambda: Region.objects.get(slug="severo-kazakhstanskaya-oblast")),
        ("cities", lambda: City.objects.get(slug="petropavlovsk")),
        ("party_organisations", lambda: PrimaryOrganisationFactory()),
        ("party_projects", lambda: PartyProjectFactory()),
    ],
)
def test_every_reference_field_accepts_only_what_the_user_may_view(
    client, writer_without_reference_rights, field, make
):
    writer = writer_without_reference_rights
    article = ArticleFactory(author=writer, section=None)
    target = make()
    client.force_login(writer)

    response = client.post(change_url(article), form_data(article, **{field: target.pk}))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    article.refresh_from_db()
    saved = getattr(article, field)
    assert (list(saved.all()) if hasattr(saved, "all") else saved) in ([], None)


def test_journalist_links_the_party_registry_and_places(client, journalist):
    article = ArticleFactory(author=journalist)
    organisation, project = PrimaryOrganisationFactory(), PartyProjectFactory()
    city = City.objects.get(slug="petropavlovsk")
    client.force_login(journalist)

    response = client.post(
        change_url(article),
        form_data(
            article,
            region=city.region_id,
            cities=[city.pk],
            party_organisations=[organisation.pk],
            party_projects=[project.pk],
        ),
    )

    assert response.status_code == 302
    assert list(PrimaryOrganisation.objects.filter(articles=article)) == [organisation]
    assert list(PartyProject.objects.filter(articles=article)) == [project]
    assert list(article.cities.all()) == [city]


# --- 2. The moderators' decisions are read-only for journalists ---


def test_journalists_post_cannot_make_their_story_the_main_one(client, journalist):
    article = ArticleFactory(author=journalist)
    client.force_login(journalist)

    response = client.post(change_url(article), form_data(article, is_featured="on", lead="Поправленный лид"))

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.lead, article.is_featured) == ("Поправленный лид", False)


def test_journalists_post_cannot_change_a_publication_time_a_moderator_set(client, journalist, moderator):
    article = ArticleFactory(author=journalist, published=True)
    set_by_moderator = article.publish_at
    workflow.apply(article, "unpublish", by=moderator)
    workflow.apply(article, "reopen", by=moderator)
    article.refresh_from_db()
    client.force_login(journalist)

    response = client.post(
        change_url(article), form_data(article, publish_at_0="01.01.2020", publish_at_1="08:00:00", title="Правка")
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.publish_at) == ("Правка", set_by_moderator)


def test_a_journalists_proposed_time_is_a_proposal_until_a_moderator_approves_with_it(client, journalist, moderator):
    article = ArticleFactory(author=journalist)
    proposed = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)
    client.force_login(journalist)
    client.post(
        change_url(article),
        form_data(
            article,
            proposed_publish_at_0=proposed.strftime("%d.%m.%Y"),
            proposed_publish_at_1=proposed.strftime("%H:%M:%S"),
        ),
    )
    article.refresh_from_db()
    assert (article.proposed_publish_at, article.publish_at) == (proposed, None)
    workflow.apply(article, "submit", by=journalist)

    client.force_login(moderator)
    page = client.get(change_url(article)).content.decode()
    assert "Предлагаемое время публикации" in page
    assert f'name="publish_at" value="{proposed:%Y-%m-%dT%H:%M}"' in page  # the approve form offers it

    client.post(
        reverse("admin:articles_article_transition", args=[article.pk, "approve"]),
        {"publish_at": f"{proposed:%Y-%m-%dT%H:%M}"},
    )
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.publish_at == proposed and not article.is_live()


def test_a_moderator_sets_the_main_story_and_the_publication_time(client, journalist, moderator):
    article = ArticleFactory(author=journalist, published=True)
    moment = (timezone.localtime() - timedelta(hours=3)).replace(second=0, microsecond=0)
    client.force_login(moderator)

    response = client.post(
        change_url(article),
        form_data(
            article,
            is_featured="on",
            publish_at_0=moment.strftime("%d.%m.%Y"),
            publish_at_1=moment.strftime("%H:%M:%S"),
        ),
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.is_featured, article.publish_at) == (True, moment)


def test_restoring_a_revision_does_not_bring_back_a_moderators_decision(client, journalist, moderator):
    article = ArticleFactory(author=journalist, is_featured=True)
    featured = revisions.record(article, moderator)
    Article.objects.filter(pk=article.pk).update(is_featured=False)
    article.refresh_from_db()
    client.force_login(journalist)

    client.post(reverse("admin:articles_article_restore", args=[article.pk, featured.pk]))

    article.refresh_from_db()
    assert article.is_featured is False


def test_the_edit_conflict_merge_leaves_the_moderators_fields_alone(client, journalist, moderator):
    article = ArticleFactory(author=journalist, title="Исходный заголовок")
    revisions.record(article, journalist)
    url = change_url(article)
    opened_by_journalist = form_data(article)
    client.force_login(moderator)
    client.post(url, form_data(article, title="Заголовок модератора", is_featured="on"))

    client.force_login(journalist)
    first_try = {**opened_by_journalist, "lead": "Лид журналиста", "is_featured": "on"}
    conflict = client.post(url, first_try).context["conflict"]
    choices = {f"resolve_{row['name']}": row["default"] for row in conflict["rows"]}
    assert choices == {"resolve_title": "theirs", "resolve_lead": "mine"}
    response = client.post(url, {**first_try, "seen_version": conflict["version"], **choices})

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.lead, article.is_featured) == ("Заголовок модератора", "Лид журналиста", True)
