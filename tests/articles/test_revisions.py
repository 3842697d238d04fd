import pytest
from django.urls import reverse

from articles import revisions
from articles.models import Article
from tests.articles.test_admin_workflow import form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_word_diff_marks_removed_and_added_words():
    diff = revisions.word_diff("<p>Около 100 участников</p>", "<p>Около 120 участников</p>")
    assert diff == "Около <del>100 </del><ins>120 </ins>участников"


def test_word_diff_escapes_text():
    assert "<script>" not in revisions.word_diff("a", "&lt;script&gt;")


def test_revision_page_compares_and_restore_keeps_the_state(client, moderator):
    article = ArticleFactory(author=moderator, published=True, lead="Старый лид о форуме")
    url = reverse("admin:articles_article_change", args=[article.pk])
    client.force_login(moderator)
    client.post(url, form_data(article))
    article.refresh_from_db()
    old = article.revisions.get()
    client.post(url, form_data(article, lead="Новый лид о форуме"))

    page = client.get(reverse("admin:articles_article_revision", args=[article.pk, old.pk])).content.decode()
    assert "<del>Старый </del><ins>Новый </ins>" in page.replace("Старый</del>", "Старый </del>") or (
        "<del>Старый" in page and "<ins>Новый" in page
    )

    history = client.get(url).content.decode()
    assert history.count(f"admin/articles/article/{article.pk}/revisions/") == 2

    response = client.post(reverse("admin:articles_article_restore", args=[article.pk, old.pk]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.lead == "Старый лид о форуме"
    assert article.status == Article.Status.PUBLISHED
    assert article.revisions.count() == 3


def test_journalist_cannot_restore_once_submitted(client, journalist):
    article = ArticleFactory(author=journalist)
    revision = revisions.record(article, journalist)
    article.status = Article.Status.REVIEW
    article.save()
    client.force_login(journalist)
    page = client.get(reverse("admin:articles_article_revision", args=[article.pk, revision.pk]))
    assert page.status_code == 200 and "Восстановить эту редакцию" not in page.content.decode()
    restore = client.post(reverse("admin:articles_article_restore", args=[article.pk, revision.pk]))
    assert restore.status_code == 403
