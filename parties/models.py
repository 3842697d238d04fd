from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from newsroom import edge
from regions.models import City, District, LocalizedNameMixin, Region


class PartyQuerySet(models.QuerySet):
    def with_totals(self, region=None):
        """Annotate organisations_count and members_count (active ones) and projects_count.

        With a `region`, only parties with organisations there, counted there: the region is a WHERE
        condition, so the query reads that region's organisations rather than the whole registry.
        """
        active = Q(organisations__is_active=True)
        queryset = self if region is None else self.filter(organisations__region=region)
        projects = (
            PartyProject.objects.filter(party=OuterRef("pk"))
            .order_by()
            .values("party")
            .annotate(total=Count("pk"))
            .values("total")
        )
        # Projects are counted in a subquery: a second join would multiply the sum of members.
        return queryset.annotate(
            organisations_count=Count("organisations", filter=active),
            members_count=Coalesce(Sum("organisations__members_count", filter=active), 0),
            projects_count=Coalesce(Subquery(projects), 0),
        )


class Party(LocalizedNameMixin, models.Model):
    name = models.CharField(_("название"), max_length=200, unique=True)
    name_kk = models.CharField(_("название на казахском"), max_length=200, blank=True)
    short_name = models.CharField(
        _("краткое название"),
        max_length=60,
        blank=True,
        help_text=_("Как партию называют в тексте и в файлах импорта, например AMANAT."),
    )
    slug = models.SlugField(
        _("адрес (slug)"),
        max_length=120,
        unique=True,
        help_text=_("Латиницей, для адреса страницы партии: /parties/amanat/."),
    )
    description = models.TextField(_("описание"), blank=True, help_text=_("Пара предложений для страницы партии."))
    website = models.URLField(_("сайт"), blank=True)

    objects = PartyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("партия")
        verbose_name_plural = _("партии")

    def __str__(self):
        return self.short_name or self.name

    def get_absolute_url(self):
        return reverse("parties:detail", args=[self.slug])

    def edge_lists(self):
        """The registry lists the parties (newsroom/edge.py)."""
        return [edge.PARTY_REGISTRY]


class PrimaryOrganisationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_region(self, region):
        return self.filter(region=region)


class PrimaryOrganisation(models.Model):
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("партия"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="party_organisations", verbose_name=_("регион")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_organisations",
        verbose_name=_("район"),
        help_text=_("Для сельских организаций; пусто для организаций города областного значения."),
    )
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_organisations",
        verbose_name=_("город"),
        help_text=_("Для организаций города областного значения (например, Петропавловска)."),
    )
    name = models.CharField(
        _("название"),
        max_length=255,
        help_text=_("Как в учётных документах: «ППО при ТОО …», «ППО села …»."),
    )
    leader = models.CharField(_("председатель"), max_length=200, blank=True, help_text=_("Фамилия и имя."))
    members_count = models.PositiveIntegerField(
        _("членов партии"),
        default=0,
        help_text=_("По последним данным партии; из этих чисел складываются итоги на страницах региона и партии."),
    )
    founded_on = models.DateField(_("дата создания"), null=True, blank=True)
    is_active = models.BooleanField(
        _("действует"),
        default=True,
        help_text=_("Снимите отметку, если организация закрыта: она останется в реестре, но не войдёт в итоги."),
    )

    objects = PrimaryOrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["region__name", "name"]
        verbose_name = _("первичная партийная организация")
        verbose_name_plural = _("первичные партийные организации")
        constraints = [
            models.UniqueConstraint(
                fields=["party", "region", "name"], name="organisation_unique_name_per_party_region"
            ),
            models.CheckConstraint(condition=models.Q(members_count__gte=0), name="organisation_members_non_negative"),
        ]

    def __str__(self):
        return self.name

    def edge_lists(self):
        """Its party's page, its region's party figures and the registry count it (newsroom/edge.py)."""
        return [edge.PARTY_REGISTRY, edge.key("party", self.party_id), edge.key("region", self.region_id)]

    @property
    def place(self):
        return self.city or self.district


class PartyProject(LocalizedNameMixin, models.Model):
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="projects", verbose_name=_("партия"))
    name = models.CharField(_("название"), max_length=200)
    name_kk = models.CharField(_("название на казахском"), max_length=200, blank=True)
    slug = models.SlugField(
        _("адрес (slug)"), max_length=120, help_text=_("Латиницей, для адреса страницы проекта: auyl-amanaty.")
    )
    description = models.TextField(_("описание"), blank=True, help_text=_("О чём проект; показывается читателям."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("партийный проект")
        verbose_name_plural = _("партийные проекты")
        constraints = [models.UniqueConstraint(fields=["party", "slug"], name="project_unique_slug_per_party")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("parties:project", args=[self.party.slug, self.slug])

    def edge_lists(self):
        """Its party's page lists its projects (newsroom/edge.py)."""
        return [edge.PARTY_REGISTRY, edge.key("party", self.party_id)]
