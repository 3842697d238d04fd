"""Regional desks: which regions' stories each desk handles and which moderators work on it."""

from collections import defaultdict

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Held by chief editors (and superusers): every desk's stories, whatever desks they are members of.
EVERY_DESK_PERMISSION = "articles.oversee_desk"


class Desk(models.Model):
    name = models.CharField(_("название"), max_length=100, unique=True)
    regions = models.ManyToManyField(
        "regions.Region",
        through="DeskRegion",
        blank=True,
        related_name="+",
        verbose_name=_("регионы"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="desks",
        limit_choices_to={"is_staff": True},
        verbose_name=_("модераторы"),
        help_text=_(
            "Модераторы отдела одобряют, публикуют и снимают с публикации только его материалы, "
            "видят его очередь и получают его письма. Пока ни в одном отделе нет ни одного человека, "
            "каждый модератор работает со всеми материалами."
        ),
    )
    is_default = models.BooleanField(
        _("отдел по умолчанию"),
        default=False,
        help_text=_(
            "Сюда попадают материалы без региона и материалы регионов, не закреплённых ни за одним "
            "отделом. Такой отдел может быть только один."
        ),
    )

    telegram_chat_id = models.CharField(
        _("канал в Telegram"),
        max_length=100,
        blank=True,
        help_text=_(
            "Куда бот публикует материалы отдела: @имя публичного канала или числовой id (например, "
            "-1001234567890). Бот должен быть администратором канала. Пусто — общий канал сайта."
        ),
    )

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("отдел")
        verbose_name_plural = _("отделы")
        permissions = [("oversee_desk", _("Работает со всеми отделами (главный редактор)"))]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="desk_one_default",
                violation_error_message=_(
                    "Отдел по умолчанию уже есть. Сначала снимите эту отметку у него, затем поставьте здесь."
                ),
            )
        ]

    def __str__(self):
        return self.name


class DeskRegion(models.Model):
    """A region's stories go to one desk: the region is unique here."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="coverage", verbose_name=_("отдел"))
    region = models.OneToOneField(
        "regions.Region",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("регион"),
        error_messages={"unique": _("Этот регион уже закреплён за другим отделом.")},
    )

    class Meta:
        ordering = ["region__name"]
        verbose_name = _("регион отдела")
        verbose_name_plural = _("регионы отдела")

    def __str__(self):
        return str(self.region)


class DeskMap:
    """The desk tables read once: each story's desk and each moderator's desks.

    A story is on the desk that covers its region, else on the default desk (if there is one). Desks are in
    force once someone is a member of a desk; until then every moderator has every story, as before desks.
    """

    def __init__(self, memberships, coverage=(), desks=()):
        self.desks_of_member = defaultdict(set)
        for desk_id, user_id in memberships:
            self.desks_of_member[user_id].add(desk_id)
        self.desk_of_region = dict(coverage)
        self.desks = {desk.pk: desk for desk in desks}
        self.default_id = next((desk.pk for desk in desks if desk.is_default), None)

    @classmethod
    def load(cls):
        memberships = list(Desk.members.through.objects.values_list("desk_id", "user_id"))
        if not memberships:  # not in force: who covers what does not matter
            return cls(memberships)
        coverage = DeskRegion.objects.values_list("region_id", "desk_id")
        return cls(memberships, coverage, list(Desk.objects.all()))

    @classmethod
    def of(cls, user):
        """The map as `user`'s request sees it: read once per user object, as Django keeps permissions."""
        if not hasattr(user, "_desk_map"):
            user._desk_map = cls.load()
        return user._desk_map

    @property
    def is_in_force(self):
        return bool(self.desks_of_member)

    def desk_id_for(self, region_id):
        return self.desk_of_region.get(region_id, self.default_id)

    def desk_for(self, article):
        """The Desk `article` is on, or None (no desks in force, or no default desk for it)."""
        return self.desks.get(self.desk_id_for(article.region_id))

    def scope_of(self, user):
        """The ids of the desks whose stories `user` holds, or None for every story."""
        if not self.is_in_force or user.has_perm(EVERY_DESK_PERMISSION):
            return None
        return frozenset(self.desks_of_member.get(user.pk, ()))

    def holds(self, user, article) -> bool:
        """Whether `article` is on one of `user`'s desks (or `user` holds every desk)."""
        scope = self.scope_of(user)
        return scope is None or self.desk_id_for(article.region_id) in scope

    def stories_of(self, desk_ids) -> models.Q:
        """The articles on the desks `desk_ids`, as a filter."""
        regions = [region for region, desk in self.desk_of_region.items() if desk in desk_ids]
        condition = models.Q(region__in=regions)
        if self.default_id in desk_ids:
            uncovered = models.Q(region__isnull=True) | ~models.Q(region__in=list(self.desk_of_region))
            condition |= uncovered
        return condition
