import factory

from parties.models import Party, PartyProject, PrimaryOrganisation
from regions.models import Region

NKO_SLUG = "severo-kazakhstanskaya-oblast"


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Партия номер {n}")
    short_name = factory.Sequence(lambda n: f"П{n}")
    slug = factory.Sequence(lambda n: f"partiya-{n}")

    class Params:
        amanat = factory.Trait(name="Партия «AMANAT»", name_kk="«AMANAT» партиясы", short_name="AMANAT", slug="amanat")


class PartyProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyProject

    party = factory.SubFactory(PartyFactory)
    name = factory.Sequence(lambda n: f"«Проект {n}»")
    slug = factory.Sequence(lambda n: f"proekt-{n}")
    description = "Партийный проект: встречи с жителями и помощь сёлам."


class PrimaryOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrimaryOrganisation

    party = factory.SubFactory(PartyFactory)
    region = factory.LazyFunction(lambda: Region.objects.get(slug=NKO_SLUG))
    name = factory.Sequence(lambda n: f"ППО № {n:03d}")
    leader = "Айгуль Касымова"
    members_count = 100
