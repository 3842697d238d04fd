"""Issue 17's features together: regional desks with the planned publication time, the kept conflict photo, the
front page and the readership dashboard."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import revisions, workflow
from articles.models import Article, FrontPageSlot
from tests.articles.test_desks import NORTH, SOUTH, desks, region, story  # noqa: F401  (desks is a fixture)
from tests.articles.test_front_page import form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

S = Article.Status
ARRANGE_URL = reverse("admin:articles_frontpageslot_changelist")
DASHBOARD_URL = reverse("admin:articles_hourlycount_changelist")
EVENTS_URL = reverse("admin:articles_workflowevent_changelist")


def test_a_chief_editor_of_no_desk_arranges_the_front_page_and_reads_the_dashboard(client, desks):  # noqa: F811
    chief = desks["chief_user"]
    assert not chief.desks.exists()
    assert workflow.can_arrange_front_page(chief)
    south_story = story(SOUTH, status=S.PUBLISHED, title="Новость Алматы")
    client.force_login(chief)

    assert client.get(ARRANGE_URL).status_code == 200
    assert client.post(ARRANGE_URL, form_data({1: (south_story, None)})).status_code == 302
    assert FrontPageSlot.objects.get(position=1).article == south_story

    response = client.get(DASHBOARD_URL)
    assert response.status_code == 200
    assert response.context["sees_everything"]
    assert client.get(reverse("admin:articles_article_plan")).status_code == 200


def test_a_regional_moderator_sees_the_banner_in_the_audit_trail_but_not_other_desks_stories(client, desks):  # noqa: F811
    north_story = story(NORTH, status=S.PUBLISHED, title="Северная новость")
    south_story = story(SOUTH, status=S.PUBLISHED, title="Южная новость")
    ends_at = timezone.now() + timedelta(hours=2)
    client.force_login(desks["chief_user"])
    data = form_data(
        {1: (north_story, None), 2: (south_story, None)},
        banner={"text": "Срочно: паводок", "link": "/news/", "ends_at": ends_at},
    )
    assert client.post(ARRANGE_URL, data).status_code == 302

    client.force_login(desks["north_user"])
    trail = client.get(EVENTS_URL).content.decode()
    assert "Плашка «Срочно» показана" in trail and "Срочно: паводок" in trail
    assert "Северная новость" in trail and "Южная новость" not in trail


def test_approval_keeps_the_planned_time_on_the_desk_and_is_refused_off_it(desks, journalist):  # noqa: F811
    planned = timezone.now() + timedelta(days=1)
    north_story = story(NORTH, author=journalist, proposed_publish_at=planned)

    with pytest.raises(workflow.WorkflowError, match="Северный отдел"):
        workflow.apply(north_story, "approve", by=desks["south_user"])
    workflow.apply(north_story, "approve", by=desks["north_user"])
    north_story.refresh_from_db()
    assert (north_story.status, north_story.publish_at) == (S.PUBLISHED, planned)


def test_a_submission_missing_a_section_warns_on_any_desk(desks, journalist):  # noqa: F811
    draft = story(SOUTH, status=S.DRAFT, author=journalist, section=None)
    event = workflow.apply(draft, "submit", by=journalist)
    assert event.missing and draft.status == S.REVIEW
    with pytest.raises(workflow.WorkflowError, match="не хватает"):
        workflow.apply(draft, "approve", by=desks["south_user"])


def test_only_the_stories_desk_discards_someone_elses_unapplied_revision(desks, journalist):  # noqa: F811
    north_story = ArticleFactory(region=region(NORTH), author=journalist, status=S.DRAFT)
    lost = revisions.record(north_story, journalist, is_applied=False, version=north_story.version)
    assert workflow.can_discard(journalist, lost)
    assert workflow.can_discard(desks["north_user"], lost)
    assert workflow.can_discard(desks["chief_user"], lost)
    assert not workflow.can_discard(desks["south_user"], lost)
