"""The published story at an address, read for its page in one statement compiled once per process.

Django compiles a queryset into SQL each time it runs one; for the article page's question (the story,
the ids of its tags, whether it has live translations or party links) compiling cost twice as much as
the database's answer, on every story read for the first time. The statement is compiled once with marks
in place of the slug and the time, and run with the values of each request.
"""

import datetime

from django.utils import timezone

from articles.models import Article

SLUG = "\x00slug"
NOW = datetime.datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=datetime.UTC)
_statement = []


def published_story(slug, now=None):
    """The story readers may see at `slug` (with tag_ids, has_translations, has_party_links), or None."""
    if not _statement:
        queryset = Article.objects.published(NOW).defer("search_vector").with_link_summary(NOW).filter(slug=SLUG)
        _statement.append(queryset.query.sql_with_params())
    sql, marked = _statement[0]
    values = {SLUG: slug, NOW: now or timezone.now()}
    params = [values.get(value, value) if isinstance(value, (str, datetime.datetime)) else value for value in marked]
    return next(iter(Article.objects.raw(sql, params)), None)
