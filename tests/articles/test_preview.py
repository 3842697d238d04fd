from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles import preview
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_staff_preview_renders_the_public_template_with_a_banner(client, journalist):
    article = ArticleFactory(author=journalist, title="Черновик о посевной")
    client.force_login(journalist)
    response = client.get(reverse("admin:articles_article_preview", args=[article.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "не опубликовано" in page
    assert "<h1>Черновик о посевной</h1>" in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_preview_is_for_staff_only(client, journalist, other_journalist):
    article = ArticleFactory(author=journalist)
    url = reverse("admin:articles_article_preview", args=[article.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(other_journalist)
    assert client.get(url).status_code == 404


def test_shared_link_works_without_login_for_48_hours(client, journalist):
    article = ArticleFactory(author=journalist, title="Черновик для героя материала")
    client.force_login(journalist)
    response = client.post(reverse("admin:articles_article_share", args=[article.pk]), follow=True)
    link = preview.share_url(article)
    assert "действует 48 ч" in response.content.decode()
    client.logout()

    start = timezone.now()
    with time_machine.travel(start + timedelta(hours=47), tick=False):
        page = client.get(link)
        assert page.status_code == 200 and "Черновик для героя материала" in page.content.decode()
    with time_machine.travel(start + timedelta(hours=49), tick=False):
        expired = client.get(link)
        assert expired.status_code == 410
        assert "Ссылка на черновик устарела" in expired.content.decode()
        assert "Черновик для героя материала" not in expired.content.decode()


def test_link_lifetime_is_configurable(client, journalist, settings):
    settings.NEWSROOM_PREVIEW_LINK_HOURS = 2
    article = ArticleFactory(author=journalist)
    link = preview.share_url(article)
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        assert client.get(link).status_code == 410


def test_tampered_link_is_not_found(client, journalist):
    link = preview.share_url(ArticleFactory(author=journalist))
    assert client.get(link[:-3] + "xyz/").status_code == 404


def test_staff_preview_shows_a_related_story_published_after_an_earlier_preview(client, journalist):
    from regions.models import Region

    north = Region.objects.get(slug="severo-kazakhstanskaya-oblast")
    article = ArticleFactory(author=journalist, title="Черновик о посевной", region=north)
    ArticleFactory(published=True, region=north, title="Старый сосед")
    client.force_login(journalist)
    url = reverse("admin:articles_article_preview", args=[article.pk])
    assert "Новый сосед" not in client.get(url).content.decode()

    ArticleFactory(published=True, region=north, title="Новый сосед")

    assert "Новый сосед" in client.get(url).content.decode()
