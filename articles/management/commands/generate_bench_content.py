"""Fill a benchmark database with N generated articles, ~500 tags and the party registry, in bulk.

Only for the databases of `make bench` (NEWSROOM_VAR_DIR named bench*): it deletes every article first.
Articles go in with bulk_create, their tag, city and party rows with COPY, one process per core; then the
search column is filled by the app's own refresh_search_vectors, a few thousand rows per UPDATE.
"""

import io
import itertools
import multiprocessing
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.utils import timezone
from slugify import slugify
from taggit.models import Tag

from articles.management.bench_setup import (
    HOME_REGION,
    ensure_admin,
    ensure_authors,
    ensure_organisations,
    sections_by_slug,
)
from articles.management.bench_text import PEOPLE, SentencePool, tag_names
from articles.management.commands.seed_demo import DEMO_DIR
from articles.models import Article, ArticleTag
from articles.models.search_document import refresh_search_vectors
from newsroom.generation import bump_generation
from parties.demo import ensure_party
from regions.models import Region

BATCH = 1_000
SEARCH_BATCH = 2_000
TWO_YEARS = 2 * 365 * 24 * 3600

# The generator of the running command; forked worker processes inherit it.
_generator = None


def is_bench_database():
    """Tell whether the default database is an embedded one under a var directory named bench*."""
    return not os.environ.get("DATABASE_URL") and Path(settings.VAR_DIR).resolve().name.startswith("bench")


class Command(BaseCommand):
    help = "Replace all articles with N generated ones (benchmark databases only)."
    requires_system_checks = []  # a data command: it needs the models, not a URLconf others may be editing

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=20_000, help="How many articles (default 20,000).")
        parser.add_argument("--seed", type=int, default=7, help="Random seed: the same seed gives the same content.")
        parser.add_argument("--force", action="store_true", help="Regenerate even when N articles are there.")
        parser.add_argument("--workers", type=int, default=os.cpu_count(), help="Inserting processes (default: cores).")
        parser.add_argument(
            "--any-database", action="store_true", help="Allow a database that is not under var/bench* (destroys it)."
        )

    def handle(self, *args, articles, seed, force, workers, any_database, **options):
        global _generator
        if not (is_bench_database() or any_database):
            raise CommandError(
                f"Refusing to replace the articles of {settings.VAR_DIR}: run with NEWSROOM_VAR_DIR=var/bench "
                "(or pass --any-database to destroy the content of this database)."
            )
        ensure_admin()
        if not force and is_complete(articles):
            self.stdout.write(f"The benchmark database already holds {articles} articles; nothing to do.")
            return
        started = time.perf_counter()
        with transaction.atomic():
            truncate()
            _generator = Generator(articles, seed)
        connections.close_all()  # forked workers must open their own connections
        self.run_batches(insert_batch, range(0, articles, BATCH), workers, "articles", articles)
        inserted = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the search UPDATE's tag subquery needs fresh statistics
        last = Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.run_search_batches(range(1, last + 1, SEARCH_BATCH), workers, last)
        indexed = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        bump_generation()
        finished = time.perf_counter()
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {articles} articles: inserted in {inserted - started:.1f} s "
                f"({articles / (inserted - started):,.0f} articles/s), search column in {indexed - inserted:.1f} s, "
                f"VACUUM ANALYZE in {finished - indexed:.1f} s; {articles / (finished - started):,.0f} articles/s "
                "overall."
            )
        )

    def run_batches(self, function, starts, workers, what, total):
        """Run `function` on every start in `workers` forked processes, printing progress."""
        done = 0
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for count in pool.imap_unordered(function, starts):
                done += count
                self.stdout.write(f"  {what}: {done} / {total}", ending="\r")
                self.stdout.flush()
        self.stdout.write("")

    def run_search_batches(self, starts, workers, last):
        """Fill the search column with refresh_search_vectors, one id range per UPDATE, `workers` at once."""
        done = 0
        with ThreadPoolExecutor(workers) as pool:
            for count in pool.map(refresh_range, starts):
                done += count
                self.stdout.write(f"  search column: {done} / {last}", ending="\r")
                self.stdout.flush()
        self.stdout.write("")


def refresh_range(start):
    """Refresh the search column of the articles with ids in [start, start + SEARCH_BATCH)."""
    try:
        return refresh_search_vectors(Article.objects.filter(pk__gte=start, pk__lt=start + SEARCH_BATCH))
    finally:
        connection.close()


def insert_batch(start):
    """Insert the articles numbered from `start`, in a worker process; return how many."""
    with transaction.atomic():
        return _generator.insert(start, min(start + BATCH, _generator.count))


def is_complete(articles):
    return Article.objects.count() == articles and not Article.objects.filter(search_vector=None).exists()


