"""The editorial desk through the admin, as each role; refused actions also refused as hand-made POSTs."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, ArticleRevision
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Article.Status


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def transition_url(article, name):
    return reverse("admin:articles_article_transition", args=[article.pk, name])


def logged_in(client, user):
    client.force_login(user)
    return client


def form_data(article, **changes):
    data = {
        "title": article.title,
        "lead": article.lead,
        "body": article.body,
        "section": article.section_id or "",
        "region": article.region_id or "",
        "tags": ", ".join(article.tags.names()),
        "language": article.language,
        "byline": article.byline,
        "cover_photo": article.cover_photo_id or "",
        "cover_alt": article.cover_photo.alt_text if article.cover_photo else "",
        "cover_caption": article.cover_photo.caption if article.cover_photo else "",
        "cover_credit": article.cover_photo.credit if article.cover_photo else "",
        "base_version": article.version,
        "publish_at_0": "",
        "publish_at_1": "",
    }
    if article.publish_at:
        local = timezone.localtime(article.publish_at)
        data.update(publish_at_0=local.strftime("%d.%m.%Y"), publish_at_1=local.strftime("%H:%M:%S"))
    data.update(changes)
    return data


def test_journalist_creates_a_draft_that_is_theirs(client, journalist):
    section = SectionFactory()
    response = logged_in(client, journalist).post(
        reverse("admin:articles_article_add"),
        {
            "title": "Новая школа в Тайынше",
            "lead": "Как передаёт корреспондент, школа откроется в сентябре.",
            "body": "<p>Текст <script>alert(1)</script></p>",
            "section": section.pk,
            "tags": "образование, тайынша",
            "language": "ru",
            "publish_at_0": "",
            "publish_at_1": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(title="Новая школа в Тайынше")
    assert (article.author, article.status, article.body) == (journalist, S.DRAFT, "<p>Текст </p>")
    assert sorted(article.tags.names()) == ["образование", "тайынша"]
    assert article.revisions.count() == 1


def test_journalist_sees_only_own_articles(client, journalist, other_journalist):
    own = ArticleFactory(author=journalist, title="Мой материал")
    foreign = ArticleFactory(author=other_journalist, title="Чужой материал")
    client = logged_in(client, journalist)
    listing = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert own.title in listing and foreign.title not in listing
    assert client.get(change_url(foreign)).status_code == 302  # Django redirects "does not exist"
    assert client.post(transition_url(foreign, "submit")).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == S.DRAFT


def test_journalist_cannot_edit_after_submitting(client, journalist):
    article = ArticleFactory(author=journalist, status=S.REVIEW)
    client = logged_in(client, journalist)
    page = client.get(change_url(article)).content.decode()
    assert 'name="title"' not in page  # read-only view
    assert "Отозвать" in page
    response = client.post(change_url(article), form_data(article, title="Подмена после отправки"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title != "Подмена после отправки"


@pytest.mark.parametrize(
    ("state", "name"),
    [
        (S.DRAFT, "publish"),
        (S.REVIEW, "approve"),
        (S.REVIEW, "reject"),
        (S.PUBLISHED, "unpublish"),
        (S.ARCHIVED, "reopen"),
    ],
)
def test_journalist_hand_made_post_is_refused_like_the_hidden_button(client, journalist, state, name):
    publish_at = timezone.now() - timedelta(hours=1) if state in (S.PUBLISHED, S.ARCHIVED) else None
    article = ArticleFactory(author=journalist, status=state, publish_at=publish_at)
    client = logged_in(client, journalist)
    page = client.get(change_url(article)).content.decode()
    assert str(workflow.TRANSITIONS[name].label) not in page
    response = client.post(transition_url(article, name), {"comment": "так нельзя"}, follow=True)
    assert "нет права" in response.content.decode()
    article.refresh_from_db()
    assert article.status == state
    assert not article.workflow_events.exists()


def test_moderator_cannot_withdraw_someone_elses_submission(client, journalist, moderator):
    article = ArticleFactory(author=journalist, status=S.REVIEW)
    response = logged_in(client, moderator).post(transition_url(article, "withdraw"), follow=True)
    assert "нет права" in response.content.decode()
    article.refresh_from_db()
    assert article.status == S.REVIEW


def test_transition_in_the_wrong_state_is_refused_with_a_message(client, journalist, moderator):
    article = ArticleFactory(author=journalist, status=S.DRAFT)
    response = logged_in(client, moderator).post(transition_url(article, "unpublish"), follow=True)
    assert "невозможно: материал в статусе «Черновик»" in response.content.decode()


def test_transitions_need_post(client, journalist):
    article = ArticleFactory(author=journalist)
    assert logged_in(client, journalist).get(transition_url(article, "submit")).status_code == 404
    article.refresh_from_db()
    assert article.status == S.DRAFT


def test_full_round_trip_through_the_admin(client, journalist, moderator):
    article = ArticleFactory(author=journalist)
    logged_in(client, journalist).post(transition_url(article, "submit"))
    article.refresh_from_db()
    assert article.status == S.REVIEW

    client.force_login(moderator)
    response = client.post(transition_url(article, "reject"), {"comment": ""}, follow=True)
    assert "Укажите причину" in response.content.decode()
    client.post(transition_url(article, "reject"), {"comment": "Нужен комментарий акимата"})
    article.refresh_from_db()
    assert article.status == S.DRAFT

    client.force_login(journalist)
    page = client.get(change_url(article)).content.decode()
    assert "Нужен комментарий акимата" in page
    client.post(transition_url(article, "submit"))

    client.force_login(moderator)
    client.post(transition_url(article, "approve"))
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.is_live()
    assert client.get(article.get_absolute_url()).status_code == 200
    assert [e.transition for e in article.workflow_events.order_by("created_at", "id")] == [
        "submit",
        "reject",
        "submit",
        "approve",
    ]


def test_approve_with_a_time_schedules_and_the_list_says_so(client, journalist, moderator):
    article = ArticleFactory(author=journalist, status=S.REVIEW)
    moment = timezone.localtime() + timedelta(days=2)
    client = logged_in(client, moderator)
    client.post(transition_url(article, "approve"), {"publish_at": moment.strftime("%Y-%m-%dT%H:%M")})
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and not article.is_live()
    listing = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert f"Запланировано на {moment:%d.%m.%Y %H:%M}" in listing
    assert client.get(article.get_absolute_url()).status_code == 404


def test_approve_with_a_bad_time_says_so(client, journalist, moderator):
    article = ArticleFactory(author=journalist, status=S.REVIEW)
    response = logged_in(client, moderator).post(
        transition_url(article, "approve"), {"publish_at": "завтра утром"}, follow=True
    )
    assert "Не удалось прочитать дату и время «завтра утром»" in response.content.decode()
    article.refresh_from_db()
    assert article.status == S.REVIEW


def test_publication_gate_message_in_the_admin(client, journalist, moderator):
    article = ArticleFactory(author=journalist, status=S.REVIEW, lead="", section=None)
    response = logged_in(client, moderator).post(transition_url(article, "approve"), follow=True)
    assert "не хватает: лид, рубрика" in response.content.decode()


def test_moderator_edit_of_a_published_story_goes_live_as_a_correction(client, journalist, moderator):
    article = ArticleFactory(author=journalist, published=True, title="Было")
    response = logged_in(client, moderator).post(change_url(article), form_data(article, title="Стало"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.corrected_at is not None
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Стало" in page and "Обновлено" in page


def test_review_queue_count_and_oldest_first(client, journalist, moderator):
    newer = ArticleFactory(author=journalist, status=S.REVIEW, title="Свежая заявка")
    older = ArticleFactory(author=journalist, status=S.REVIEW, title="Давняя заявка")
    Article.objects.filter(pk=newer.pk).update(submitted_at=timezone.now() - timedelta(minutes=5))
    Article.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(hours=3))
    client = logged_in(client, moderator)
    assert "На модерации: 2" in client.get(reverse("admin:index")).content.decode()
    queue = client.get(reverse("admin:articles_article_changelist") + "?status__exact=review").content.decode()
    assert queue.index("Давняя заявка") < queue.index("Свежая заявка")
    assert "3\xa0часа" in queue


def test_journalist_does_not_see_the_queue_count(client, journalist):
    assert "На модерации:" not in logged_in(client, journalist).get(reverse("admin:index")).content.decode()


def test_bulk_approve_action_is_for_moderators_only(client, journalist, moderator):
    articles = [ArticleFactory(author=journalist, status=S.REVIEW) for _ in range(2)]
    changelist = reverse("admin:articles_article_changelist")
    data = {"action": "approve_selected", "_selected_action": [a.pk for a in articles]}
    logged_in(client, journalist).post(changelist, data)
    assert Article.objects.filter(status=S.REVIEW).count() == 2
    client.force_login(moderator)
    client.post(changelist, data)
    assert Article.objects.filter(status=S.PUBLISHED).count() == 2


def test_nobody_but_a_superuser_deletes_a_published_story(client, journalist, moderator):
    article = ArticleFactory(author=journalist, published=True)
    delete_url = reverse("admin:articles_article_delete", args=[article.pk])
    assert logged_in(client, moderator).post(delete_url, {"post": "yes"}).status_code == 403
    client.force_login(journalist)
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()
    moderators_bulk = {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"}
    client.force_login(moderator)
    client.post(reverse("admin:articles_article_changelist"), moderators_bulk)
    assert Article.objects.filter(pk=article.pk).exists()
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


def test_journalist_deletes_own_draft(client, journalist):
    article = ArticleFactory(author=journalist)
    delete_url = reverse("admin:articles_article_delete", args=[article.pk])
    assert logged_in(client, journalist).post(delete_url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


def test_journalist_deletes_own_draft_with_its_history(client, journalist, moderator):
    article = ArticleFactory(author=journalist, status=S.REVIEW)
    workflow.apply(article, "reject", by=moderator, comment="Нужен комментарий акимата.")
    client = logged_in(client, journalist)
    assert client.post(change_url(article), form_data(article, title="Второй вариант")).status_code == 302
    assert ArticleRevision.objects.filter(article=article).exists()
    delete_url = reverse("admin:articles_article_delete", args=[article.pk])
    confirmation = client.get(delete_url)
    assert confirmation.status_code == 200 and "Второй вариант" in confirmation.content.decode()
    assert not confirmation.context["perms_lacking"]
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not ArticleRevision.objects.filter(article_id=article.pk).exists()
    # The history is no way round the rules: a published story's stays, and so does the story.
    published = ArticleFactory(author=journalist, published=True)
    delete_url = reverse("admin:articles_article_delete", args=[published.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403


def test_a_user_outside_the_groups_gets_nothing(client, journalist):
    stranger = UserFactory(username="intern", is_staff=True)
    article = ArticleFactory(author=journalist, status=S.REVIEW)
    client = logged_in(client, stranger)
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
    assert client.post(transition_url(article, "approve")).status_code == 404
    article.refresh_from_db()
    assert article.status == S.REVIEW


def test_moderator_group_from_migration_can_publish():
    assert Group.objects.get(name="Moderators").permissions.filter(codename="publish_article").exists()
    assert not Group.objects.get(name="Journalists").permissions.filter(codename="publish_article").exists()


def test_a_published_story_keeps_its_publication_time(client, journalist, moderator):
    article = ArticleFactory(author=journalist, published=True)
    response = logged_in(client, moderator).post(
        change_url(article), form_data(article, publish_at_0="", publish_at_1="")
    )
    assert response.status_code == 200
    assert "Опубликованному материалу нужно время публикации" in response.content.decode()
    article.refresh_from_db()
    assert article.is_live()


def test_every_save_writes_a_revision(client, moderator):
    article = ArticleFactory(author=moderator)
    client = logged_in(client, moderator)
    client.post(change_url(article), form_data(article, lead="Первая правка лида"))
    article.refresh_from_db()
    client.post(change_url(article), form_data(article, lead="Вторая правка лида"))
    leads = list(ArticleRevision.objects.filter(article=article).order_by("created_at").values_list("data", flat=True))
    assert [data["lead"] for data in leads] == ["Первая правка лида", "Вторая правка лида"]


def test_old_rejection_reason_is_not_shown_after_a_later_withdrawal(client, journalist, moderator):
    article = ArticleFactory(author=journalist, status=S.REVIEW)
    workflow.apply(article, "reject", by=moderator, comment="Старая причина")
    workflow.apply(article, "submit", by=journalist)
    workflow.apply(article, "withdraw", by=journalist)
    page = logged_in(client, journalist).get(change_url(article)).content.decode()
    assert "Старая причина" in page  # still in the history
    assert "Возвращено на доработку" not in page


def test_admin_search_uses_the_full_text_index(client, journalist, moderator):
    ArticleFactory(author=journalist, title="Форумы первичных организаций прошли в районах")
    ArticleFactory(author=journalist, title="Уборка урожая завершена")
    page = logged_in(client, moderator).get(reverse("admin:articles_article_changelist") + "?q=форум").content.decode()
    assert "Форумы первичных организаций" in page and "Уборка урожая" not in page


def test_admin_search_counts_at_most_twenty_pages_of_matches(client, journalist, moderator, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.admin.article import ArticleAdmin

    monkeypatch.setattr(ArticleAdmin, "list_per_page", 2)
    for number in range(3):
        ArticleFactory(author=journalist, title=f"Форум номер {number}")
    with CaptureQueriesContext(connection) as captured:
        page = logged_in(client, moderator).get(reverse("admin:articles_article_changelist") + "?q=форум")

    assert page.status_code == 200 and "Форум номер 2" in page.content.decode()
    [count] = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("SELECT COUNT(*)")]
    assert "LIMIT 40" in count


def test_tag_page_in_the_admin_lists_its_stories_and_offers_no_generic_merge(client, journalist, moderator):
    from taggit.models import Tag

    ArticleFactory(author=journalist, title="Посевная в районах", tags=["посевная"])
    admin = UserFactory(username="chief", is_staff=True, is_superuser=True)
    client.force_login(admin)
    tag = Tag.objects.get(name="посевная")

    change = client.get(reverse("admin:taggit_tag_change", args=[tag.pk])).content.decode()
    changelist = client.get(reverse("admin:taggit_tag_changelist")).content.decode()

    assert "Посевная в районах" in change
    assert "render_tag_form" not in changelist
