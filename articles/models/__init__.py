"""The articles app's models, one module per noun; import them from here."""

# isort: off
# In the order the models were defined in one module: the registry, and so permissions and content types,
# keep their order.
from articles.models.section import Section
from articles.models.article_queryset import ArticleQuerySet, published_now
from articles.models.article import Article
from articles.models.taggings import ArticleTag, ArticleTagQuerySet
from articles.models.history import ArticleRevision, WorkflowEvent
from articles.models.preview_links import PreviewLink, PreviewLinkQuerySet
from articles.models.counter_marks import CounterMark, CounterMarkQuerySet
from articles.models.hourly_counts import HourlyCount, HourlyCountQuerySet
# isort: on

__all__ = [
    "Article",
    "ArticleQuerySet",
    "ArticleRevision",
    "ArticleTag",
    "ArticleTagQuerySet",
    "CounterMark",
    "CounterMarkQuerySet",
    "HourlyCount",
    "HourlyCountQuerySet",
    "PreviewLink",
    "PreviewLinkQuerySet",
    "Section",
    "WorkflowEvent",
    "published_now",
]