def truncate():
    tables = [Article._meta.db_table, ArticleTag._meta.db_table, Tag._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


class Generator:
    """The lookups generated articles draw from, and the making of one batch of them."""

    def __init__(self, count, seed):
        rng = random.Random(seed)
        self.count, self.seed = count, seed
        self.authors = ensure_authors()
        self.sections = sections_by_slug()
        party = ensure_party(DEMO_DIR / "party.json")
        self.projects = list(party.projects.all())
        self.organisations = ensure_organisations(party, rng)
        self.tags = [
            tag.pk for tag in Tag.objects.bulk_create([Tag(name=n, slug=Tag().slugify(n)) for n in tag_names()])
        ]
        # A few tags are on many stories, most on few.
        self.tag_weights = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(self.tags))))
        self.regions = list(Region.objects.prefetch_related("cities"))
        # СКО is the home region; about one story in eleven is about the whole country (no region).
        self.region_weights = list(
            itertools.accumulate([8 if region.slug == HOME_REGION else 1 for region in self.regions] + [2.5])
        )
        self.now = timezone.now()
        # Oldest first, so that ids grow with the publication time as in a real archive.
        self.ages = sorted((rng.uniform(600, TWO_YEARS) for _ in range(count)), reverse=True)
        self.pool = SentencePool(rng)

    def insert(self, start, stop):
        rng = random.Random(f"{self.seed}-{start}")
        self.pool.rng = rng
        articles, links = [], []
        for index in range(start, stop):
            article, link = self.article(rng, index)
            articles.append(article)
            links.append(link)
        Article.objects.bulk_create(articles)
        self.copy_links(articles, links)
        return len(articles)

    def article(self, rng, index):
        """Return article number `index` (unsaved) and the ids of its tags, cities and party links."""
        region = rng.choices([*self.regions, None], cum_weights=self.region_weights)[0]
        cities = list(region.cities.all()) if region else []
        picked = rng.sample(cities, min(len(cities), rng.choice([0, 1, 1, 1, 2])))
        centre = picked[0].name if picked else region.centre if region else "Астана"
        place = (region.short_name or f"г. {region.centre}") if region else "Казахстан"
        language = "kk" if rng.random() < 0.1 else "ru"
        topic, title, lead, body = self.pool.article(language, f"г. {centre}", place)
        status, publish_at = status_and_time(rng, self.now - timedelta(seconds=self.ages[index]))
        slug = slugify(title, max_length=150, word_boundary=True) or "material"
        article = Article(
            title=title,
            slug=f"{slug}-{index + 1}",
            lead=lead,
            body=body,
            section=self.sections[self.pool.topics[topic]["section"]],
            region=region,
            language=language,
            author=rng.choice(self.authors),
            byline=rng.choice(PEOPLE),
            status=status,
            publish_at=publish_at,
            first_published_at=publish_at,
            submitted_at=self.now - timedelta(hours=rng.randint(1, 72)) if status == Article.Status.REVIEW else None,
            views_count=int(rng.paretovariate(1.3) * 40),
            shares_count=rng.randint(0, 120),
            is_featured=rng.random() < 0.01,
        )
        tags = list(dict.fromkeys(rng.choices(self.tags, cum_weights=self.tag_weights, k=8)))
        is_party = topic == "party"
        link = {
            "tags": tags[: rng.randint(3, 5)],
            "cities": [city.pk for city in picked],
            "projects": [rng.choice(self.projects).pk] if is_party else [],
            "organisations": rng.sample(self.organisations.get(region.pk, []), 1) if is_party and region else [],
        }
        return article, link

    def copy_links(self, articles, links):
        """COPY the tag, city and party rows of `articles` into their tables (a trigger fills the tags' copies)."""
        rows = {"tags": [], "cities": [], "projects": [], "organisations": []}
        for article, link in zip(articles, links, strict=True):
            for kind in ["tags", "cities", "projects", "organisations"]:
                rows[kind] += [(article.pk, pk) for pk in link[kind]]
        copy_rows(ArticleTag, ["content_object_id", "tag_id"], rows["tags"])
        copy_rows(Article.cities.through, ["article_id", "city_id"], rows["cities"])
        copy_rows(Article.party_projects.through, ["article_id", "partyproject_id"], rows["projects"])
        copy_rows(Article.party_organisations.through, ["article_id", "primaryorganisation_id"], rows["organisations"])


def status_and_time(rng, moment):
    """Mostly published; a few in review (the moderators' queue), drafts and archived stories."""
    draw = rng.random()
    if draw < 0.96:
        return Article.Status.PUBLISHED, moment
    if draw < 0.98:
        return Article.Status.REVIEW, None
    if draw < 0.99:
        return Article.Status.DRAFT, None
    return Article.Status.ARCHIVED, moment


def copy_rows(model, columns, rows):
    """Insert `rows` (numbers, plain strings, datetimes, None) into the table of `model` with one COPY."""
    data = io.StringIO("".join("\t".join(map(copy_text, row)) + "\n" for row in rows))
    with connection.cursor() as cursor:
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        with cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            copy.write(data.getvalue())


def copy_text(value):
    """A value as COPY's text format writes it: \\N for NULL; datetimes carry their offset."""
    return r"\N" if value is None else str(value)
