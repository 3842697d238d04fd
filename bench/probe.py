"""Pick the benchmark's URLs and count each page's SQL queries and time with Django's test client.

Run inside the benchmark environment (NEWSROOM_VAR_DIR=var/bench…, NEWSROOM_PAGE_CACHE_SECONDS=0):
    python -m bench.probe --out var/bench/probe.json --article-page var/bench/article-page.html
"""

import argparse
import json
import os
import random
import re
import statistics
import time
from urllib.parse import urlencode

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from taggit.models import Tag  # noqa: E402

from articles.management.bench_text import SEARCH_QUERIES  # noqa: E402
from articles.models import Article, ArticleTag  # noqa: E402
from newsroom.generation import process_generation  # noqa: E402
from newsroom.pagination import PAGE_SIZE  # noqa: E402
from regions.models import Region  # noqa: E402

ARTICLE_PATHS = 300
# The cold article line: stories outside the warm line's, more than a line can reach without wrapping
# (600 requests per second for 10 s reached past 6,000); all the others when the archive holds fewer.
COLD_PATHS = 12_000
TAG_PATHS = 50
REPEAT = 5
ADMIN_USER = "bench-admin"
COLD = "article, cold"


def deepest_page(client, published):
    """The deepest full page of /news/ that its first page links to (the site bounds pagination).

    A full page: the last page of a small archive holds only a few stories (3 of 863 at N = 1,000), and a
    page of 3 cards is not the same page as one of 20.
    """
    html = client.get(reverse("articles:list")).content.decode()
    linked = max((int(number) for number in re.findall(r"[?&;]page=(\d+)", html)), default=1)
    return max(1, min(linked, published.count() // PAGE_SIZE))


def full_tags(language="ru"):
    """The tags whose first page is full (at least PAGE_SIZE visible stories), spread evenly over their uses.

    For the same reason as the deep page: at N = 1,000 most tags have a handful of stories.
    """
    uses = ArticleTag.objects.published().in_language(language).values("tag").annotate(uses=Count("pk"))
    by_uses = uses.order_by("-uses", "tag")
    # A tiny archive (make bench N=200) may have no full tag: its most used ones then.
    ids = [row["tag"] for row in by_uses.filter(uses__gte=PAGE_SIZE)] or [row["tag"] for row in by_uses]
    chosen = ids[:: max(1, len(ids) // TAG_PATHS)][:TAG_PATHS]
    tags = Tag.objects.in_bulk(chosen)
    return [tags[pk] for pk in chosen]


def public_pages(client):
    """Return {page name: [paths]} for the public pages the benchmark loads; a missing route is left out."""
    published = Article.objects.published().filter(language="ru")
    slugs = list(published.order_by("pk").values_list("slug", flat=True))
    step = max(1, len(slugs) // ARTICLE_PATHS)
    warm = with_party_story(slugs[::step][:ARTICLE_PATHS], range(1, REPEAT))
    cold = with_party_story(cold_slugs(slugs, set(warm)), [-1])
    pages = {
        "home": ["/"],
        "news": [reverse("articles:list")],
        "news, deep page": [f"{reverse('articles:list')}?page={deepest_page(client, published)}"],
        "article": [reverse("articles:detail", args=[slug]) for slug in warm],
        COLD: [reverse("articles:detail", args=[slug]) for slug in cold],
        "region": [region.get_absolute_url() for region in Region.objects.all()],
        "tag": [reverse("articles:tag", args=[tag.slug]) for tag in full_tags()],
        "search": [f"{reverse('articles:search')}?{urlencode({'q': query})}" for query in SEARCH_QUERIES],
    }
    try:
        pages["feed"] = [reverse("feed")]
    except NoReverseMatch:
        pass
    return pages


def cold_slugs(slugs, warm):
    """Up to COLD_PATHS stories spread over the archive, none of the warm line's, in a fixed random order.

    Shuffled so that the line reads the archive as the long tail's readers do, not row after row.
    """
    others = [slug for slug in slugs if slug not in warm]
    chosen = others[:: max(1, len(others) // COLD_PATHS)][:COLD_PATHS]
    random.Random(15).shuffle(chosen)  # noqa: S311  (an order, not a secret)
    return chosen


def with_party_story(slugs, places):
    """`slugs` with a story linked to the party registry in one of the measured `places`, swapped in if none is.

    Such a story costs two queries more (its organisations and projects) until its parts are kept. About one
    story in five has them, so whether the five measured stories held one was luck: the article page counted
    1 / 4 queries at N = 1,000 and 3 / 5 at 100,000 from the same code. With one at every size the page's
    count is its heaviest story's.
    """
    slugs = list(slugs)
    places = [place for place in places if -len(slugs) <= place < len(slugs)]
    linked = Q(party_organisations__isnull=False) | Q(party_projects__isnull=False)
    party = set(Article.objects.filter(linked, slug__in=slugs).values_list("slug", flat=True))
    if not places or not party or any(slugs[place] in party for place in places):
        return slugs
    swapped = next(index for index, slug in enumerate(slugs) if slug in party)
    slugs[places[0]], slugs[swapped] = slugs[swapped], slugs[places[0]]
    return slugs


def admin_pages():
    """Return {page name: [paths]} for the admin article list and change form."""
    changelist = reverse("admin:articles_article_changelist")
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // 10)
    return {
        "admin list": [changelist],
        # Published, not the review queue: the queue holds ~20 stories at N = 1,000 and ~2,000 at 100,000, so
        # its first page would render 20 rows against 100 and measure the page's size, not the archive's.
        "admin list, status filter": [f"{changelist}?status__exact=published"],
        "admin list, search": [f"{changelist}?{urlencode({'q': 'отопительный'})}"],
        "admin change form": [reverse("admin:articles_article_change", args=[pk]) for pk in ids[::step][:10]],
    }


def fresh_generation():
    """Read the content generation now if this process's copy is due, so that no counted request does it.

    With the page cache off the copy lives one second (its lifetime is the page cache's, at least a second):
    a request that happened to cross that second counted one query more than its page needs, in one round
    and not the other, and the same page seemed to need more queries at one archive size than at the other.
    """
    process_generation()


def timed_request(client, path):
    """Request `path` once; return the response, its queries and its milliseconds."""
    fresh_generation()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        milliseconds = (time.perf_counter() - started) * 1000
    return response, captured.captured_queries, milliseconds


def figures(requests):
    """Queries, SQL time, time, statuses, size and slowest query of (response, queries, ms) samples."""
    counts = [len(queries) for _, queries, _ in requests]
    slowest = {"ms": 0.0, "sql": ""}
    for _, queries, _ in requests:
        for query in queries:
            if float(query["time"]) * 1000 > slowest["ms"]:
                slowest = {"ms": float(query["time"]) * 1000, "sql": query["sql"][:600]}
    return {
        "queries": max(counts),
        "queries_min": min(counts),
        "sql_ms": statistics.mean(sum(float(query["time"]) for query in queries) * 1000 for _, queries, _ in requests),
        "in_process_ms": statistics.median(milliseconds for _, _, milliseconds in requests),
        "statuses": sorted({response.status_code for response, _, _ in requests}),
        "bytes": int(statistics.mean(len(response.content) for response, _, _ in requests)),
        "slowest": slowest,
    }


def measure(client, paths):
    """Request the first REPEAT paths twice: cold (their cached blocks missing), then warm; return counts and times.

    The times and SQL are those of the warm round, the steady state of a serving process.
    """
    client.get(paths[0])  # the navigation every page shares
    cold = [len(timed_request(client, paths[index % len(paths)])[1]) for index in range(REPEAT)]
    warm = [timed_request(client, paths[index % len(paths)]) for index in range(REPEAT)]
    return {**figures(warm), "queries_cold": max(cold)}


def measure_first(client, paths):
    """The first request for each of REPEAT stories this process has not served: the cold line's figures.

    Taken from the end of the list, the part of it a line reaches last.
    """
    first = figures([timed_request(client, path) for path in paths[-REPEAT:]])
    return {**first, "queries_cold": first["queries"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--article-page", required=True, help="Where to write one article page's HTML.")
    args = parser.parse_args()

    client = Client(HTTP_HOST="127.0.0.1")
    pages = public_pages(client)
    results = {name: {"paths": paths, **measure(client, paths)} for name, paths in pages.items() if name != COLD}
    # After the other pages: the process then holds the navigation, as a serving worker soon does.
    results[COLD] = {"paths": pages[COLD], **measure_first(client, pages[COLD])}
    results = {name: results[name] for name in pages}
    with open(args.article_page, "wb") as page:
        page.write(client.get(pages["article"][0]).content)

    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(get_user_model().objects.get(username=ADMIN_USER))
    admin = {name: {"paths": paths, **measure(staff, paths)} for name, paths in admin_pages().items()}

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    summary = {
        "articles": Article.objects.count(),
        "published_ru": Article.objects.published().filter(language="ru").count(),
        "postgres": postgres,
        "django": django.get_version(),
        "pages": results,
        "admin": admin,
    }
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(summary, out, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    main()
