"""What pages tell the edge cache (newsroom/edge.py), and the purges a change queues when it commits.

The purges themselves, against Debian's Varnish with xkey, are in tests/cluster/test_scale_out.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from articles import front_page, workflow
from articles.models import Article
from newsroom import edge
from newsroom.background.tasks import EdgePurgeRetry
from regions.models import City, Region
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

EDGE = "http://127.0.0.1:6081/"


@pytest.fixture
def edge_configured(settings):
    settings.NEWSROOM_EDGE_PURGE_URLS = [EDGE]


def purges():
    """(keys purged for good, lists purged softly, when) of each purge job queued, in order."""
    jobs = ProcrastinateJob.objects.filter(task_name=edge.PURGE_TASK).order_by("id")
    return [(set(job.args["keys"]), set(job.args["lists"]), job.scheduled_at) for job in jobs]


def keys_of(response):
    return set(response[edge.HEADER].split())


def test_a_story_page_names_the_story_its_topics_and_the_stories_it_shows(client):
    region = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    older = ArticleFactory(published=True, region=region, tags=["паводок"])
    story = ArticleFactory(published=True, region=region, tags=["паводок", "петропавловск"])
    response = client.get(story.get_absolute_url())
    tags = {f"tag-{pk}" for pk in story.tags.values_list("pk", flat=True)}
    expected = {
        f"article-{story.pk}",
        f"listed-article-{older.pk}",
        f"region-{region.pk}",
        f"section-{story.section_id}",
        f"person-{story.author_id}",  # its byline: purged when the author's profile changes
    }
    assert keys_of(response) == expected | tags | {"nav"}
    assert "s-maxage=300" in response["CDN-Cache-Control"] and "stale-if-error=86400" in response["CDN-Cache-Control"]
    # Browsers ask again every time: stale answers are the edge's only.
    assert "stale" not in response["Cache-Control"] and "must-revalidate" in response["Cache-Control"]
    hit = client.get(story.get_absolute_url())
    assert hit["X-Page-Cache"] == "hit" and keys_of(hit) == keys_of(response)


def test_lists_name_what_they_list(client):
    region = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    story = ArticleFactory(published=True, region=region, tags=["паводок"])
    listed = f"listed-article-{story.pk}"
    assert keys_of(client.get("/news/")) == {"articles", listed, "nav"}
    assert listed in keys_of(client.get("/"))
    assert keys_of(client.get(region.get_absolute_url())) == {f"region-{region.pk}", listed, "nav"}
    tag = story.tags.get()
    assert keys_of(client.get(f"/tags/{tag.slug}/")) == {f"tag-{tag.pk}", listed, "nav"}
    assert keys_of(client.get("/feed/")) == {"articles", listed}
    assert keys_of(client.get("/parties/")) == {"parties", "nav"}


def test_what_the_edge_must_not_keep_carries_no_edge_headers(client, moderator):
    missing = client.get("/news/no-such-story/")
    assert missing.status_code == 404 and not missing.has_header("CDN-Cache-Control")
    client.force_login(moderator)
    staff = client.get("/news/")
    assert not staff.has_header("CDN-Cache-Control") and not staff.has_header(edge.HEADER)


def test_a_publication_purges_the_story_and_every_list_it_joins_once_committed(
    edge_configured, journalist, moderator, django_capture_on_commit_callbacks
):
    region = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    city = City.objects.filter(region=region).first()
    with django_capture_on_commit_callbacks(execute=True):  # the draft was committed long ago
        story = ArticleFactory(author=journalist, status=Article.Status.REVIEW, region=region, tags=["выборы"])
        story.cities.add(city)
    ProcrastinateJob.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.apply(story, "approve", by=moderator)
    assert purges() == []  # nothing before the commit
    for callback in callbacks:
        callback()
    tag = story.tags.get()
    lists = {"articles", f"region-{region.pk}", f"section-{story.section_id}", f"tag-{tag.pk}", f"city-{city.pk}",
             f"author-{journalist.pk}", f"listed-article-{story.pk}"}  # fmt: skip
    # Its page and the lists it joins are fetched again, the old copies kept only for when the origin fails.
    assert [(keys, soft) for keys, soft, _ in purges()] == [(set(), {f"article-{story.pk}", *lists})]


def test_a_withdrawal_purges_every_page_showing_the_story_for_good(
    edge_configured, journalist, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        story = ArticleFactory(author=journalist, status=Article.Status.REVIEW, tags=["выборы"])
        workflow.apply(story, "approve", by=moderator)
    ProcrastinateJob.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.apply(story, "unpublish", by=moderator)
    [(keys, soft, _)] = purges()
    assert (keys, soft) == ({f"article-{story.pk}", f"listed-article-{story.pk}"}, set())
    ProcrastinateJob.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.get(pk=story.pk).delete()
    assert all(f"listed-article-{story.pk}" in keys and not soft for keys, soft, _ in purges())


def test_a_scheduled_story_is_purged_again_when_it_goes_public(
    edge_configured, journalist, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        story = ArticleFactory(author=journalist, status=Article.Status.REVIEW)
    at = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.apply(story, "approve", by=moderator, publish_at=at)
    scheduled = [(keys, lists, when) for keys, lists, when in purges() if when is not None]
    # At its time it joins the lists: they are purged then, softly, as for a publication.
    assert len(scheduled) == 1 and scheduled[0][0] == set()
    assert {f"article-{story.pk}", f"listed-article-{story.pk}", "articles"} <= scheduled[0][1]
    assert scheduled[0][2] == at


def test_saving_a_draft_leaves_the_lists_alone(edge_configured, journalist, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = ArticleFactory(author=journalist, tags=["выборы"])  # with a new section and a new tag
    # A draft never published is on no page at the edge; its new section and tag purge their own keys.
    purged = set().union(*(keys | soft for keys, soft, _ in purges()))
    assert not {f"article-{draft.pk}", f"listed-article-{draft.pk}", "articles"} & purged
    assert f"section-{draft.section_id}" in purged


def test_a_region_renamed_purges_every_page_header(edge_configured, django_capture_on_commit_callbacks):
    region = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    with django_capture_on_commit_callbacks(execute=True):
        region.name = "Северо-Казахстанская область (СКО)"
        region.save()
    assert [(keys, lists) for keys, lists, _ in purges()] == [({f"region-{region.pk}"}, {"nav"})]


def test_a_rolled_back_change_purges_nothing_of_its_own(edge_configured, django_capture_on_commit_callbacks):
    story = ArticleFactory(published=True)
    ProcrastinateJob.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        story.title = "Не сохранится"
        story.save()
    assert callbacks and purges() == []  # the test's transaction is rolled back: the callbacks never run


def test_nothing_is_queued_without_an_edge(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(published=True)
    assert purges() == []


def test_a_purge_the_edge_did_not_confirm_is_retried_soon_then_every_half_minute():
    strategy = EdgePurgeRetry(max_attempts=3000, retry_exceptions={edge.EdgeUnavailable})

    class Job:
        attempts = 0

    for attempts, seconds in [(0, 0.2), (1, 0.4), (2, 0.8), (5, 6.4), (10, 30), (2998, 30)]:
        Job.attempts = attempts
        before = timezone.now()
        decision = strategy.get_retry_decision(exception=edge.EdgeUnavailable("down"), job=Job)
        wait = (decision.retry_at - before).total_seconds()
        assert seconds <= wait < seconds + 0.5, (attempts, wait)
    Job.attempts = 3000
    assert strategy.get_retry_decision(exception=edge.EdgeUnavailable("down"), job=Job) is None  # failed: listed
    Job.attempts = 0
    assert strategy.get_retry_decision(exception=ValueError("a bug"), job=Job) is None


def test_home_names_its_arrangement(client):
    ArticleFactory(published=True)

    assert {"front-page", "articles", "nav"} <= keys_of(client.get("/"))


def test_a_pin_purges_home_for_good_and_again_at_its_end_time(
    edge_configured, moderator, django_capture_on_commit_callbacks
):
    story = ArticleFactory(published=True)
    ProcrastinateJob.objects.all().delete()
    ends_at = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        front_page.save(by=moderator, slots={1: (story, ends_at)}, banner=None)

    jobs = purges()
    assert sorted(when is not None for _, _, when in jobs) == [False, True]
    assert all("front-page" in keys for keys, _, _ in jobs)
    assert {when for _, _, when in jobs} == {None, ends_at}


def test_the_banner_purges_every_page_for_good_when_put_up_taken_down_and_at_its_end(
    edge_configured, moderator, django_capture_on_commit_callbacks
):
    ends_at = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    banner = {"text": "Штормовое предупреждение", "text_kk": "", "link": "/news/", "ends_at": ends_at}
    with django_capture_on_commit_callbacks(execute=True):
        front_page.save(by=moderator, slots={}, banner=banner)
    with django_capture_on_commit_callbacks(execute=True):
        front_page.save(by=moderator, slots={}, banner=None)

    jobs = purges()
    assert sorted((when is not None, when) for _, _, when in jobs) == [(False, None), (False, None), (True, ends_at)]
    assert all("nav" in keys for keys, _, _ in jobs)
