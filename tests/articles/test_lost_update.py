"""Two people edit one article: the second save is kept, shown and merged, never lost."""

import pytest
from django.urls import reverse

from articles import revisions
from articles.models import ArticleRevision
from tests.articles.test_admin_workflow import form_data
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_moderator(db):
    from django.contrib.auth.models import Group

    user = UserFactory(username="moderator2", first_name="Динара", last_name="Абенова", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def shared_article(author, **fields):
    """An article saved once, as the admin saves it (with its first revision)."""
    article = ArticleFactory(author=author, **fields)
    revisions.record(article, author)
    return article


def test_second_save_on_an_old_version_is_not_applied(client, moderator, second_moderator):
    article = shared_article(moderator, title="Исходный заголовок", lead="Исходный лид")
    url = reverse("admin:articles_article_change", args=[article.pk])
    opened_by_second = form_data(article)  # both opened the form at the same version

    client.force_login(moderator)
    assert client.post(url, form_data(article, title="Заголовок от первого")).status_code == 302

    client.force_login(second_moderator)
    response = client.post(url, {**opened_by_second, "lead": "Лид от второго"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Материал изменили, пока вы его редактировали" in page
    assert "Сохранил(а): Тест" in page  # the first moderator's name and the time follow
    assert "Лид от второго" in page  # what the second typed stays in the form
    assert 'data-field="title"' in page and 'data-field="lead"' in page
    article.refresh_from_db()
    assert (article.title, article.lead) == ("Заголовок от первого", "Исходный лид")
    unapplied = ArticleRevision.objects.get(article=article, is_applied=False)
    assert unapplied.data["lead"] == "Лид от второго"
    assert unapplied.created_by == second_moderator


def test_resolving_the_conflict_merges_both_changes(client, moderator, second_moderator):
    article = shared_article(moderator, title="Исходный заголовок", lead="Исходный лид")
    url = reverse("admin:articles_article_change", args=[article.pk])
    stale = form_data(article)
    client.force_login(moderator)
    client.post(url, form_data(article, title="Заголовок от первого"))

    client.force_login(second_moderator)
    first_try = {**stale, "lead": "Лид от второго"}
    response = client.post(url, first_try)
    conflict = response.context["conflict"]
    defaults = {f"resolve_{row['name']}": row["default"] for row in conflict["rows"]}
    # the title changed in between (take theirs), the lead only here (keep mine)
    assert defaults == {"resolve_title": "theirs", "resolve_lead": "mine"}
    response = client.post(url, {**first_try, "seen_version": conflict["version"], **defaults})
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.lead) == ("Заголовок от первого", "Лид от второго")


def test_keep_mine_overrides_theirs_when_chosen(client, moderator, second_moderator):
    article = shared_article(moderator, title="Исходный заголовок")
    url = reverse("admin:articles_article_change", args=[article.pk])
    stale = form_data(article)
    client.force_login(moderator)
    client.post(url, form_data(article, title="Заголовок от первого"))

    client.force_login(second_moderator)
    mine = {**stale, "title": "Заголовок от второго"}
    conflict = client.post(url, mine).context["conflict"]
    assert [row["default"] for row in conflict["rows"]] == ["mine"]
    client.post(url, {**mine, "seen_version": conflict["version"], "resolve_title": "mine"})
    article.refresh_from_db()
    assert article.title == "Заголовок от второго"


def test_a_third_save_in_between_raises_a_new_conflict(client, moderator, second_moderator):
    article = shared_article(moderator)
    url = reverse("admin:articles_article_change", args=[article.pk])
    stale = form_data(article)
    client.force_login(moderator)
    client.post(url, form_data(article, title="Первая правка"))
    client.force_login(second_moderator)
    conflict = client.post(url, {**stale, "lead": "Мой лид"}).context["conflict"]
    article.refresh_from_db()
    client.force_login(moderator)
    client.post(url, form_data(article, title="Вторая правка"))
    client.force_login(second_moderator)
    response = client.post(url, {**stale, "lead": "Мой лид", "seen_version": conflict["version"]})
    assert response.status_code == 200 and response.context["conflict"]
    article.refresh_from_db()
    assert article.title == "Вторая правка"


def test_without_a_known_base_their_values_are_proposed(client, moderator, second_moderator):
    article = ArticleFactory(author=moderator, title="Исходный заголовок", lead="Исходный лид")  # no revision
    url = reverse("admin:articles_article_change", args=[article.pk])
    stale = form_data(article)
    client.force_login(moderator)
    client.post(url, form_data(article, title="Заголовок от первого"))
    client.force_login(second_moderator)
    response = client.post(url, {**stale, "lead": "Лид от второго"})
    assert "Не удалось определить" in response.content.decode()
    rows = {row["name"]: row["default"] for row in response.context["conflict"]["rows"]}
    assert rows["title"] == "theirs"
