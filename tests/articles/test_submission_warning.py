"""«Отправить на модерацию» names what publication still needs, so the author completes the story, not the moderator."""

import pytest
from django.urls import reverse

from articles import workflow
from articles.models import Article
from tests.factories import ArticleFactory, jpeg_file

pytestmark = pytest.mark.django_db

S = Article.Status


def transition_url(article, name):
    return reverse("admin:articles_article_transition", args=[article.pk, name])


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def test_submitting_an_incomplete_story_goes_through_naming_what_is_missing(journalist):
    article = ArticleFactory(author=journalist, section=None, cover=jpeg_file(), cover_alt="")
    event = workflow.apply(article, "submit", by=journalist)
    article.refresh_from_db()
    assert article.status == S.REVIEW
    assert event.missing == ["рубрика", "описание главного фото (alt)"]
    assert event.missing == workflow.missing_for_publication(article)  # the one gate, not a copy of it


def test_submitting_a_complete_story_warns_of_nothing(journalist):
    event = workflow.apply(ArticleFactory(author=journalist), "submit", by=journalist)
    assert event.missing == []


def test_transitions_without_the_gate_carry_no_warning(journalist, moderator):
    article = ArticleFactory(author=journalist, status=S.REVIEW, section=None)
    assert workflow.apply(article, "reject", by=moderator, comment="Нет рубрики").missing == []


def test_the_journalist_is_told_after_submitting(client, journalist):
    article = ArticleFactory(author=journalist, section=None, lead="")
    client.force_login(journalist)
    response = client.post(transition_url(article, "submit"), follow=True)
    messages = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert ("success", f"«{article.title}»: Отправить на модерацию — готово.") in messages
    [warning] = [text for level, text in messages if level == "warning"]
    assert "не хватает: лид, рубрика" in warning
    assert "нажмите «Отозвать»" in warning  # a journalist no longer edits a submitted story
    article.refresh_from_db()
    assert article.status == S.REVIEW


def test_the_change_page_names_what_is_missing_before_submitting(client, journalist):
    article = ArticleFactory(author=journalist, section=None)
    client.force_login(journalist)
    page = client.get(change_url(article)).content.decode()
    assert "Для публикации не хватает: рубрика." in page
    complete = ArticleFactory(author=journalist)
    assert "Для публикации не хватает" not in client.get(change_url(complete)).content.decode()


def test_a_moderator_submitting_is_told_to_complete_it_in_place(client, moderator):
    article = ArticleFactory(author=moderator, section=None)
    client.force_login(moderator)
    response = client.post(transition_url(article, "submit"), follow=True)
    [warning] = [m.message for m in response.context["messages"] if m.level_tag == "warning"]
    assert "не хватает: рубрика" in warning and "Дополните материал и сохраните его" in warning


def test_bulk_submission_warns_per_story(client, journalist):
    incomplete = ArticleFactory(author=journalist, section=None, title="Без рубрики")
    complete = ArticleFactory(author=journalist, title="Полный материал")
    client.force_login(journalist)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "submit_selected", "_selected_action": [incomplete.pk, complete.pk]},
        follow=True,
    )
    warnings = [m.message for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1 and warnings[0].startswith("«Без рубрики»: Для публикации не хватает: рубрика")
    assert Article.objects.filter(status=S.REVIEW).count() == 2
