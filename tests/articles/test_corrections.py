"""Correction and update notes: who may post them, and where readers and machines see them."""

import json
import re
from datetime import datetime, timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles import corrections, story_parts, workflow
from articles.models import Article, Correction, Desk, DeskRegion, StoryPart, WorkflowEvent
from newsroom import edge
from regions.models import Region
from tests.articles.test_story_parts import new_process, render_queued, tamper_with_stored_body
from tests.factories import ArticleFactory, UserFactory
from tests.pages import get_page, parse

pytestmark = pytest.mark.django_db

NORTH, SOUTH = "severo-kazakhstanskaya-oblast", "almaty"
NOTE = "В первой версии материала неверно указано число участников: их было 120, а не 100."
MACHINE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def moderator_of(desk_name, region_slug):
    desk = Desk.objects.create(name=desk_name)
    DeskRegion.objects.create(desk=desk, region=Region.objects.get(slug=region_slug))
    user = UserFactory(username=f"moderator-{region_slug}", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    desk.members.add(user)
    return user


@pytest.fixture
def desks(db):
    return {"north": moderator_of("Северный отдел", NORTH), "south": moderator_of("Южный отдел", SOUTH)}


@pytest.fixture
def story(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        story = ArticleFactory(published=True, in_north_kazakhstan=True, title="Форум первичных организаций")
    render_queued()
    return story


def post_note(client, story, text=NOTE, kind="correction"):
    return client.post(reverse("admin:articles_correction_add"), {"article": story.pk, "kind": kind, "text": text})


def json_ld(content):
    [block] = parse(content).findall(".//script[@type='application/ld+json']")
    return json.loads(block.text)


# --- who may ---


def test_a_moderator_of_the_storys_desk_posts_a_note_and_the_story_is_marked_updated(client, desks, story):
    client.force_login(desks["north"])

    response = post_note(client, story)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_change", args=[story.pk])
    correction = Correction.objects.get(article=story)
    assert (correction.kind, correction.text, correction.created_by) == ("correction", NOTE, desks["north"])
    story.refresh_from_db()
    assert story.corrected_at == correction.created_at and story.updated_at >= correction.created_at
    event = WorkflowEvent.objects.get(article=story, transition=corrections.ADDED)
    assert (event.actor, event.comment) == (desks["north"], NOTE)


def test_a_journalists_hand_made_post_is_refused(client, journalist, story):
    story.author = journalist
    story.save()
    client.force_login(journalist)

    assert post_note(client, story).status_code == 403
    with pytest.raises(corrections.CorrectionError):
        corrections.add(story, by=journalist, kind="correction", text=NOTE)
    assert not Correction.objects.exists()


def test_a_moderator_of_another_desk_is_refused_with_the_desk_named(client, desks, story):
    client.force_login(desks["south"])

    response = post_note(client, story)

    assert response.status_code == 200  # the form again, with what was typed
    page = response.content.decode()
    assert "Северный отдел" in page and NOTE in page
    assert not Correction.objects.exists()
    with pytest.raises(corrections.CorrectionError, match="Северный отдел"):
        corrections.add(story, by=desks["south"], kind="correction", text=NOTE)


def test_a_story_readers_cannot_see_takes_no_note(moderator):
    draft = ArticleFactory()
    scheduled = ArticleFactory(published=True, publish_at=timezone.now() + timedelta(hours=2))
    for article in (draft, scheduled):
        with pytest.raises(corrections.CorrectionError, match="опубликованному"):
            corrections.add(article, by=moderator, kind="update", text=NOTE)


def test_an_empty_or_unknown_note_is_refused_with_a_clear_message(moderator, story):
    with pytest.raises(corrections.CorrectionError, match="Напишите"):
        corrections.add(story, by=moderator, kind="correction", text="   ")
    with pytest.raises(corrections.CorrectionError, match="вид"):
        corrections.add(story, by=moderator, kind="retraction", text=NOTE)


def test_a_moderator_fixes_a_typo_and_the_earlier_text_stays_in_the_audit_trail(client, desks, story):
    correction = corrections.add(story, by=desks["north"], kind="correction", text="Опечатка в фамилии аакима.")
    client.force_login(desks["north"])

    response = client.post(
        reverse("admin:articles_correction_change", args=[correction.pk]),
        {"kind": "correction", "text": "Опечатка в фамилии акима."},
    )

    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.text == "Опечатка в фамилии акима." and correction.edited_by == desks["north"]
    event = WorkflowEvent.objects.get(article=story, transition=corrections.CHANGED)
    assert "аакима" in event.comment


def assert_admin_neither_changes_nor_deletes(client, correction):
    """Post a change and a deletion of the note through the admin; the note stays as it was."""
    change = client.post(
        reverse("admin:articles_correction_change", args=[correction.pk]), {"kind": "update", "text": "Иначе."}
    )
    delete = client.post(reverse("admin:articles_correction_delete", args=[correction.pk]), {"post": "yes"})

    assert change.status_code in (302, 403) and delete.status_code in (302, 403)
    correction.refresh_from_db()
    assert (correction.kind, correction.text) == ("correction", NOTE)


def test_another_desks_moderator_may_neither_change_nor_delete_a_note(client, desks, story):
    correction = corrections.add(story, by=desks["north"], kind="correction", text=NOTE)
    client.force_login(desks["south"])

    assert_admin_neither_changes_nor_deletes(client, correction)


def test_the_author_of_a_reopened_story_may_neither_change_nor_delete_its_notes(client, desks, journalist, story):
    story.author = journalist
    story.save()
    correction = corrections.add(story, by=desks["north"], kind="correction", text=NOTE)
    workflow.apply(story, "unpublish", by=desks["north"])
    workflow.apply(story, "reopen", by=desks["north"])
    story.refresh_from_db()
    assert workflow.can_edit(journalist, story)  # their draft again
    client.force_login(journalist)

    assert_admin_neither_changes_nor_deletes(client, correction)
    with pytest.raises(corrections.CorrectionError):
        corrections.remove(correction, by=journalist)


def test_deleting_a_note_keeps_its_text_in_the_audit_trail(client, desks, story, django_capture_on_commit_callbacks):
    correction = corrections.add(story, by=desks["north"], kind="update", text=NOTE)
    client.force_login(desks["north"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:articles_correction_delete", args=[correction.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Correction.objects.exists()
    event = WorkflowEvent.objects.get(article=story, transition=corrections.REMOVED)
    assert NOTE in event.comment and event.actor == desks["north"]
    render_queued()
    assert NOTE not in StoryPart.objects.get(article=story).body
    audit = get_page(client, reverse("admin:articles_workflowevent_changelist"))
    assert "Добавлено исправление или обновление" in audit and "Удалено исправление или обновление" in audit


def test_the_change_page_offers_the_form_only_to_who_may_post(client, desks, story):
    client.force_login(desks["north"])
    page = get_page(client, reverse("admin:articles_article_change", args=[story.pk]))
    assert reverse("admin:articles_correction_add") in page and "Добавить исправление" in page

    client.force_login(desks["south"])
    response = client.get(reverse("admin:articles_article_change", args=[story.pk]))
    assert "Добавить исправление" not in response.content.decode()


# --- what readers and machines see ---


def test_the_story_shows_its_notes_newest_first_dated_to_the_second(client, moderator, story):
    older = corrections.add(story, by=moderator, kind="correction", text="Первая заметка.")
    Correction.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=3))
    corrections.add(story, by=moderator, kind="update", text="Вторая заметка.")

    tree = parse(get_page(client, story.get_absolute_url()))

    [section] = tree.findall(".//section[@class='corrections']")
    items = section.findall(".//li")
    texts = ["".join(item.itertext()) for item in items]
    assert "Обновление" in texts[0] and "Вторая заметка." in texts[0]
    assert "Исправление" in texts[1] and "Первая заметка." in texts[1]
    assert all(MACHINE_TIME.match(item.find("time").get("datetime")) for item in items)


def test_the_json_ld_carries_the_notes_and_the_modified_date(client, moderator, story):
    corrections.add(story, by=moderator, kind="correction", text=NOTE)
    story.refresh_from_db()

    data = json_ld(get_page(client, story.get_absolute_url()))

    [comment] = data["correction"]
    assert comment["@type"] == "CorrectionComment" and comment["text"] == NOTE
    assert MACHINE_TIME.match(comment["datePublished"])
    assert (
        data["dateModified"]
        == comment["datePublished"]
        == timezone.localtime(story.corrected_at).replace(microsecond=0).isoformat()
    )


def test_a_story_without_notes_has_no_correction_block(client, story):
    content = get_page(client, story.get_absolute_url())
    assert "correction" not in json_ld(content)
    assert not parse(content).findall(".//section[@class='corrections']")


def test_the_feed_marks_the_corrected_story_as_updated(client, moderator, story):
    other = ArticleFactory(published=True, title="Другая новость")
    corrections.add(story, by=moderator, kind="update", text=NOTE)
    story.refresh_from_db()

    content = client.get("/feed/").content
    assert feedparser.parse(content).bozo == 0
    items = {item.findtext("link").rsplit("/", 2)[-2]: item for item in ElementTree.fromstring(content).iter("item")}

    updated = items[story.slug].findtext("{http://www.w3.org/2005/Atom}updated")
    assert datetime.fromisoformat(updated) == story.corrected_at.replace(microsecond=0)
    assert items[other.slug].find("{http://www.w3.org/2005/Atom}updated") is None


def sitemap_lastmod(client, url, slug):
    root = ElementTree.fromstring(client.get(url).content)
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    for element in root.findall("sm:url", ns):
        if element.findtext("sm:loc", namespaces=ns).endswith(f"/news/{slug}/"):
            return element.findtext("sm:lastmod", namespaces=ns)
    raise AssertionError(f"{slug} not in {url}")


def test_the_sitemaps_move_the_storys_lastmod(client, moderator, story):
    Article.objects.filter(pk=story.pk).update(updated_at=timezone.now() - timedelta(hours=5))
    before = sitemap_lastmod(client, "/sitemap.xml", story.slug)

    corrections.add(story, by=moderator, kind="correction", text=NOTE)
    story.refresh_from_db()

    expected = timezone.localtime(story.updated_at).replace(microsecond=0).isoformat()
    for url in ("/sitemap.xml", "/news-sitemap.xml"):
        assert sitemap_lastmod(client, url, story.slug) == expected != before


def test_the_corrections_page_lists_notes_newest_first_with_the_story_linked(client, moderator, story):
    other = ArticleFactory(published=True, title="Итоги сессии маслихата")
    corrections.add(story, by=moderator, kind="correction", text="Заметка к форуму.")
    corrections.add(other, by=moderator, kind="update", text="Заметка к сессии.")
    kazakh = ArticleFactory(published=True, language="kk", title="Форум өтті")
    corrections.add(kazakh, by=moderator, kind="update", text="Қазақша түзету.")
    withdrawn = ArticleFactory(published=True, title="Снятый материал")
    corrections.add(withdrawn, by=moderator, kind="correction", text="Заметка к снятому.")
    withdrawn.status = Article.Status.ARCHIVED
    withdrawn.save()

    content = get_page(client, "/corrections/")
    tree = parse(content)

    headlines = [link.get("href") for link in tree.findall(".//h2[@class='correction__story']/a")]
    assert headlines == [other.get_absolute_url(), story.get_absolute_url()]
    assert "Заметка к сессии." in content and "Снятый материал" not in content and "Қазақша" not in content
    [canonical] = tree.findall(".//link[@rel='canonical']")
    assert canonical.get("href") == "http://testserver/corrections/"
    assert tree.find(".//meta[@property='og:title']").get("content") == "Исправления и обновления"
    assert all(MACHINE_TIME.match(time.get("datetime")) for time in tree.findall(".//main//time"))

    kazakh_page = get_page(client, "/kk/corrections/")
    assert "Қазақша түзету." in kazakh_page and "Заметка к сессии." not in kazakh_page


def test_the_corrections_page_is_paginated_like_the_news(client, moderator, story):
    for number in range(25):
        corrections.add(story, by=moderator, kind="correction", text=f"Заметка номер {number}.")

    first, second = get_page(client, "/corrections/"), get_page(client, "/corrections/?page=2")

    assert first.count('class="correction__story"') == 20 and second.count('class="correction__story"') == 5
    assert 'rel="next"' in first
    assert client.get("/corrections/?page=9").status_code == 404


def test_the_footer_links_to_the_corrections_page(client):
    assert 'href="/corrections/"' in get_page(client, "/")


def test_a_new_note_shows_at_once_on_pages_already_cached(client, moderator, story):
    assert NOTE not in get_page(client, story.get_absolute_url())
    assert NOTE not in get_page(client, "/corrections/")

    corrections.add(story, by=moderator, kind="correction", text=NOTE)

    assert NOTE in get_page(client, story.get_absolute_url())
    assert NOTE in get_page(client, "/corrections/")


# --- the story's stored part ---


def test_adding_and_fixing_a_note_renders_the_storys_part_again(
    client, moderator, story, django_capture_on_commit_callbacks
):
    old_fingerprint = StoryPart.objects.get(article=story).fingerprint
    with django_capture_on_commit_callbacks(execute=True):
        correction = corrections.add(story, by=moderator, kind="correction", text=NOTE)
    assert NOTE in get_page(client, story.get_absolute_url())  # before the worker ran
    assert render_queued() == [1]
    part = StoryPart.objects.get(article=story)
    assert part.fingerprint != old_fingerprint and NOTE in part.body and NOTE in part.head

    tamper_with_stored_body(story, "stored-part-used")
    new_process()
    assert "stored-part-used" in get_page(client, story.get_absolute_url())  # the stored part is current

    with django_capture_on_commit_callbacks(execute=True):
        corrections.change(correction, by=moderator, kind="correction", text="Исправленный текст заметки.")
    content = get_page(client, story.get_absolute_url())
    assert "Исправленный текст заметки." in content and "stored-part-used" not in content
    assert render_queued() == [1]
    assert "Исправленный текст заметки." in StoryPart.objects.get(article=story).body


def test_a_note_written_behind_the_workers_back_is_not_hidden_by_a_stale_part(client, moderator, story):
    tamper_with_stored_body(story, "stored-part-used")
    Correction.objects.create(article=story, kind="update", text=NOTE)  # no job rendered yet

    content = get_page(client, story.get_absolute_url())

    assert NOTE in content and "stored-part-used" not in content


def test_a_note_is_a_neighbour_of_its_story():
    assert story_parts.NEIGHBOURS["articles.Correction"] == ["corrections"]


def test_a_kazakh_story_and_page_speak_kazakh(client, moderator):
    story = ArticleFactory(published=True, language="kk", title="Облыста форум өтті")
    corrections.add(story, by=moderator, kind="correction", text="Қатысушылар саны түзетілді.")

    story_page = get_page(client, story.get_absolute_url())
    list_page = get_page(client, "/kk/corrections/")

    assert "Түзетулер мен жаңартулар" in story_page and "Түзету" in story_page
    assert "<h1>Түзетулер мен жаңартулар</h1>" in list_page and "Қатысушылар саны түзетілді." in list_page
    assert 'href="/kk/corrections/"' in list_page  # the footer, in the page's language


def test_a_note_purges_its_story_and_the_list_of_corrections_softly_at_the_edge(moderator, story):
    correction = corrections.add(story, by=moderator, kind="correction", text=NOTE)

    own, lists = edge.purge_keys(correction)
    _, gone_lists = edge.purge_keys(correction, gone=True)

    assert own == {f"correction-{correction.pk}"}
    # Its story, the list of notes, the feeds and sitemaps showing the story's dates: fetched again, and kept
    # for a stale answer while the origin fails, like a corrected story (a removed note too).
    assert lists == {f"article-{story.pk}", "corrections", "articles"} == gone_lists


def test_the_admin_list_add_and_change_pages_open_for_the_storys_moderator(client, desks, story):
    correction = corrections.add(story, by=desks["north"], kind="update", text=NOTE)
    client.force_login(desks["north"])

    listing = get_page(client, reverse("admin:articles_correction_changelist"))
    adding = get_page(client, reverse("admin:articles_correction_add") + f"?article={story.pk}")
    changing = get_page(client, reverse("admin:articles_correction_change", args=[correction.pk]))

    assert story.title in listing and NOTE[:60] in listing
    assert f'<option value="{story.pk}" selected>{story.title}</option>' in adding
    assert NOTE in changing and "Удалить" in changing
    client.force_login(desks["south"])
    assert story.title not in client.get(reverse("admin:articles_correction_changelist")).content.decode()
