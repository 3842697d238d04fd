"""The accounts, sections and party registry of a benchmark database, created where missing."""

import os

from django.contrib.auth import get_user_model

from articles.management import sections
from articles.models import Section
from parties.demo import demo_names, numbered_organisations, spread
from parties.models import PrimaryOrganisation
from regions.models import Region

AUTHORS = 12
HOME_REGION = "severo-kazakhstanskaya-oblast"
BENCH_ADMIN = "bench-admin"
DEFAULT_ADMIN_PASSWORD = "bench-admin-password"  # noqa: S105  (a throwaway database on a loopback port)


def ensure_admin():
    """Create the superuser `bench-admin` whose password is BENCH_ADMIN_PASSWORD (for the admin timings)."""
    User = get_user_model()
    password = os.environ.get("BENCH_ADMIN_PASSWORD") or DEFAULT_ADMIN_PASSWORD
    admin = User.objects.filter(username=BENCH_ADMIN).first()
    if admin is None:
        User.objects.create_superuser(BENCH_ADMIN, f"{BENCH_ADMIN}@example.org", password)
    elif not admin.check_password(password):
        admin.set_password(password)
        admin.save(update_fields=["password"])


def ensure_authors():
    User = get_user_model()
    names = [f"bench-journalist-{number:02d}" for number in range(1, AUTHORS + 1)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    people = demo_names()
    User.objects.bulk_create(
        [
            User(
                username=name,
                first_name=people[index % len(people)].split()[0],
                last_name=people[index % len(people)].split()[1],
                email=f"{name}@example.org",
                is_staff=True,
                password="!",  # unusable: nobody logs in as a generated author
            )
            for index, name in enumerate(names)
            if name not in existing
        ]
    )
    return list(User.objects.filter(username__in=names))


def sections_by_slug():
    """The sections, created where missing, by slug."""
    sections.ensure_sections()
    return {section.slug: section for section in Section.objects.all()}


def ensure_organisations(party, rng):
    """Create primary organisations in every region (244 with 28,500 members in СКО); return their ids by region."""
    if not PrimaryOrganisation.objects.filter(party=party).exists():
        organisations = []
        for region in Region.objects.prefetch_related("cities", "districts"):
            home = region.slug == HOME_REGION
            count = 244 if home else rng.randint(40, 200)
            members = spread(28_500 if home else count * rng.randint(60, 140), count)
            places = [(None, city) for city in region.cities.all()] + [(d, None) for d in region.districts.all()]
            numbered = [places[number % len(places)] for number in range(1, count + 1)]
            organisations += numbered_organisations(party, region, numbered, members, days_apart=11)
        PrimaryOrganisation.objects.bulk_create(organisations, batch_size=1_000)
    by_region = {}
    for pk, region_id in PrimaryOrganisation.objects.values_list("pk", "region_id"):
        by_region.setdefault(region_id, []).append(pk)
    return by_region
