"""A story's own part of its page, rendered when it changes and stored (articles/story_parts.py).

A reader gets the stored part only while it is what the story and its neighbours now are; the counts, the
counter token and the site's address are the request's own.
"""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import F, Value
from django.db.models.functions import Concat
from procrastinate.contrib.django.models import ProcrastinateJob
from taggit.models import Tag

from articles import story_parts
from articles.models import Article, StoryPart
from articles.tasks import render_story_parts
from newsroom.caching import forget_local_copies
from newsroom.generation import forget_generation
from regions.models import Region
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def render_queued():
    """Run the rendering jobs the commits queued, as the task worker would, and forget them."""
    jobs = list(ProcrastinateJob.objects.filter(task_name=story_parts.RENDER_TASK, status="todo"))
    ProcrastinateJob.objects.filter(pk__in=[job.pk for job in jobs]).delete()
    return [render_story_parts(**job.args) for job in jobs]


@pytest.fixture
def story(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        story = ArticleFactory(published=True, in_north_kazakhstan=True, tags=["паводок", "петропавловск"])
    render_queued()
    return story


def new_process():
    """Forget what this process keeps (pages, stories, the generation): the next request is another server's first."""
    cache.clear()
    forget_local_copies()
    forget_generation()


def tamper_with_stored_body(story, marker):
    """Write `marker` into the stored part without changing its fingerprint: a page showing it used the part."""
    StoryPart.objects.filter(article=story).update(body=Concat(F("body"), Value(f"<p>{marker}</p>")))


def test_a_published_story_gets_its_part_rendered_after_the_commit(story, client):
    part = StoryPart.objects.get(article=story)
    assert story.title in part.body and f'"headline": "{story.title}"' in part.head
    tamper_with_stored_body(story, "stored-part-used")
    page = client.get(story.get_absolute_url()).content.decode()
    assert "stored-part-used" in page


def test_a_change_the_worker_has_not_rendered_yet_is_shown_at_once(story, client):
    tamper_with_stored_body(story, "stored-part-used")
    Article.objects.filter(pk=story.pk).update(title="Вода отступила от Петропавловска")  # no signal, no job
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Вода отступила от Петропавловска" in page and "stored-part-used" not in page


def test_renaming_a_tag_shows_the_new_name_and_renders_its_stories_again(
    story, client, django_capture_on_commit_callbacks
):
    tag = Tag.objects.get(name="паводок")
    old_fingerprint = StoryPart.objects.get(article=story).fingerprint
    with django_capture_on_commit_callbacks(execute=True):
        tag.name = "половодье"
        tag.save()
    assert "#половодье" in client.get(story.get_absolute_url()).content.decode()  # before the worker ran
    assert render_queued() == [1]
    part = StoryPart.objects.get(article=story)
    assert part.fingerprint != old_fingerprint and "#половодье" in part.body
    tamper_with_stored_body(story, "stored-part-used")
    new_process()
    assert "stored-part-used" in client.get(story.get_absolute_url()).content.decode()


def test_moving_a_story_to_another_region_renders_it_again(story, django_capture_on_commit_callbacks):
    almaty = Region.objects.get(slug="almatinskaya-oblast")
    with django_capture_on_commit_callbacks(execute=True):
        story.region = almaty
        story.save()
    render_queued()
    assert almaty.display_name in StoryPart.objects.get(article=story).body


def test_counts_token_and_address_are_the_requests_own(story, client, settings):
    Article.objects.filter(pk=story.pk).update(views_count=1234, shares_count=56)
    settings.ALLOWED_HOSTS = ["news.example.kz"]
    page = client.get(story.get_absolute_url(), HTTP_HOST="news.example.kz").content.decode()
    assert "<span data-view-count>1234</span>" in page and "<span data-share-count>56</span>" in page
    assert f'<link rel="canonical" href="http://news.example.kz{story.get_absolute_url()}">' in page
    assert "https%3A%2F%2F" not in page and "http%3A%2F%2Fnews.example.kz" in page  # the share links
    assert story_parts.ORIGIN not in page and "\ue000" not in page
    assert 'data-counter-token="' + str(story.pk) + "." in page


def test_a_kazakh_story_is_rendered_in_kazakh_whatever_the_worker_speaks(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        story = ArticleFactory(published=True, language="kk", title="Су тасқыны басылды")
    render_queued()
    part = StoryPart.objects.get(article=story)
    assert 'lang="kk"' in part.body and "Бөлісу" in part.body  # «Поделиться» in Kazakh
    tamper_with_stored_body(story, "stored-part-used")
    assert "stored-part-used" in client.get(story.get_absolute_url()).content.decode()


def test_new_templates_make_every_stored_part_stale_until_rendered_again(story, client, monkeypatch):
    tamper_with_stored_body(story, "stored-part-used")
    monkeypatch.setattr(story_parts, "VERSION", story_parts.VERSION + 1)
    monkeypatch.setattr(story_parts, "_code_version", None)
    assert "stored-part-used" not in client.get(story.get_absolute_url()).content.decode()
    call_command("render_story_parts")
    assert "stored-part-used" not in StoryPart.objects.get(article=story).body
    tamper_with_stored_body(story, "stored-again")
    new_process()
    assert "stored-again" in client.get(story.get_absolute_url()).content.decode()


def test_a_withdrawn_story_loses_its_part_and_its_page(story, client, moderator, django_capture_on_commit_callbacks):
    from articles import workflow

    with django_capture_on_commit_callbacks(execute=True):
        workflow.apply(story, "unpublish", by=moderator)
    render_queued()
    assert not StoryPart.objects.filter(article=story).exists()
    assert client.get(story.get_absolute_url()).status_code == 404


def test_the_command_renders_only_what_is_stale(story, capsys):
    call_command("render_story_parts")
    assert "отрисовано заново: 0" in capsys.readouterr().out
    Article.objects.filter(pk=story.pk).update(lead="Новый лид")
    call_command("render_story_parts")
    assert "отрисовано заново: 1" in capsys.readouterr().out
    assert "Новый лид" in StoryPart.objects.get(article=story).head
