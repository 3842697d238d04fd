"""Article cards take their section and region from the header's navigation, not from two more JOINs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from newsroom import navigation as chrome
from newsroom.navigation import navigation, with_places
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_listed_articles_get_their_section_and_region_without_a_query():
    first = ArticleFactory(published=True, in_north_kazakhstan=True)
    second = ArticleFactory(published=True)
    navigation()

    with CaptureQueriesContext(connection) as queries:
        articles = with_places(Article.objects.filter(pk__in=[first.pk, second.pk]).for_listing().order_by("pk"))
        places = [(article.section.name, article.region and article.region.slug) for article in articles]

    assert len(queries) == 1
    assert places == [(first.section.name, first.region.slug), (second.section.name, None)]


def test_a_place_the_navigation_does_not_hold_is_read_by_the_orm(monkeypatch):
    article = ArticleFactory(published=True, in_north_kazakhstan=True, section=SectionFactory(name="Новая рубрика"))
    monkeypatch.setattr(chrome, "navigation", lambda: {"sections": [], "regions": [], "cities": {}})

    [listed] = with_places(Article.objects.filter(pk=article.pk).for_listing())

    assert (listed.section.name, listed.region.slug) == ("Новая рубрика", "severo-kazakhstanskaya-oblast")
