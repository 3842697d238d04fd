"""`manage.py generate_bench_content` fills a benchmark database (make bench) with a readable archive."""

import pytest
from django.core.management import call_command

from articles.models import Article

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_generated_stories_are_published_tagged_and_served(client):
    call_command("generate_bench_content", "--articles", "60", "--any-database", verbosity=0)

    stories = Article.objects.published()
    assert stories.count() > 40
    story = stories.filter(language="ru").exclude(tags=None).first()
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    assert story.title in page.content.decode()
