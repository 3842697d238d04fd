from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_home_lists_published_articles_only(client):
    live = ArticleFactory(published=True, title="Опубликованная новость дня")
    ArticleFactory(title="Черновик, который никто не видит")
    ArticleFactory(title="Запланированная новость", published=True, publish_at=timezone.now() + timedelta(hours=2))
    response = client.get("/")
    content = response.content.decode()
    assert response.status_code == 200
    assert live.title in content
    assert "Черновик" not in content
    assert "Запланированная" not in content


def test_article_page_shows_the_story_with_breadcrumbs(client):
    article = ArticleFactory(published=True, title="Форум в Петропавловске", tags=["аманат"])
    response = client.get(f"/news/{article.slug}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru">' in content
    assert content.count("<h1") == 1
    assert 'Главная страница</a>\n   » <a href="/news/">Новости</a>' in content or (
        'href="/news/">Новости</a>' in content and "Главная страница" in content
    )
    assert "<strong>подробностями</strong>" in content
    assert "data-share-count>0<" in content


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.ARCHIVED])
def test_unpublished_article_is_not_found(client, status):
    article = ArticleFactory(status=status, publish_at=timezone.now() - timedelta(days=1))
    assert client.get(f"/news/{article.slug}/").status_code == 404


def test_out_of_range_page_is_not_found(client):
    ArticleFactory(published=True)
    assert client.get("/news/?page=99").status_code == 404
    assert client.get("/news/?page=abc").status_code == 404


def test_security_headers_on_public_pages(client):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pagination_is_bounded(client, settings, monkeypatch):
    from newsroom import pagination

    monkeypatch.setattr(pagination, "MAX_PAGES", 2)
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    for _ in range(7):
        ArticleFactory(published=True)
    assert client.get("/news/?page=2").status_code == 200
    assert client.get("/news/?page=3").status_code == 404
