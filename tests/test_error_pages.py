import pytest
from django.test import RequestFactory
from django.utils import translation

from newsroom.views import server_error

pytestmark = pytest.mark.django_db


def test_404_is_in_the_site_style_and_leaks_nothing(client):
    response = client.get("/news/no-such-story/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Страница не найдена" in page and 'class="site-header"' in page
    assert "Traceback" not in page and "urlpatterns" not in page


def test_500_page_needs_no_database_and_speaks_the_readers_language(django_assert_num_queries):
    request = RequestFactory().get("/kk/")
    with translation.override("kk"), django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert '<html lang="kk">' in response.content.decode()
