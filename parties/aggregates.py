"""Figures of the party registry: active organisations, their members and projects, per party and per region.

Every page that shows such figures (the party pages, the region page) takes them from here, and each
function runs one query however many organisations there are.
"""

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from parties.models import Party
from regions.models import Region


def party_totals_by_region(party):
    """Return the regions where `party` has active organisations, each with organisations_count and members_count."""
    active = Q(party_organisations__party=party, party_organisations__is_active=True)
    return list(
        Region.objects.annotate(
            organisations_count=Count("party_organisations", filter=active),
            members_count=Coalesce(Sum("party_organisations__members_count", filter=active), 0),
        )
        .filter(organisations_count__gt=0)
        .order_by("name")
    )


def region_totals(region):
    """Return the parties active in `region` with their figures there, and the region's overall figures."""
    parties = list(
        Party.objects.with_totals(region=region).filter(organisations_count__gt=0).order_by("-members_count", "name")
    )
    return {
        "parties": parties,
        "organisations_count": sum(party.organisations_count for party in parties),
        "members_count": sum(party.members_count for party in parties),
        "projects_count": sum(party.projects_count for party in parties),
    }
