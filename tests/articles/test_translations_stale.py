"""A translation whose original changed shows «перевод устарел» to editors until someone who may edit it confirms it."""

import pytest
from django.urls import reverse

from articles import translations, workflow
from articles.models import Article, Desk, DeskRegion, WorkflowEvent
from tests.articles.test_admin_workflow import change_url, form_data, logged_in
from tests.articles.test_desks import NORTH, SOUTH, region
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

S = Article.Status


def confirm_url(article):
    return reverse("admin:articles_article_confirm_translation", args=[article.pk])


def pair(**translation):
    """A published Russian original and its Kazakh translation (`translation` as ArticleFactory takes it)."""
    original = ArticleFactory(published=True, title="Форум первичных организаций в Петропавловске")
    kazakh = ArticleFactory(language="kk", translation_of=original, title="Петропавлдағы форум", **translation)
    return original, kazakh


def fresh(article):
    return Article.objects.get(pk=article.pk)


def edit_original(client, moderator, original, **changes):
    """Save the original through its change form as a moderator would, `changes` over what it holds."""
    response = logged_in(client, moderator).post(change_url(original), form_data(original, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_new_translation_is_current():
    original, kazakh = pair()
    assert kazakh.translation_checked_at is not None
    assert not fresh(kazakh).is_stale_translation()
    assert not Article.objects.stale_translations().exists()


def test_correcting_the_original_marks_its_translation_stale(client, moderator):
    original, kazakh = pair()
    edit_original(client, moderator, original, lead="Уточнено: около 100 участников, 244 первичные организации.")
    assert fresh(kazakh).is_stale_translation()
    assert list(Article.objects.stale_translations()) == [kazakh]
    assert not fresh(original).is_stale_translation()  # the original translates nothing


@pytest.mark.parametrize("field", ["title", "body"])
def test_each_translated_field_counts(field):
    original, kazakh = pair()
    setattr(original, field, "Новый текст: 1 243 обращения, 52% решены положительно")
    original.save()
    assert fresh(kazakh).is_stale_translation()


def test_a_save_that_changes_no_translated_text_leaves_the_translation_current(client, moderator):
    original, kazakh = pair()
    edit_original(client, moderator, original)  # the same title, lead and body
    edit_original(client, moderator, fresh(original), byline="Корреспондент в СКО")  # nor is the byline translated
    assert not fresh(kazakh).is_stale_translation()
    assert not Article.objects.stale_translations().exists()
    workflow.apply(fresh(original), "unpublish", by=moderator)  # a workflow move is no change of text either
    assert not fresh(kazakh).is_stale_translation()


def test_whitespace_the_editor_reformats_is_no_change():
    original, kazakh = pair()
    Article.objects.filter(pk=original.pk).update(body="<p>Первый абзац.</p><p>Второй  абзац.</p>")
    original = fresh(original)
    original.body = "<p>Первый абзац.</p>\n\n<p>Второй абзац.</p>\n"
    original.save()
    assert not fresh(kazakh).is_stale_translation()
    original.body = "<p>Первый абзац.</p><p>Второй абзац, исправленный.</p>"
    original.save()
    assert fresh(kazakh).is_stale_translation()


def test_editing_the_translation_alone_does_not_confirm_it(client, moderator):
    original, kazakh = pair(published=True)
    original.lead = "Уточнённый лид"
    original.save()
    kazakh = fresh(kazakh)
    kazakh.body = "<p>Түзетілген мәтін.</p>"  # a typo fixed is not a check against the original
    kazakh.save()
    assert fresh(kazakh).is_stale_translation()


def test_change_page_shows_the_flag_with_what_changed_and_the_button(client, moderator):
    original, kazakh = pair(published=True)
    edit_original(client, moderator, original)  # a revision of the original as the translation knew it
    checked = original.revisions.get()
    kazakh.translation_checked_at = checked.created_at
    Article.objects.filter(pk=kazakh.pk).update(translation_checked_at=checked.created_at)
    edit_original(client, moderator, fresh(original), lead="Более 3 000 мероприятий охватили 60 тысяч жителей.")

    page = client.get(change_url(kazakh)).content.decode()
    assert "Перевод устарел" in page
    assert reverse("admin:articles_article_revision", args=[original.pk, checked.pk]) in page
    assert confirm_url(kazakh) in page
    assert "Перевод устарел" not in client.get(change_url(original)).content.decode()


def test_confirmation_clears_the_flag_and_is_recorded(client, moderator):
    original, kazakh = pair(published=True)
    edit_original(client, moderator, original, title="Форум АМАНАТ в Петропавловске: итоги")

    response = logged_in(client, moderator).post(confirm_url(kazakh))

    assert response.status_code == 302
    assert not fresh(kazakh).is_stale_translation()
    event = WorkflowEvent.objects.get(article=kazakh, transition=translations.CONFIRM)
    assert event.actor == moderator
    assert event.from_status == event.to_status == S.PUBLISHED
    assert "Перевод устарел" not in client.get(change_url(kazakh)).content.decode()
    audit = client.get(reverse("admin:articles_workflowevent_changelist")).content.decode()
    assert "Перевод подтверждён актуальным" in audit
    # A later correction of the original makes it stale again.
    edit_original(client, moderator, fresh(original), lead="И ещё одно уточнение.")
    assert fresh(kazakh).is_stale_translation()


def test_a_journalist_confirms_their_own_draft_translation(client, moderator, journalist):
    original, kazakh = pair(author=journalist)
    edit_original(client, moderator, original, lead="Изменённый лид")
    page = logged_in(client, journalist).get(change_url(kazakh)).content.decode()
    assert "Перевод устарел" in page
    assert confirm_url(kazakh) in page
    client.post(confirm_url(kazakh))
    assert not fresh(kazakh).is_stale_translation()


def test_journalist_of_another_story_is_refused_on_a_hand_made_post(client, moderator, journalist, other_journalist):
    original, kazakh = pair(author=journalist)
    edit_original(client, moderator, original, lead="Изменённый лид")

    response = logged_in(client, other_journalist).post(confirm_url(kazakh))

    assert response.status_code == 404  # not a story of theirs: not even found
    assert fresh(kazakh).is_stale_translation()
    assert not WorkflowEvent.objects.filter(transition=translations.CONFIRM).exists()


def test_a_moderator_of_another_desk_is_refused_and_one_of_its_desk_confirms(client, moderator):
    original, kazakh = pair(published=True, region=region(SOUTH))
    original.lead = "Изменённый лид"
    original.save()
    north = Desk.objects.create(name="Северный отдел")
    DeskRegion.objects.create(desk=north, region=region(NORTH))
    south = Desk.objects.create(name="Южный отдел")
    DeskRegion.objects.create(desk=south, region=region(SOUTH))
    north.members.add(moderator)
    own = ArticleFactory(language="kk", translation_of=original, author=moderator, region=region(SOUTH))

    assert logged_in(client, moderator).post(confirm_url(kazakh)).status_code == 404
    assert fresh(kazakh).is_stale_translation()
    with pytest.raises(workflow.WorkflowError):
        translations.confirm(fresh(kazakh), by=moderator)
    # Their own draft translation on the other desk they confirm as its author.
    own.translation_checked_at = None
    Article.objects.filter(pk=own.pk).update(translation_checked_at=None)
    client.post(confirm_url(own))
    assert not fresh(own).is_stale_translation()


def test_the_author_is_refused_once_the_translation_left_the_draft(client, moderator, journalist):
    original, kazakh = pair(author=journalist)
    workflow.apply(kazakh, "submit", by=journalist)
    edit_original(client, moderator, original, lead="Изменённый лид")

    page = logged_in(client, journalist).get(change_url(kazakh)).content.decode()
    assert "Перевод устарел" in page
    assert confirm_url(kazakh) not in page  # no button…
    client.post(confirm_url(kazakh))  # …and the hand-made POST fails as well
    assert fresh(kazakh).is_stale_translation()
    with pytest.raises(workflow.WorkflowError):
        translations.confirm(fresh(kazakh), by=journalist)


def test_confirming_needs_a_post(client, moderator):
    original, kazakh = pair(published=True)
    original.lead = "Другой лид"
    original.save()
    assert logged_in(client, moderator).get(confirm_url(kazakh)).status_code == 404
    assert fresh(kazakh).is_stale_translation()


def test_the_list_filter_and_column_show_stale_translations(client, moderator):
    original, kazakh = pair(published=True)
    current = ArticleFactory(language="kk", translation_of=ArticleFactory(published=True), title="Жаңа аударма")
    edit_original(client, moderator, original, lead="Изменённый лид")

    listing = reverse("admin:articles_article_changelist")
    everything = client.get(listing).content.decode()
    assert everything.count('class="stale-translation"') == 1  # beside the stale one's status only
    stale_only = client.get(listing, {"stale_translation": "yes"}).content.decode()
    assert kazakh.title in stale_only
    assert current.title not in stale_only
    assert original.title not in stale_only


def test_confirmation_leaves_what_readers_see_alone(moderator):
    original, kazakh = pair(published=True)
    original.lead = "Другой лид"
    original.save()
    before = fresh(kazakh)
    translations.confirm(before, by=moderator)
    after = fresh(kazakh)
    assert (after.version, after.updated_at, after.corrected_at) == (before.version, before.updated_at, None)
