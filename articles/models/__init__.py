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
from articles.models.story_parts import StoryPart
from articles.models.desk import Desk, DeskMap, DeskRegion
from articles.models.revision_photos import RevisionPhoto
from articles.models.drafts import ArticleDraft, ArticleDraftQuerySet
from articles.models.front_page import BreakingBanner, FrontPageSlot
from articles.models.hourly_counts import HourlyCount, HourlyCountQuerySet
from articles.models.authors import ArticleCoauthor, AuthorProfile, AuthorProfileQuerySet
from articles.models.corrections import Correction, CorrectionQuerySet
from articles.models.telegram_posts import TelegramPost
from articles.models.legacy import ImportedPost, LegacyRedirect
from articles.models.photos import Photo, PhotoQuerySet, PhotoTag
from articles.models.gallery import GalleryItem, GalleryItemQuerySet
# isort: on

__all__ = [
    "Article",
    "ArticleCoauthor",
    "ArticleDraft",
    "ArticleDraftQuerySet",
    "ArticleQuerySet",
    "ArticleRevision",
    "ArticleTag",
    "ArticleTagQuerySet",
    "AuthorProfile",
    "AuthorProfileQuerySet",
    "BreakingBanner",
    "Correction",
    "CorrectionQuerySet",
    "CounterMark",
    "CounterMarkQuerySet",
    "Desk",
    "DeskMap",
    "DeskRegion",
    "FrontPageSlot",
    "GalleryItem",
    "GalleryItemQuerySet",
    "HourlyCount",
    "HourlyCountQuerySet",
    "ImportedPost",
    "LegacyRedirect",
    "Photo",
    "PhotoQuerySet",
    "PhotoTag",
    "PreviewLink",
    "PreviewLinkQuerySet",
    "RevisionPhoto",
    "Section",
    "StoryPart",
    "TelegramPost",
    "WorkflowEvent",
    "published_now",
]
