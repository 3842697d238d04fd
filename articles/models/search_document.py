"""The article's search document: its full-text column, written from the title, lead, tags and body.

The model keeps the column (Article.save, and a signal when tags change); articles.search reads it.
"""

from django.apps import apps
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db.models import Case, Func, OuterRef, Subquery, TextField, Value, When
from django.db.models.functions import Coalesce


def text_search_config(language):
    """Russian stemming for Russian articles; `simple` for Kazakh, which PostgreSQL cannot stem."""
    return "russian" if language == "ru" else "simple"


class StripTags(Func):
    """The text of an HTML column, for indexing and snippets."""

    template = "regexp_replace(%(expressions)s, '<[^>]+>', ' ', 'g')"
    output_field = TextField()


def tag_names():
    """The article's tag names as one string (a correlated subquery)."""
    tagged = apps.get_model("articles", "ArticleTag").objects.filter(content_object=OuterRef("pk"))
    names = tagged.values("content_object").annotate(names=StringAgg("tag__name", " ")).values("names")
    return Coalesce(Subquery(names), Value(""), output_field=TextField())


def document_vector(config):
    return (
        SearchVector("title", config=config, weight="A")
        + SearchVector("lead", config=config, weight="B")
        + SearchVector(tag_names(), config=config, weight="B")
        + SearchVector(StripTags("body"), config=config, weight="C")
    )


def refresh_search_vectors(queryset):
    """Rewrite the search column of every article in `queryset` in one UPDATE."""
    return queryset.update(
        search_vector=Case(
            When(language="kk", then=document_vector("simple")),
            default=document_vector("russian"),
        )
    )
