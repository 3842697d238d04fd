"""«Одобрить» and «Опубликовать» start from the planned time: an empty field never overrides the author's proposal."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

S = Article.Status


def transition_url(article, name):
    return reverse("admin:articles_article_transition", args=[article.pk, name])


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def in_two_days():
    return (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)


def test_approving_without_a_time_keeps_the_authors_proposal(journalist, moderator):
    proposed = in_two_days()
    article = ArticleFactory(author=journalist, status=S.REVIEW, proposed_publish_at=proposed)
    workflow.apply(article, "approve", by=moderator)
    article.refresh_from_db()
    assert article.publish_at == proposed and article.is_scheduled()


def test_a_time_the_moderator_set_wins_over_the_proposal(journalist, moderator):
    proposed, decided = in_two_days(), in_two_days() + timedelta(hours=3)
    article = ArticleFactory(author=journalist, proposed_publish_at=proposed, publish_at=decided)
    workflow.apply(article, "publish", by=moderator)
    article.refresh_from_db()
    assert article.publish_at == decided


def test_a_proposal_already_past_means_now(journalist, moderator):
    article = ArticleFactory(
        author=journalist, status=S.REVIEW, proposed_publish_at=timezone.now() - timedelta(hours=2)
    )
    workflow.apply(article, "approve", by=moderator)
    article.refresh_from_db()
    assert article.is_live() and article.publish_at > timezone.now() - timedelta(minutes=1)


def test_approve_form_offers_the_proposal_and_a_button_for_now(client, journalist, moderator):
    proposed = in_two_days()
    article = ArticleFactory(author=journalist, status=S.REVIEW, proposed_publish_at=proposed)
    client.force_login(moderator)
    page = client.get(change_url(article)).content.decode()
    assert f'id="approve-publish-at" name="publish_at" value="{proposed:%Y-%m-%dT%H:%M}"' in page
    assert f"пусто — тоже {proposed:%d.%m.%Y %H:%M}, опубликовать сразу — «Одобрить сейчас»" in page
    assert '<button type="submit" class="button" name="when" value="now">Одобрить сейчас</button>' in page


def test_approve_form_without_a_plan_says_empty_is_now(client, journalist, moderator):
    article = ArticleFactory(author=journalist, status=S.REVIEW)
    client.force_login(moderator)
    page = client.get(change_url(article)).content.decode()
    assert 'id="approve-publish-at" name="publish_at" value=""' in page
    assert "пусто — сейчас" in page
    assert "Одобрить сейчас" not in page


def test_an_emptied_field_still_schedules_at_the_proposal(client, journalist, moderator):
    proposed = in_two_days()
    article = ArticleFactory(author=journalist, status=S.REVIEW, proposed_publish_at=proposed)
    client.force_login(moderator)
    response = client.post(transition_url(article, "approve"), {"publish_at": ""}, follow=True)
    assert f"запланировано на {proposed:%d.%m.%Y %H:%M}" in response.content.decode()
    article.refresh_from_db()
    assert article.publish_at == proposed and not article.is_live()


def test_the_now_button_publishes_at_once_despite_the_proposal(client, journalist, moderator):
    proposed = in_two_days()
    article = ArticleFactory(author=journalist, status=S.REVIEW, proposed_publish_at=proposed)
    client.force_login(moderator)
    client.post(transition_url(article, "approve"), {"publish_at": f"{proposed:%Y-%m-%dT%H:%M}", "when": "now"})
    article.refresh_from_db()
    assert article.is_live()
    assert article.proposed_publish_at == proposed  # the author's proposal stays on record


def test_a_time_typed_by_the_moderator_replaces_the_proposal(client, journalist, moderator):
    proposed = in_two_days()
    chosen = proposed + timedelta(days=1, hours=1)
    article = ArticleFactory(author=journalist, status=S.REVIEW, proposed_publish_at=proposed)
    client.force_login(moderator)
    client.post(transition_url(article, "approve"), {"publish_at": f"{chosen:%Y-%m-%dT%H:%M}"})
    article.refresh_from_db()
    assert article.publish_at == chosen


def test_publish_offers_the_same_time_field(client, moderator):
    proposed = in_two_days()
    article = ArticleFactory(author=moderator, proposed_publish_at=proposed)
    client.force_login(moderator)
    page = client.get(change_url(article)).content.decode()
    assert f'id="publish-publish-at" name="publish_at" value="{proposed:%Y-%m-%dT%H:%M}"' in page
    assert "Опубликовать сейчас" in page
    chosen = proposed + timedelta(hours=5)
    client.post(transition_url(article, "publish"), {"publish_at": f"{chosen:%Y-%m-%dT%H:%M}"})
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.publish_at == chosen and article.is_scheduled()


def test_bulk_approval_keeps_each_proposal(client, journalist, moderator):
    proposed = in_two_days()
    planned = ArticleFactory(author=journalist, status=S.REVIEW, proposed_publish_at=proposed)
    unplanned = ArticleFactory(author=journalist, status=S.REVIEW)
    client.force_login(moderator)
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "approve_selected", "_selected_action": [planned.pk, unplanned.pk]},
    )
    planned.refresh_from_db()
    unplanned.refresh_from_db()
    assert planned.publish_at == proposed and planned.is_scheduled()
    assert unplanned.is_live()
