"""Full-text search: ranked, highlighted, filtered queries over the articles' search column.

The column itself is written by the model (articles.models.search_document).
"""

import html
import re
from datetime import timedelta

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Func, Q, TextField, Value, Window
from django.db.models.expressions import RawSQL
from django.utils import dateparse
from django.utils.safestring import mark_safe

from articles.models.search_document import StripTags, text_search_config

MAX_QUERY_LENGTH = 200
# A common word matches thousands of stories: only the newest MAX_CANDIDATES matches are ranked (ten pages),
# so a search costs about the same however large the archive grows.
MAX_CANDIDATES = 200
# The newest matches are looked for among the newest RECENT_WINDOW stories first: an index range that the
# full-text index is intersected with, instead of every match in the archive sorted by date.
RECENT_WINDOW = 10_000
# ts_headline marks matches with these; the snippet is escaped in Python before <mark> goes in.
START, STOP = "\x02", "\x03"
LT, GT = "\x04", "\x05"
HEADLINE_OPTIONS = {
    "start_sel": START,
    "stop_sel": STOP,
    "max_words": 35,
    "min_words": 15,
    "max_fragments": 2,
    "fragment_delimiter": " … ",
}


class AngleBracketsHidden(Func):
    """Plain text whose < and > ts_headline would take for tags and drop, swapped for markers."""

    template = "translate(%(expressions)s, '<>', E'\\x04\\x05')"
    output_field = TextField()


def clean_query(text):
    text = re.sub(r"\s+", " ", (text or "").replace("\x00", " ")).strip()
    return text[:MAX_QUERY_LENGTH]


def clean_date(value):
    """The date a search filter reads from `value` (YYYY-MM-DD), or None when it names no real date."""
    try:
        return dateparse.parse_date(value.strip()[:10]) if value else None
    except ValueError:
        return None


def search_query(text, language):
    return SearchQuery(clean_query(text), config=text_search_config(language), search_type="websearch")


def search(queryset, text, language, *, since=None):
    """Rank `queryset` by relevance to `text`; title weighs more than lead and tags, more than body.

    Only the newest MAX_CANDIDATES matches are ranked. With `since` (the start of the recent window) they
    are looked for among the stories published since first: when those hold MAX_CANDIDATES matches, they
    are the newest of the whole archive; only when they hold fewer is the whole archive read, a condition
    PostgreSQL checks once, before the subquery it guards. Either way the results are the same, and every
    row carries `total`, the number of ranked results, so that a page of them is one query.
    """
    query = search_query(text, language)
    matches = queryset.filter(search_vector=query)
    # Sorting the whole archive's matches on an expression keeps the planner from walking the date index
    # and testing story after story against the query: it takes the full-text index's matches instead.
    shifted = ExpressionWrapper(F("publish_at") + Value(timedelta(0)), output_field=DateTimeField())
    whole_archive = matches.order_by(shifted.desc(), "-id").values("pk")[:MAX_CANDIDATES]
    if since is None:
        candidates = Q(pk__in=whole_archive)
    else:
        recent = matches.filter(publish_at__gte=since).order_by("-publish_at", "-id").values("pk")[:MAX_CANDIDATES]
        recent_sql, recent_params = recent.query.sql_with_params()
        whole_sql, whole_params = whole_archive.query.sql_with_params()
        # The recent matches are read once; the whole archive only when they are fewer than MAX_CANDIDATES,
        # a condition PostgreSQL checks before running the subquery it guards.
        candidates = Q(
            pk__in=RawSQL(
                f"WITH recent AS ({recent_sql}) SELECT * FROM recent UNION ALL "
                f"SELECT * FROM ({whole_sql}) whole_archive WHERE (SELECT count(*) FROM recent) < %s",
                (*recent_params, *whole_params, MAX_CANDIDATES),
            )
        )
    return (
        queryset.filter(candidates)
        .annotate(total=Window(Count("pk")), rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-publish_at", "-id")
    )


def recent_window_start(queryset, cache_key):
    """When `queryset` is published no earlier than the RECENT_WINDOW-th newest of its stories, else None.

    It changes only with the content, so it is kept per content generation under `cache_key`.
    """
    from newsroom.caching import kept

    def read():
        newest = queryset.order_by("-publish_at", "-id").values_list("publish_at", flat=True)
        return next(iter(newest[RECENT_WINDOW - 1 : RECENT_WINDOW]), None)

    return kept("search-window", cache_key, compute=read)


def snippets(queryset, text, language):
    """{pk: the matched words of `text` in context, marked up} for the articles in `queryset`.

    A headline costs about a millisecond, so only the page shown gets them, never the candidates
    ranked (nor, as a column of the ranking query, the rows an OFFSET skips).
    """
    lead_and_body = Func(
        Value(" "), AngleBracketsHidden("lead"), StripTags("body"), function="concat_ws", output_field=TextField()
    )
    headline = SearchHeadline(
        lead_and_body,
        search_query(text, language),
        config=text_search_config(language),
        **HEADLINE_OPTIONS,
    )
    rows = queryset.order_by().annotate(snippet=headline).values_list("pk", "snippet")
    return {pk: highlighted(snippet) for pk, snippet in rows}


def highlighted(snippet):
    """Escape a snippet and turn the match markers into <mark>."""
    escaped = html.escape(html.unescape(snippet or "")).replace(LT, "&lt;").replace(GT, "&gt;")
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308
