"""Load demo content: demo users and their author profiles, sections, the AMANAT party registry and articles.

Idempotent: what exists is left as it is, so a second run changes nothing. Demo users (with the public
demo password) are created only on a database without users: a site with real accounts is never reset.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from articles import corrections, revisions, workflow
from articles.management.sections import ensure_sections
from articles.models import Article, AuthorProfile, Desk, DeskRegion, Section
from parties.demo import ensure_party, numbered_organisations, spread
from parties.models import Party, PrimaryOrganisation
from regions.models import City, Region

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEFAULT_PASSWORD = "newsroom-demo"

USERS = [
    # username, first name, last name, group, is_superuser
    ("journalist", "Айгерим", "Сапарова", "Journalists", False),
    ("moderator", "Ерлан", "Ахметов", "Moderators", False),
    ("moderator_south", "Динара", "Абенова", "Moderators", False),
    ("chief", "Гульнара", "Касымова", "Chief editors", False),
    ("admin", "Администратор", "", None, True),
]

# Two regional desks, each with its demo moderator; `moderator` also has the default desk (stories without a
# region and of the regions no desk covers), `chief` every desk.
DESKS = [
    (
        "Северный отдел",
        ["severo-kazakhstanskaya-oblast", "akmolinskaya-oblast", "kostanayskaya-oblast", "pavlodarskaya-oblast"],
        "moderator",
    ),
    (
        "Южный отдел",
        ["almaty", "almatinskaya-oblast", "oblast-zhetisu", "zhambylskaya-oblast", "shymkent", "turkestanskaya-oblast",
         "kyzylordinskaya-oblast"],
        "moderator_south",
    ),
]  # fmt: skip

NKO_SLUG = "severo-kazakhstanskaya-oblast"
# How the 244 primary organisations of North Kazakhstan Region are spread: Petropavl first, then
# the districts in the order of the reference file. Members add up to 28,500.
NKO_ORGANISATIONS_TOTAL = 244
NKO_MEMBERS_TOTAL = 28_500
PETROPAVL_ORGANISATIONS = 62


class Command(BaseCommand):
    help = "Load demo users, sections, the party registry and articles (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DJANGO_DEBUG=0 (used by `make run`).")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo adds demo users with a known password; with DJANGO_DEBUG=0 pass --force.")
        password = os.environ.get("NEWSROOM_DEMO_PASSWORD") or DEFAULT_PASSWORD
        # Demo publications would otherwise mail the demo journalist once per article, and post every demo story
        # to the outlet's Telegram channel when a bot token is set (`make run` seeds the demo on every start).
        no_mail_nor_posts = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", NEWSROOM_TELEGRAM_BOT_TOKEN=""
        )
        with no_mail_nor_posts, transaction.atomic():
            users, users_created = self.create_users(password)
            self.create_profiles(users)
            ensure_sections()
            party = ensure_party(DEMO_DIR / "party.json")
            self.create_organisations(party)
            created = self.create_articles(users) if {"journalist", "moderator"} <= users.keys() else 0
            # After the articles: once desks have members, `moderator` no longer publishes every region's story.
            self.create_desks(users if users_created else {})
        if users_created:
            accounts = (
                f"Log in at /admin/ as journalist, moderator, moderator_south, chief or admin, password {password!r}."
            )
        else:
            accounts = "The database already had users: no account was created or changed."
        self.stdout.write(self.style.SUCCESS(f"Demo content ready ({created} new articles). {accounts}"))

    def create_users(self, password):
        """Create the demo users on a database that has no users; never touch an existing account."""
        User = get_user_model()
        if User.objects.exists():
            users = User.objects.in_bulk([username for username, *_ in USERS], field_name="username")
            return users, False
        users = {}
        for username, first, last, group_name, is_superuser in USERS:
            user = User.objects.create_user(
                username=username,
                password=password,
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
                is_staff=True,
                is_superuser=is_superuser,
            )
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
            users[username] = user
        return users, True

    def create_profiles(self, users):
        """Give the demo users who write an author profile, once: one edited since is left as it is."""
        for item in json.loads((DEMO_DIR / "authors.json").read_text(encoding="utf-8")):
            user = users.get(item.pop("username"))
            if user is not None:
                AuthorProfile.objects.get_or_create(user=user, defaults=item)

    def create_desks(self, new_users):
        """Create the demo desks; only demo users created in this run become members (rights are never changed)."""
        regions = {region.slug: region for region in Region.objects.all()}
        for name, slugs, username in DESKS:
            desk, created = Desk.objects.get_or_create(name=name)
            if created:
                taken = set(DeskRegion.objects.values_list("region_id", flat=True))
                DeskRegion.objects.bulk_create(
                    DeskRegion(desk=desk, region=regions[slug]) for slug in slugs if regions[slug].pk not in taken
                )
            if username in new_users:
                desk.members.add(new_users[username])
        default = Desk.objects.filter(is_default=True).first()
        if default and "moderator" in new_users:
            default.members.add(new_users["moderator"])

    def create_organisations(self, party):
        region = Region.objects.get(slug=NKO_SLUG)
        if PrimaryOrganisation.objects.filter(party=party, region=region).exists():
            return
        petropavl = City.objects.get(region=region, slug="petropavlovsk")
        districts = list(region.districts.order_by("kato"))
        places = [(None, petropavl)] * PETROPAVL_ORGANISATIONS
        remaining = NKO_ORGANISATIONS_TOTAL - PETROPAVL_ORGANISATIONS
        for index, district in enumerate(districts):
            share = remaining // len(districts) + (1 if index < remaining % len(districts) else 0)
            places += [(district, None)] * share
        members = spread(NKO_MEMBERS_TOTAL, len(places))
        PrimaryOrganisation.objects.bulk_create(numbered_organisations(party, region, places, members, days_apart=37))

    def create_articles(self, users):
        items = json.loads((DEMO_DIR / "articles.json").read_text(encoding="utf-8"))
        sections = {section.slug: section for section in Section.objects.all()}
        regions = {region.slug: region for region in Region.objects.all()}
        by_key, created = {}, 0
        now = timezone.now()
        for item in items:
            # A published story keeps its first slug through headline edits: an edited demo story is not re-created.
            first_slug = Article(title=item["title"]).unique_slug(among=Article.objects.none())
            article = Article.objects.filter(Q(slug=first_slug) | Q(title=item["title"])).first()
            if article is None:
                article = self.create_article(item, users, sections, regions, now)
                created += 1
            by_key[item["key"]] = article
        for item in items:
            original = by_key.get(item.get("translation_of") or "")
            article = by_key[item["key"]]
            if original and article.translation_of_id is None:
                article.translation_of = original
                article.save(update_fields=["translation_of"])
        return created

    def create_article(self, item, users, sections, regions, now):
        region = regions[item["region"]] if item["region"] else None
        article = Article.objects.create(
            title=item["title"],
            lead=item["lead"],
            body=item["body"],
            section=sections[item["section"]],
            region=region,
            language=item["language"],
            author=users["journalist"],
            byline=item["byline"],
            is_featured=item["featured"],
        )
        article.tags.set(item["tags"])
        if region and item["cities"]:
            article.cities.set(region.cities.filter(slug__in=item["cities"]))
        self.link_party_registry(article, item)
        for order, username in enumerate(item.get("coauthors", [])):
            if username in users:
                article.coauthor_links.create(user=users[username], order=order)
        revisions.record(article, users["journalist"])
        workflow.apply(article, "publish", by=users["moderator"], publish_at=now - timedelta(hours=item["hours_ago"]))
        for note in item.get("notes", []):  # what /corrections/ lists
            corrections.add(article, by=users["moderator"], kind=note["kind"], text=note["text"])
        return article

    def link_party_registry(self, article, item):
        """Tie AMANAT stories to the projects they name and to organisations of their place."""
        if "аманат" not in item["tags"]:
            return
        party = Party.objects.get(slug="amanat")
        text = f"{item['title']} {item['body']}"
        article.party_projects.set([p for p in party.projects.all() if p.name.strip("«»") in text])
        if article.region_id:
            organisations = PrimaryOrganisation.objects.filter(party=party, region_id=article.region_id)
            article.party_organisations.set(organisations.order_by("name")[:3])
