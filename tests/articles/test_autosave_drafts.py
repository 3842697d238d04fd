"""The article form's autosaved drafts: each person's own, only on stories they may change, never applied."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from procrastinate.contrib.django import app

from articles import drafts, revisions
from articles.models import Article, ArticleDraft, ArticleRevision
from articles.tasks import remove_old_drafts
from tests.articles.test_admin_workflow import form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

KEY = "0123456789abcdef0123456789abcdef"
OTHER_KEY = "fedcba9876543210fedcba9876543210"


def draft_url(article, key=KEY):
    if article is None:
        return reverse("admin:articles_article_new_draft", args=[key])
    return reverse("admin:articles_article_draft", args=[article.pk, key])


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def post_draft(client, article, fields, *, key=KEY, base_version=None, **extra):
    body = json.dumps({"base_version": base_version, "fields": fields}, ensure_ascii=False)  # as browsers send it
    return client.post(draft_url(article, key), body, content_type="application/json", **extra)


def own_draft(journalist, **fields):
    article = ArticleFactory(author=journalist, title="Исходный заголовок", lead="Исходный лид", **fields)
    revisions.record(article, journalist)
    return article


def offers_on(page):
    """The drafts a form offers, from the JSON the page carries for its script."""
    found = re.search(r'<script id="autosave-offers" type="application/json">(.*?)</script>', page, re.S)
    assert found, "the form carries no autosave offers"
    return json.loads(found.group(1))


# --- keeping a draft ---


def test_journalist_keeps_a_draft_of_their_story_without_changing_it(client, journalist):
    article = own_draft(journalist)
    client.force_login(journalist)

    response = post_draft(
        client,
        article,
        {"title": "Новый заголовок", "lead": "Новый лид", "body": "<p>Текст</p>", "section": [["1", "Общество"]]},
        base_version=article.version,
    )

    assert response.status_code == 200
    assert re.fullmatch(r"\d\d:\d\d", response.json()["saved_at"])
    draft = ArticleDraft.objects.get()
    assert (draft.user, draft.article, draft.key, draft.base_version) == (journalist, article, KEY, article.version)
    assert draft.data["title"] == "Новый заголовок"
    assert draft.data["section"] == [["1", "Общество"]]
    article.refresh_from_db()
    assert (article.title, article.lead) == ("Исходный заголовок", "Исходный лид")
    assert ArticleRevision.objects.filter(article=article).count() == 1  # no revision either


def test_the_same_form_overwrites_its_draft_and_another_form_keeps_its_own(client, journalist):
    article = own_draft(journalist)
    client.force_login(journalist)

    post_draft(client, article, {"title": "Первая вкладка, раз"})
    post_draft(client, article, {"title": "Первая вкладка, два"})
    post_draft(client, article, {"title": "Вторая вкладка"}, key=OTHER_KEY)

    assert dict(ArticleDraft.objects.values_list("key", "data__title")) == {
        KEY: "Первая вкладка, два",
        OTHER_KEY: "Вторая вкладка",
    }


def test_new_story_form_keeps_a_draft_without_a_story(client, journalist):
    client.force_login(journalist)

    assert post_draft(client, None, {"title": "Пишу новость", "body": "<p>Начало</p>"}).status_code == 200

    draft = ArticleDraft.objects.get()
    assert (draft.article, draft.base_version, draft.data["title"]) == (None, None, "Пишу новость")


def test_draft_body_is_sanitised_like_a_saved_body(client, journalist):
    article = own_draft(journalist)
    client.force_login(journalist)

    post_draft(client, article, {"body": '<p onclick="steal()">Текст<script>alert(1)</script></p><iframe src="x">'})

    assert ArticleDraft.objects.get().data["body"] == "<p>Текст</p>"


def test_draft_keeps_only_the_fields_the_person_may_change(client, journalist):
    article = own_draft(journalist)
    client.force_login(journalist)

    fields = {
        "title": "Заголовок",
        "publish_at_0": "01.01.2030",  # a moderator's decision: read-only for a journalist
        "is_featured": True,
        "cover_upload": "photos/x.jpg",  # a file is no text
        "status": "published",  # no field of the form
        "proposed_publish_at_0": "02.01.2030",
        "proposed_publish_at_1": "10:00",
    }
    post_draft(client, article, fields)

    assert ArticleDraft.objects.get().data == {
        "title": "Заголовок",
        "proposed_publish_at_0": "02.01.2030",
        "proposed_publish_at_1": "10:00",
    }


def test_moderator_keeps_the_moderators_fields(client, moderator):
    article = own_draft(moderator)
    client.force_login(moderator)

    post_draft(client, article, {"publish_at_0": "01.01.2030", "publish_at_1": "09:00", "is_featured": True})

    kept = {"publish_at_0": "01.01.2030", "publish_at_1": "09:00", "is_featured": True}
    assert ArticleDraft.objects.get().data == kept


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("not json", id="not-json"),
        pytest.param(json.dumps(["title"]), id="not-an-object"),
        pytest.param(json.dumps({"base_version": 1}), id="no-fields"),
        pytest.param(json.dumps({"base_version": "1", "fields": {}}), id="version-not-a-number"),
        pytest.param(json.dumps({"base_version": -1, "fields": {}}), id="negative-version"),
        pytest.param(json.dumps({"fields": {"title": {"nested": "x"}}}), id="object-value"),
        pytest.param(json.dumps({"fields": {"section": [["1"]]}}), id="half-a-choice"),
        pytest.param(json.dumps({"fields": {"cities": [["1", "x"]] * (drafts.MOST_CHOICES + 1)}}), id="too-many"),
    ],
)
def test_malformed_draft_is_refused_with_a_message_and_nothing_kept(client, journalist, payload):
    article = own_draft(journalist)
    client.force_login(journalist)

    response = client.post(draft_url(article), payload, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"].startswith("Черновик не прочитан")
    assert not ArticleDraft.objects.exists()


def test_draft_larger_than_the_limit_is_refused_and_nothing_kept(client, journalist, settings):
    settings.NEWSROOM_DRAFT_MAX_KB = 4
    article = own_draft(journalist)
    client.force_login(journalist)

    assert post_draft(client, article, {"body": "<p>" + "а" * 1500 + "</p>"}).status_code == 200  # 3 KB as UTF-8
    response = post_draft(client, article, {"body": "<p>" + "а" * 2500 + "</p>"}, key=OTHER_KEY)  # 5 KB

    assert response.status_code == 413
    assert "больше 4 КБ" in response.json()["error"]
    assert "хранится только в этом браузере" in response.json()["error"]
    assert list(ArticleDraft.objects.values_list("key", flat=True)) == [KEY]


def test_a_person_keeps_at_most_fifty_drafts_the_oldest_go(client, journalist):
    client.force_login(journalist)
    old = timezone.now() - timedelta(days=1)
    ArticleDraft.objects.bulk_create(
        ArticleDraft(user=journalist, key=f"{index:032x}", data={}, saved_at=old + timedelta(minutes=index))
        for index in range(drafts.DRAFTS_PER_PERSON)
    )

    post_draft(client, None, {"title": "Самый новый"})

    keys = set(ArticleDraft.objects.of(journalist).values_list("key", flat=True))
    assert len(keys) == drafts.DRAFTS_PER_PERSON
    assert KEY in keys and f"{0:032x}" not in keys


# --- who may ---


def test_journalist_cannot_keep_a_draft_of_someone_elses_story(client, journalist, other_journalist):
    article = own_draft(other_journalist)
    client.force_login(journalist)

    assert post_draft(client, article, {"title": "Чужой"}).status_code == 404
    assert not ArticleDraft.objects.exists()


def test_journalist_cannot_keep_a_draft_of_their_story_in_review(client, journalist):
    article = own_draft(journalist, status=Article.Status.REVIEW)
    client.force_login(journalist)

    assert post_draft(client, article, {"title": "Правка на модерации"}).status_code == 403
    assert not ArticleDraft.objects.exists()


def test_signed_out_draft_goes_to_the_login_page_and_nothing_is_kept(client, journalist):
    article = own_draft(journalist)

    response = post_draft(client, article, {"title": "После конца сессии"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not ArticleDraft.objects.exists()


def test_draft_endpoint_enforces_csrf(journalist):
    article = own_draft(journalist)
    client = Client(enforce_csrf_checks=True)
    client.force_login(journalist)

    refused = post_draft(client, article, {"title": "Без токена"})
    assert refused.status_code == 403
    assert not ArticleDraft.objects.exists()

    client.get(change_url(article))  # the form sets the CSRF cookie, which the script sends back
    token = client.cookies["csrftoken"].value
    assert post_draft(client, article, {"title": "С токеном"}, HTTP_X_CSRFTOKEN=token).status_code == 200
    discarded = client.delete(draft_url(article))
    assert discarded.status_code == 403  # DELETE without the token too
    assert ArticleDraft.objects.count() == 1


def test_get_is_not_allowed_and_a_malformed_key_is_not_found(client, journalist):
    article = own_draft(journalist)
    client.force_login(journalist)

    assert client.get(draft_url(article)).status_code == 405
    assert client.post(draft_url(article, "short"), "{}", content_type="application/json").status_code == 404
    assert client.post(draft_url(article, "A" * 32), "{}", content_type="application/json").status_code == 404


def test_discarding_removes_only_ones_own_draft(client, journalist, moderator):
    article = own_draft(journalist)
    ArticleDraft.objects.create(user=journalist, article=article, key=KEY, data={"title": "Журналиста"})
    ArticleDraft.objects.create(user=moderator, article=article, key=OTHER_KEY, data={"title": "Модератора"})
    client.force_login(journalist)

    assert client.delete(draft_url(article, OTHER_KEY)).status_code == 204  # the moderator's key: nothing of theirs
    assert ArticleDraft.objects.count() == 2
    assert client.delete(draft_url(article, KEY)).status_code == 204
    assert list(ArticleDraft.objects.values_list("user", flat=True)) == [moderator.pk]


# --- offered back ---


def test_form_offers_only_ones_own_fresh_drafts_of_that_story(client, journalist, moderator, settings):
    settings.NEWSROOM_DRAFT_DAYS = 14
    article = own_draft(journalist)
    another = own_draft(journalist)
    ArticleDraft.objects.create(user=journalist, article=article, key=KEY, base_version=1, data={"title": "Моё"})
    ArticleDraft.objects.create(user=moderator, article=article, key=OTHER_KEY, data={"title": "Модератора"})
    ArticleDraft.objects.create(user=journalist, article=another, key="1" * 32, data={"title": "Другой материал"})
    ArticleDraft.objects.create(user=journalist, article=None, key="2" * 32, data={"title": "Новый материал"})
    too_old = timezone.now() - timedelta(days=15)
    ArticleDraft.objects.create(
        user=journalist, article=article, key="3" * 32, data={"title": "Старое"}, saved_at=too_old
    )
    client.force_login(journalist)

    page = client.get(change_url(article)).content.decode()

    offers = offers_on(page)
    assert [(offer["key"], offer["base_version"], offer["fields"]) for offer in offers] == [(KEY, 1, {"title": "Моё"})]
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", offers[0]["saved_at"])
    assert "Восстановить несохранённое" in page
    assert "Удалить черновик" in page
    add_page = client.get(reverse("admin:articles_article_add")).content.decode()
    assert [offer["fields"]["title"] for offer in offers_on(add_page)] == ["Новый материал"]


def test_drafts_are_not_offered_where_the_person_may_not_change_the_story(client, journalist):
    article = own_draft(journalist, status=Article.Status.REVIEW)
    ArticleDraft.objects.create(user=journalist, article=article, key=KEY, data={"title": "Ждёт возврата"})
    client.force_login(journalist)

    page = client.get(change_url(article)).content.decode()

    assert 'id="autosave-offers"' not in page and "autosave.js" not in page
    assert ArticleDraft.objects.exists()  # kept: offered again if the story comes back to the author


def test_each_opening_of_the_form_has_a_key_of_its_own(client, journalist):
    article = own_draft(journalist)
    client.force_login(journalist)

    keys = [re.search(r'name="autosave_key" value="([0-9a-f]{32})"', client.get(change_url(article)).content.decode())
            for _ in range(2)]  # fmt: skip

    assert all(keys) and keys[0].group(1) != keys[1].group(1)


# --- saving the story ---


def test_saving_the_story_drops_the_forms_draft_and_those_offered_on_it(client, journalist):
    article = own_draft(journalist)
    opened_at = timezone.now()
    offered = ArticleDraft.objects.create(
        user=journalist, article=article, key="1" * 32, data={}, saved_at=opened_at - timedelta(hours=1)
    )
    ArticleDraft.objects.create(user=journalist, article=article, key=KEY, data={"title": "Эта форма"})
    another_tab = ArticleDraft.objects.create(
        user=journalist, article=article, key=OTHER_KEY, data={}, saved_at=opened_at + timedelta(seconds=5)
    )
    another_story = ArticleDraft.objects.create(user=journalist, article=None, key="2" * 32, data={})
    client.force_login(journalist)

    response = client.post(
        change_url(article),
        form_data(article, title="Сохранено", autosave_key=KEY, autosave_opened=opened_at.isoformat()),
    )

    assert response.status_code == 302
    assert not ArticleDraft.objects.filter(pk=offered.pk).exists()
    assert set(ArticleDraft.objects.values_list("pk", flat=True)) == {another_tab.pk, another_story.pk}


def test_adding_a_story_drops_only_that_forms_draft(client, journalist):
    ArticleDraft.objects.create(user=journalist, key=KEY, data={"title": "Эта новость"})
    ArticleDraft.objects.create(user=journalist, key=OTHER_KEY, data={"title": "Другая новость"})
    client.force_login(journalist)

    response = client.post(
        reverse("admin:articles_article_add"),
        {"title": "Эта новость", "lead": "Лид", "body": "", "language": "ru", "tags": "", "autosave_key": KEY,
         "autosave_opened": timezone.now().isoformat()},
    )  # fmt: skip

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert list(ArticleDraft.objects.values_list("key", flat=True)) == [OTHER_KEY]


def test_a_save_refused_by_a_conflict_keeps_the_draft_and_the_forms_key(client, journalist, moderator):
    article = own_draft(journalist)
    stale = form_data(article)
    client.force_login(moderator)
    client.post(change_url(article), form_data(article, title="Заголовок модератора"))
    ArticleDraft.objects.create(user=journalist, article=article, key=KEY, base_version=stale["base_version"], data={})
    client.force_login(journalist)

    response = client.post(
        change_url(article),
        {**stale, "lead": "Лид журналиста", "autosave_key": KEY, "autosave_opened": timezone.now().isoformat()},
    )

    page = response.content.decode()
    assert response.status_code == 200 and "Материал изменили, пока вы его редактировали" in page
    assert ArticleDraft.objects.filter(key=KEY).exists()
    assert f'name="autosave_key" value="{KEY}"' in page  # the form goes on writing the same draft
    assert "data-dirty" in page  # and keeps what it holds now, not yet saved
    assert offers_on(page) == []  # its own draft is no offer


# --- expiry ---


def test_old_drafts_are_removed_by_the_daily_job(journalist, settings):
    settings.NEWSROOM_DRAFT_DAYS = 14
    ArticleDraft.objects.create(user=journalist, key=KEY, data={}, saved_at=timezone.now() - timedelta(days=15))
    fresh = ArticleDraft.objects.create(user=journalist, key=OTHER_KEY, data={}, saved_at=timezone.now())

    assert remove_old_drafts(timestamp=0) == 1

    assert list(ArticleDraft.objects.values_list("pk", flat=True)) == [fresh.pk]
    schedules = {periodic.task.name: periodic.cron for periodic in app.periodic_registry.periodic_tasks.values()}
    assert schedules["articles.remove_old_drafts"] == "15 4 * * *"


def test_the_offer_reads_in_kazakh_too():
    with translation.override("kk"):
        assert translation.gettext("Восстановить несохранённое") == "Сақталмағанды қалпына келтіру"
        assert translation.gettext("Есть несохранённый текст") == "Сақталмаған мәтін бар"
