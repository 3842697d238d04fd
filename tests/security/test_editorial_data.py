"""Editorial data (security issue 12, §3): links, moderators' decisions and shared draft links.

Each test makes the request a person could make by hand, past what the admin's widgets offer.
"""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import preview, revisions, workflow
from articles.models import Article, PreviewLink
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


# --- 3. Shared draft links: the shared version, ended by publication, revocable ---


def revoke_url(link):
    return reverse("admin:articles_article_revoke_link", args=[link.article_id, link.pk])


def share(client, article):
    """Press «Поделиться черновиком» and return the link the message gives."""
    before = set(PreviewLink.objects.values_list("pk", flat=True))
    response = client.post(reverse("admin:articles_article_share", args=[article.pk]))
    assert response.status_code == 302
    [link] = PreviewLink.objects.exclude(pk__in=before)
    return link


def test_a_shared_link_shows_the_version_that_was_shared(client, journalist):
    article = ArticleFactory(author=journalist, title="Заголовок для героя", body="<p>Текст, который видел герой.</p>")
    client.force_login(journalist)
    link = share(client, article)
    assert (link.created_by, link.expires_at - link.created_at) == (journalist, timedelta(hours=48))
    client.post(
        change_url(article),
        form_data(article, title="Новый заголовок", body="<p>Позднее дописанный текст.</p>", tags="новый-тег"),
    )
    client.logout()

    page = client.get(preview.link_url(link)).content.decode()

    assert "Заголовок для героя" in page and "Текст, который видел герой." in page
    assert "Новый заголовок" not in page and "Позднее дописанный" not in page and "новый-тег" not in page


@pytest.mark.parametrize("transitions", [["publish"], ["publish", "unpublish"], ["publish", "unpublish", "reopen"]])
def test_a_shared_link_ends_when_the_story_is_published_or_archived(client, journalist, moderator, transitions):
    article = ArticleFactory(author=journalist, title="Черновик, который скоро выйдет")
    url = preview.share_url(article, journalist)
    for name in transitions:
        workflow.apply(article, name, by=moderator)

    response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 410
    assert "Ссылка на черновик больше не действует" in page
    assert "Черновик, который скоро выйдет" not in page


def test_a_revoked_link_shows_nothing(client, journalist):
    article = ArticleFactory(author=journalist, title="Черновик, который передумали показывать")
    client.force_login(journalist)
    link = share(client, article)
    page = client.get(change_url(article)).content.decode()
    assert "Отозвать ссылку" in page and f"Создал(а): {journalist.first_name}" in page

    response = client.post(revoke_url(link), follow=True)

    assert "Ссылка на черновик отозвана" in response.content.decode()
    assert "Отозвать ссылку" not in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_by == journalist
    client.logout()
    gone = client.get(preview.link_url(link))
    assert gone.status_code == 410
    assert "Черновик, который передумали показывать" not in gone.content.decode()


def test_a_journalist_cannot_revoke_a_colleagues_link_by_a_hand_made_post(client, journalist, other_journalist):
    colleagues = ArticleFactory(author=other_journalist, title="Черновик коллеги")
    link = PreviewLink.objects.get(pk=preview.share(colleagues, other_journalist).pk)
    own = ArticleFactory(author=journalist)
    client.force_login(journalist)

    assert client.post(revoke_url(link)).status_code == 404
    assert client.post(reverse("admin:articles_article_revoke_link", args=[own.pk, link.pk])).status_code == 404

    link.refresh_from_db()
    assert link.revoked_at is None
    client.logout()
    assert client.get(preview.link_url(link)).status_code == 200


def test_a_moderator_revokes_a_journalists_link(client, journalist, moderator):
    link = preview.share(ArticleFactory(author=journalist), journalist)
    client.force_login(moderator)

    client.post(revoke_url(link))

    link.refresh_from_db()
    assert link.revoked_by == moderator


def test_revoking_needs_post(client, journalist):
    link = preview.share(ArticleFactory(author=journalist), journalist)
    client.force_login(journalist)

    assert client.get(revoke_url(link)).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_journalist_cannot_share_a_colleagues_draft(client, journalist, other_journalist):
    colleagues = ArticleFactory(author=other_journalist)
    client.force_login(journalist)

    assert client.post(reverse("admin:articles_article_share", args=[colleagues.pk])).status_code == 404
    assert not PreviewLink.objects.exists()


def test_a_published_story_is_not_shared_as_a_draft(client, journalist, moderator):
    article = ArticleFactory(author=journalist, published=True)
    client.force_login(moderator)

    assert "Поделиться черновиком" not in client.get(change_url(article)).content.decode()
    response = client.post(reverse("admin:articles_article_share", args=[article.pk]), follow=True)

    assert "только пока материал не опубликован" in response.content.decode()
    assert not PreviewLink.objects.exists()


def test_a_link_of_the_old_format_no_longer_works(client, journalist):
    article = ArticleFactory(author=journalist, title="Черновик по старой ссылке")
    token = signing.dumps({"article": article.pk}, salt=preview.SALT, compress=True)

    response = client.get(reverse("articles:preview", args=[token]))

    assert response.status_code == 410
    assert "Черновик по старой ссылке" not in response.content.decode()


def test_a_shared_link_expires_after_its_hours(client, journalist):
    url = preview.share_url(ArticleFactory(author=journalist), journalist)
    with time_machine.travel(timezone.now() + timedelta(hours=49), tick=False):
        response = client.get(url)
    assert response.status_code == 410
    assert "Ссылка на черновик устарела" in response.content.decode()


def shared_page_queries(client, article):
    url = preview.share_url(article, article.author)
    client.get(url)  # navigation and the content generation cached, as on a running site
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_shared_preview_runs_a_small_number_of_queries_whatever_the_story_holds(client, journalist):
    north = Region.objects.get(slug="severo-kazakhstanskaya-oblast")

    def story(size):
        article = ArticleFactory(author=journalist, region=north, tags=[f"тег {n}" for n in range(size)])
        article.party_organisations.set([PrimaryOrganisationFactory() for _ in range(size)])
        article.party_projects.set([PartyProjectFactory() for _ in range(size)])
        article.cities.set(City.objects.filter(region=north)[:size])
        return article

    small, large = story(1), story(8)
    for number in range(5):
        ArticleFactory(published=True, region=north, tags=["тег 1"], title=f"Соседний материал {number}")

    assert shared_page_queries(client, small) == shared_page_queries(client, large) <= 8


# Django's "view on site" redirect names an object's public address, a draft's slug (its headline) too.


def view_on_site(client, article):
    content_type = ContentType.objects.get_for_model(Article)
    return client.get(f"/admin/r/{content_type.pk}/{article.pk}/")


def test_view_on_site_does_not_name_a_colleagues_draft(client, journalist, other_journalist):
    draft = ArticleFactory(author=other_journalist, title="Секретный черновик коллеги о выборах")
    client.force_login(journalist)
    response = view_on_site(client, draft)
    assert response.status_code == 404
    assert draft.slug not in response.headers.get("Location", "")
    assert view_on_site(client, ArticleFactory(author=journalist)).status_code == 302


def test_view_on_site_with_a_made_up_id_is_not_found(client, journalist):
    client.force_login(journalist)
    content_type = ContentType.objects.get_for_model(Article)
    for object_id in ["999999", "abc", "1%00"]:
        assert client.get(f"/admin/r/{content_type.pk}/{object_id}/").status_code == 404
    assert client.get("/admin/r/999999/1/").status_code == 404
