"""The states and languages of an article: its own fields, their copies on its taggings, its workflow events."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Черновик")
    REVIEW = "review", _("На модерации")
    PUBLISHED = "published", _("Опубликовано")
    ARCHIVED = "archived", _("В архиве")


class ArticleLanguage(models.TextChoices):
    RU = "ru", _("Русский")
    KK = "kk", _("Қазақша")
