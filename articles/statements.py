"""The article page's questions, compiled into SQL once per process and run with each request's values.

Django compiles a queryset into SQL each time it runs one. For the questions of a story read for the first
time (the story with the ids of its tags and whether it has live translations or party links; its party
organisations and projects; the newest stories of its tags and region) compiling cost more than the
database's answer. Each is compiled once, with marks in place of the slug, the time, the language and the
ids, and run with the values of a request.
"""

import datetime

from django.db import connection
from django.db.models import Value
from django.utils import timezone

from articles.models import Article, ArticleTag
from articles.models.article_queryset import COVER_COLUMNS, LISTING_FIELDS
from parties.models import Party

SLUG = "\x00slug"
LANGUAGE = "\x00language"
NOW = datetime.datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=datetime.UTC)


class Statement:
    """A queryset's SQL compiled on first use, its marked parameters replaced at every run."""

    def __init__(self, build):
        self.build = build
        self.compiled = None

    def sql(self, values):
        if self.compiled is None:
            self.compiled = self.build().query.sql_with_params()
        sql, marked = self.compiled
        kinds = (int, str, datetime.datetime)
        return sql, [values.get(value, value) if isinstance(value, kinds) else value for value in marked]


STORY = Statement(
    lambda: (
        Article.objects.published(NOW)
        .defer("search_vector")
        .with_link_summary(NOW)
        .with_stored_part()
        .with_cover()
        .filter(slug=SLUG)
        .order_by()
    )
)


# The story's columns in the model's order (the search column left out), then with_link_summary()'s six,
# with_stored_part()'s three and with_cover()'s.
STORY_FIELDS = [field.attname for field in Article._meta.concrete_fields if field.name != "search_vector"]
SUMMARY = (
    "tag_ids",
    "has_translations",
    "has_party_links",
    "correction_rows",
    "coauthor_ids",
    "gallery_rows",
    "part_fingerprint",
    "part_head",
    "part_body",
    *COVER_COLUMNS,
)


def published_story(slug, now=None):
    """The story readers may see at `slug` (with its link summary and stored part, as SUMMARY names them), or None."""
    with connection.cursor() as cursor:
        cursor.execute(*STORY.sql({SLUG: slug, NOW: now or timezone.now()}))
        row = cursor.fetchone()
    if row is None:
        return None
    story = Article.from_db(connection.alias, STORY_FIELDS, row[: len(STORY_FIELDS)])
    for name, value in zip(SUMMARY, row[len(STORY_FIELDS) :], strict=True):
        setattr(story, name, value)
    return story


# The listing columns in the model's order, as Model.from_db() takes them.
LISTED = [field for field in Article._meta.concrete_fields if field.name in LISTING_FIELDS]
TOPIC_ID = -1_000_000
TOPIC_INDEX = -2_000_000
_topic_statements = {}  # {(kind, limit): the statement of one topic's newest stories}


def newest_of_topic(kind, limit):
    """A topic's newest stories, as plain columns and the topic's place in the question (TOPIC_INDEX)."""
    stories = Article.objects.published(NOW).in_language(LANGUAGE)
    if kind == "tag":
        # The tag's newest visible taggings: one short walk down the taggings' index.
        taggings = ArticleTag.objects.published(NOW).in_language(LANGUAGE).filter(tag=TOPIC_ID)
        stories = stories.filter(pk__in=taggings.newest_first().values("content_object")[:limit])
    else:
        stories = stories.filter(region=TOPIC_ID)
    columns = [field.name for field in LISTED]
    stories = stories.with_cover().annotate(topic=Value(TOPIC_INDEX)).newest_first()
    return stories.values_list(*columns, *COVER_COLUMNS, "topic")[:limit]


def newest_of_topics(topics, limit, now=None):
    """{(language, kind, pk): its newest stories, newest first} for every topic, in one query.

    Each kind's statement is compiled once per process; a question joins one per topic with UNION ALL, in
    parentheses as Django writes a union of ordered, limited parts.
    """
    common = {LANGUAGE: topics[0][0], NOW: now or timezone.now()}
    parts, params = [], []
    for index, (_, kind, pk) in enumerate(topics):
        if (kind, limit) not in _topic_statements:
            _topic_statements[kind, limit] = Statement(lambda kind=kind: newest_of_topic(kind, limit))
        sql, part_params = _topic_statements[kind, limit].sql({**common, TOPIC_ID: pk, TOPIC_INDEX: index})
        parts.append(f"({sql})")
        params.extend(part_params)
    found = {topic: [] for topic in topics}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for row in cursor.fetchall():
            story = Article.from_db(connection.alias, [field.attname for field in LISTED], row[: len(LISTED)])
            for name, value in zip(COVER_COLUMNS, row[len(LISTED) : -1], strict=True):
                setattr(story, name, value)
            found[topics[row[-1]]].append(story)
    for stories in found.values():
        stories.sort(key=lambda story: (story.publish_at, story.pk), reverse=True)
    return found


STORY_ID = -3_000_000
PARTY_COLUMNS = [field.attname for field in Party._meta.concrete_fields]
_party_link_statements = {}  # {model: the statement of the rows of `model` a story links to}


def party_links(model, story_id):
    """The `model` rows (PrimaryOrganisation or PartyProject) story `story_id` links to, each with its party."""
    own = [field.attname for field in model._meta.concrete_fields]
    if model not in _party_link_statements:
        fields = [*own, *(f"party__{field.name}" for field in Party._meta.concrete_fields)]
        _party_link_statements[model] = Statement(lambda: model.objects.filter(articles=STORY_ID).values_list(*fields))
    with connection.cursor() as cursor:
        cursor.execute(*_party_link_statements[model].sql({STORY_ID: story_id}))
        rows = cursor.fetchall()
    links = []
    for row in rows:
        link = model.from_db(connection.alias, own, row[: len(own)])
        link.party = Party.from_db(connection.alias, PARTY_COLUMNS, row[len(own) :])
        links.append(link)
    return links
