"""Regional desks: a moderator decides only on their desks' stories; the queue, its count and e-mails follow."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from articles import notifications, workflow
from articles.models import Article, Desk, DeskRegion, WorkflowEvent
from regions.models import Region
from tests.articles.test_admin_workflow import form_data
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Article.Status
NORTH = "severo-kazakhstanskaya-oblast"
SOUTH = "almaty"
UNCOVERED = "atyrauskaya-oblast"


def region(slug):
    return Region.objects.get(slug=slug)


def make_moderator(username):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def desks(db):
    """Two regional desks with a moderator each, the migrated default desk with its own, and a chief editor."""
    north = Desk.objects.create(name="Северный отдел")
    DeskRegion.objects.create(desk=north, region=region(NORTH))
    south = Desk.objects.create(name="Южный отдел")
    DeskRegion.objects.create(desk=south, region=region(SOUTH))
    default = Desk.objects.get(is_default=True)
    people = {
        "north": make_moderator("north_moderator"),
        "south": make_moderator("south_moderator"),
        "national": make_moderator("national_moderator"),
        "chief": UserFactory(username="chief", is_staff=True),
    }
    people["chief"].groups.add(Group.objects.get(name="Chief editors"))
    north.members.add(people["north"])
    south.members.add(people["south"])
    default.members.add(people["national"])
    return {"north": north, "south": south, "default": default, **{f"{k}_user": v for k, v in people.items()}}


def story(slug, status=S.REVIEW, **fields):
    publish_at = timezone.now() - timedelta(hours=1) if status in (S.PUBLISHED, S.ARCHIVED) else None
    return ArticleFactory(region=region(slug) if slug else None, status=status, publish_at=publish_at, **fields)


def fresh(user):
    """The user as a new request loads them: desks and permissions read again."""
    return type(user).objects.get(pk=user.pk)


# --- the rule, in the workflow table ---


def test_the_migration_ships_one_default_desk_and_the_chief_editors_group():
    assert list(Desk.objects.filter(is_default=True).values_list("name", flat=True)) == ["Республиканский отдел"]
    chiefs = Group.objects.get(name="Chief editors")
    codes = set(chiefs.permissions.values_list("codename", flat=True))
    assert {"publish_article", "oversee_desk", "change_desk", "add_desk"} <= codes
    assert "oversee_desk" not in set(
        Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True)
    )


def test_without_desk_members_every_moderator_holds_every_story(moderator):
    north = Desk.objects.create(name="Северный отдел")
    DeskRegion.objects.create(desk=north, region=region(NORTH))
    article = story(SOUTH)
    assert "approve" in [t.name for t in workflow.allowed_transitions(moderator, article)]
    workflow.apply(article, "approve", by=moderator)
    article.refresh_from_db()
    assert article.status == S.PUBLISHED


@pytest.mark.parametrize(("status", "name"), [(S.REVIEW, "approve"), (S.DRAFT, "publish"), (S.PUBLISHED, "unpublish")])
def test_moderator_cannot_decide_on_another_desks_story(desks, status, name):
    south_story = story(SOUTH, status=status)
    north_moderator = desks["north_user"]
    assert name not in [t.name for t in workflow.allowed_transitions(north_moderator, south_story)]
    with pytest.raises(workflow.WorkflowError, match="относится к отделу «Южный отдел»"):
        workflow.apply(south_story, name, by=north_moderator)
    south_story.refresh_from_db()
    assert south_story.status == status
    assert not WorkflowEvent.objects.filter(article=south_story).exists()

    workflow.apply(south_story, name, by=desks["south_user"])
    south_story.refresh_from_db()
    assert south_story.status != status


def test_moderator_decides_on_their_desks_story_and_edits_only_those(desks):
    north_story, south_story = story(NORTH), story(SOUTH)
    north_moderator = desks["north_user"]
    assert workflow.can_edit(north_moderator, north_story)
    assert not workflow.can_edit(north_moderator, south_story)
    assert not workflow.can_view(north_moderator, south_story)
    workflow.apply(north_story, "approve", by=north_moderator)
    north_story.refresh_from_db()
    assert north_story.status == S.PUBLISHED


def test_chief_editor_and_superuser_hold_every_desk(desks):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    for user, slug in [(desks["chief_user"], SOUTH), (desks["chief_user"], None), (superuser, NORTH)]:
        article = story(slug)
        workflow.apply(article, "approve", by=user)
        article.refresh_from_db()
        assert article.status == S.PUBLISHED


def test_stories_without_a_region_or_of_an_uncovered_region_go_to_the_default_desk(desks):
    national, uncovered = story(None), story(UNCOVERED)
    for article in (national, uncovered):
        assert not workflow.can_edit(desks["north_user"], article)
        workflow.apply(article, "approve", by=desks["national_user"])
        article.refresh_from_db()
        assert article.status == S.PUBLISHED
    with pytest.raises(workflow.WorkflowError, match="Северный отдел"):
        workflow.apply(story(NORTH), "approve", by=desks["national_user"])


def test_a_moderator_in_no_desk_holds_no_story_once_desks_are_in_force(desks, moderator):
    article = story(NORTH)
    with pytest.raises(workflow.WorkflowError, match="Северный отдел"):
        workflow.apply(article, "approve", by=moderator)
    assert not Article.objects.on_desk_of(moderator).exists()


def test_a_moderators_own_story_on_another_desk_is_theirs_as_author_only(desks):
    north_moderator = desks["north_user"]
    own = story(SOUTH, status=S.DRAFT, author=north_moderator)
    assert [t.name for t in workflow.allowed_transitions(north_moderator, own)] == ["submit"]
    workflow.apply(own, "submit", by=north_moderator)
    with pytest.raises(workflow.WorkflowError, match="Южный отдел"):
        workflow.apply(own, "approve", by=north_moderator)


def test_only_one_default_desk():
    with pytest.raises(IntegrityError), transaction.atomic():
        Desk.objects.create(name="Второй по умолчанию", is_default=True)


def test_a_region_belongs_to_one_desk(desks):
    with pytest.raises(IntegrityError), transaction.atomic():
        DeskRegion.objects.create(desk=desks["south"], region=region(NORTH))


# --- the admin: hand-made requests, actions, the queue and its count ---


def test_hand_made_transition_post_on_another_desks_story_is_refused(client, desks):
    south_story = story(SOUTH)
    client.force_login(desks["north_user"])
    response = client.post(reverse("admin:articles_article_transition", args=[south_story.pk, "approve"]))
    assert response.status_code == 404
    own = story(SOUTH, author=desks["north_user"])
    response = client.post(reverse("admin:articles_article_transition", args=[own.pk, "approve"]), follow=True)
    assert "относится к отделу «Южный отдел»" in response.content.decode()
    for article in (south_story, own):
        article.refresh_from_db()
        assert article.status == S.REVIEW


@pytest.mark.parametrize(("action", "status"), [("approve_selected", S.REVIEW), ("unpublish_selected", S.PUBLISHED)])
def test_bulk_actions_change_only_the_moderators_desks_stories(client, desks, action, status):
    north_story, south_story = story(NORTH, status=status), story(SOUTH, status=status)
    own_south = story(SOUTH, status=status, author=desks["north_user"])
    client.force_login(desks["north_user"])
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [north_story.pk, south_story.pk, own_south.pk]},
        follow=True,
    )
    assert "Южный отдел" in response.content.decode()  # the own story's refusal names its desk
    for article in (north_story, south_story, own_south):
        article.refresh_from_db()
    assert north_story.status != status
    assert (south_story.status, own_south.status) == (status, status)


def test_moderator_cannot_move_a_published_story_to_another_desks_region(client, desks):
    published = story(NORTH, status=S.PUBLISHED)
    client.force_login(desks["north_user"])
    url = reverse("admin:articles_article_change", args=[published.pk])
    response = client.post(url, form_data(published, region=region(SOUTH).pk))
    assert response.status_code == 200
    assert "относится к отделу «Южный отдел»" in response.content.decode()
    published.refresh_from_db()
    assert published.region.slug == NORTH

    draft = story(NORTH, status=S.DRAFT)  # an unpublished story may be handed over: the other desk decides
    response = client.post(
        reverse("admin:articles_article_change", args=[draft.pk]), form_data(draft, region=region(SOUTH).pk)
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.region.slug == SOUTH


def queue_titles(client):
    page = client.get(reverse("admin:articles_article_changelist"), {"status__exact": "review"}).content.decode()
    return page


@pytest.mark.parametrize(("who", "count"), [("north_user", 1), ("south_user", 2), ("chief_user", 4)])
def test_review_queue_and_its_count_are_per_desk(client, desks, who, count):
    north_story = story(NORTH, title="Северная история в очереди")
    south_stories = [story(SOUTH, title=f"Южная история {n} в очереди") for n in range(2)]
    national = story(None, title="Общая история в очереди")
    story(SOUTH, status=S.DRAFT, title="Южный черновик")
    client.force_login(desks[who])
    assert f"На модерации: {count}" in client.get(reverse("admin:index")).content.decode()
    queue = queue_titles(client)
    shown = {a.title for a in [north_story, *south_stories, national] if a.title in queue}
    expected = {
        "north_user": {north_story.title},
        "south_user": {a.title for a in south_stories},
        "chief_user": {north_story.title, national.title, *(a.title for a in south_stories)},
    }[who]
    assert shown == expected


def test_audit_trail_shows_only_the_moderators_desks(client, desks, journalist):
    north_story = story(NORTH, status=S.DRAFT, author=journalist)
    south_story = story(SOUTH, status=S.DRAFT, author=journalist)
    workflow.apply(north_story, "submit", by=north_story.author)
    workflow.apply(south_story, "submit", by=south_story.author)
    client.force_login(desks["north_user"])
    page = client.get(reverse("admin:articles_workflowevent_changelist")).content.decode()
    assert north_story.title in page and south_story.title not in page


def test_review_emails_go_to_the_desks_moderators_and_the_chief_editors(desks, journalist):
    for slug, desk_user in [(SOUTH, "south_user"), (None, "national_user"), (UNCOVERED, "national_user")]:
        article = story(slug, status=S.DRAFT, author=journalist)
        event = workflow.apply(article, "submit", by=article.author)
        assert sorted(notifications.recipients_for(event)) == sorted(
            [desks[desk_user].email, desks["chief_user"].email]
        )


def test_without_desk_members_review_emails_go_to_every_moderator(moderator, journalist):
    other = make_moderator("moderator2")
    article = story(SOUTH, status=S.DRAFT, author=journalist)
    event = workflow.apply(article, "submit", by=article.author)
    assert sorted(notifications.recipients_for(event)) == sorted([moderator.email, other.email])


# --- managing desks in the admin ---


def test_chief_editor_manages_desks_and_the_admin_explains_refusals(client, desks):
    client.force_login(desks["chief_user"])
    url = reverse("admin:articles_desk_add")
    data = {
        "name": "Западный отдел",
        "is_default": "on",
        "members": [desks["south_user"].pk],
        "coverage-TOTAL_FORMS": "1",
        "coverage-INITIAL_FORMS": "0",
        "coverage-0-region": region(NORTH).pk,
    }
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Отдел по умолчанию уже есть" in page
    assert "Этот регион уже закреплён за другим отделом" in page
    assert not Desk.objects.filter(name="Западный отдел").exists()

    data.pop("is_default")
    data["coverage-0-region"] = region(UNCOVERED).pk
    assert client.post(url, data).status_code == 302
    west = Desk.objects.get(name="Западный отдел")
    assert list(west.members.all()) == [desks["south_user"]]
    assert fresh(desks["south_user"]).has_perm("articles.publish_article")
    assert workflow.can_edit(fresh(desks["south_user"]), story(UNCOVERED))


def test_moderators_see_desks_but_do_not_change_them(client, desks):
    client.force_login(desks["north_user"])
    assert client.get(reverse("admin:articles_desk_changelist")).status_code == 200
    assert client.get(reverse("admin:articles_desk_add")).status_code == 403
    response = client.post(reverse("admin:articles_desk_change", args=[desks["north"].pk]), {"name": "Мой отдел"})
    assert response.status_code == 403
