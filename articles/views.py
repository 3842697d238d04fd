import hashlib
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from taggit.models import Tag

from articles import front_page, statements
from articles import search as full_text
from articles.models import Article, ArticleTag, AuthorProfile, Correction, Section
from articles.story_parts import linked_content, part_for, personalised, published_story, render_part
from newsroom import edge
from newsroom.caching import kept, kept_each
from newsroom.navigation import header_context, with_places
from newsroom.pagination import BoundedPaginator, CountedPaginator, paginate

RELATED_LIMIT = 4
HOME_LATEST = 12
HOME_REGION_BLOCKS = 4
REGION_BLOCKS_SAMPLE = 200
MOST_READ_DAYS = 7
# What the list of corrections shows of a story: its headline, linked.
CORRECTED_STORY = ("title", "slug", "language")


class TagPaginator(BoundedPaginator):
    """Pages of a tag's stories, counted and cut from its visible taggings, newest first.

    The taggings' index (ArticleTag's article_tag_listing_idx) holds the order and the count; a page
    reads only its own articles, through Article.objects.public() again, so a stale copy could hide a story
    for a moment but never show one readers may not see.
    """

    @cached_property
    def count(self):
        return self.object_list.order_by().values("content_object")[: self.per_page * self.page_limit()].count()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(
            self.rows_of(self.object_list.values("content_object")[bottom : bottom + self.per_page]), number, self
        )

    def rows_of(self, keys):
        return Article.objects.public().filter(pk__in=keys).for_listing().newest_first()


class SearchPaginator(CountedPaginator):
    """Pages of ranked search results; a page kept by its keys is read again without ranking anything."""

    def rows_of(self, keys):
        rank = {pk: position for position, pk in enumerate(keys)}
        return sorted(Article.objects.public().filter(pk__in=keys).for_listing(), key=lambda row: rank[row.pk])


def home(request):
    return render(request, "articles/home.html", home_context(request, front_page.pinned_stories()))


def home_context(request, pinned):
    """What the home page shows with the stories `pinned` {position: story} (live ones, or a preview's)."""
    articles = Article.objects.public().for_listing()
    # Enough for every place when all the pinned stories are among the newest.
    newest = with_places(articles.newest_first()[: HOME_LATEST + 1 + len(pinned)])
    featured = next((a for a in newest[: HOME_LATEST + 1] if a.is_featured), newest[0] if newest else None)
    automatic = sorted(newest, key=lambda story: story != featured)  # the featured story first, then the newest
    with_places(pinned.values())  # each given its section and region, in place
    stories = front_page.arrange(automatic, pinned, HOME_LATEST + 1)
    most_read = with_places(
        articles.filter(publish_at__gte=timezone.now() - timedelta(days=MOST_READ_DAYS)).order_by("-views_count")[:5]
    )
    blocks = region_blocks(request, articles)
    edge.shows(edge.ALL_STORIES, edge.FRONT_PAGE)
    # Listed too: a withdrawal purges the lists showing the story for good, the rest of "articles" softly.
    edge.shows_listed(*stories, *most_read, *(story for _, stories in blocks for story in stories))
    main_story, *latest = stories or [None]
    return {"main_story": main_story, "latest": latest, "region_blocks": blocks, "most_read": most_read}


def region_blocks(request, articles):
    """The regions with the most recent news, the reader's own region first, three stories each.

    Kept per content generation for each reader's region.
    """
    reader_city = header_context(request)["reader_city"]
    region = reader_city.region_id if reader_city else None
    return kept("home-regions", region, compute=lambda: read_region_blocks(request, articles, reader_city))


def read_region_blocks(request, articles, reader_city):
    # Busiest among the latest stories, not over a period: the count reads a bounded slice of the index
    # however many stories a month brings.
    latest = articles.newest_first().values("pk")[:REGION_BLOCKS_SAMPLE]
    busiest_ids = list(
        Article.objects.filter(pk__in=latest, region__isnull=False)
        .order_by()
        .values("region")
        .annotate(recent=Count("id"))
        .order_by("-recent", "region")
        .values_list("region", flat=True)[:HOME_REGION_BLOCKS]
    )
    regions = {region.pk: region for region in header_context(request)["nav_regions"]}
    busiest = [regions[pk] for pk in busiest_ids if pk in regions]
    if reader_city and reader_city.region not in busiest:
        busiest = [reader_city.region, *busiest[: HOME_REGION_BLOCKS - 1]]
    elif reader_city:
        busiest.sort(key=lambda region: region != reader_city.region)
    # One query of a few index scans: the newest three of each region, not every recent story of all four.
    newest = [articles.filter(region=region).newest_first()[:3] for region in busiest]
    stories = {}
    for article in with_places(newest[0].union(*newest[1:], all=True)) if newest else []:
        stories.setdefault(article.region_id, []).append(article)
    for region_stories in stories.values():
        region_stories.sort(key=lambda article: (article.publish_at, article.pk), reverse=True)
    return [(region, stories[region.pk]) for region in busiest if stories.get(region.pk)]


def article_list(request):
    page = paginate(request, Article.objects.public().for_listing().newest_first(), kept_as=("news",))
    page.object_list = with_places(page.object_list)
    edge.shows(edge.ALL_STORIES)
    edge.shows_listed(*page.object_list)
    return render(request, "articles/article_list.html", {"page": page, "heading": _("Новости")})


def correction_list(request):
    """The public list of correction and update notes, newest first, each with its story's headline."""
    shown = ["kind", "text", "created_at", "article", *(f"article__{field}" for field in CORRECTED_STORY)]
    corrections = Correction.objects.public().select_related("article").only(*shown).newest_first()
    page = paginate(request, corrections, kept_as=("corrections",))
    edge.shows(edge.CORRECTIONS)
    edge.shows_listed(*(correction.article for correction in page.object_list))
    return render(request, "articles/correction_list.html", {"page": page})


def article_detail(request, slug):
    # Kept from its second request in this process, like the page: a crawler's single reads keep nothing.
    story = kept(
        "story", slug, compute=lambda: published_story(slug), store_after=settings.NEWSROOM_PAGE_CACHE_STORE_AFTER
    )
    if story is None:
        raise Http404("No published story at this address")
    article = story["article"]
    if article.language != get_language():
        return redirect(article.get_absolute_url(), permanent=True)  # one address per story
    with_places([article])
    context = article_context(request, article, links=story)
    edge.shows(
        article,
        edge.key("region", article.region_id),  # its related stories are its topics' newest
        edge.key("section", article.section_id),
        *context["tags"],
        *context["party_organisations"],
        *context["party_projects"],
        *(credit.person for credit in context["credits"]),
    )
    edge.shows_listed(*context["translations"], *context["related"])
    return render(request, "articles/article_detail.html", context)


def article_context(request, article, *, is_preview=False, links=None):
    """What the public article template needs, for readers and for previews alike (`links` as linked_content).

    A reader gets the story's stored part when it is current (articles/story_parts.py); a preview renders its own.
    """
    links = linked_content(article) if links is None else links
    related = related_articles(article, [tag.pk for tag in links["tags"]])
    part = render_part(article, links, is_preview=True) if is_preview else part_for(article, links)
    return {
        "article": article,
        "part": personalised(part, request, article),
        "related": related,
        # The block is the same for every story with the same related stories (often a region's newest).
        "related_stories": "-".join(str(story.pk) for story in related),
        **links,
        "is_preview": is_preview,
    }


def related_articles(article, tag_ids, limit=RELATED_LIMIT):
    """The newest stories sharing a tag or the region with `article`, in its language.

    Each tag's and region's newest stories are kept per content generation and shared by every story of that
    topic: a story read for the first time usually finds all of its topics already answered.
    """
    topics = [(article.language, "tag", pk) for pk in tag_ids]
    if article.region_id:
        topics.append((article.language, "region", article.region_id))
    newest = kept_each("newest-of-topic", topics, lambda missing: statements.newest_of_topics(missing, limit + 1))
    candidates = {story.pk: story for stories in newest.values() for story in stories if story.pk != article.pk}
    by_date = sorted(candidates.values(), key=lambda story: (story.publish_at, story.pk), reverse=True)
    return with_places(by_date[:limit])


def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    stories = Article.objects.public().filter(section=section).for_listing().newest_first()
    page = paginate(request, stories, kept_as=("section", section.pk))
    page.object_list = with_places(page.object_list)
    edge.shows(section)
    edge.shows_listed(*page.object_list)
    return render(request, "articles/article_list.html", {"page": page, "heading": section.display_name})


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    taggings = ArticleTag.objects.filter(tag=tag).published().in_language(get_language() or "ru").newest_first()
    page = paginate(request, taggings, paginator_class=TagPaginator, kept_as=("tag", tag.pk))
    page.object_list = with_places(page.object_list)
    edge.shows(tag)
    edge.shows_listed(*page.object_list)
    return render(request, "articles/article_list.html", {"page": page, "heading": f"#{tag.name}"})


def author_detail(request, slug):
    """An author's page: photo, short biography in the page's language and the stories they wrote or co-wrote."""
    profile = get_object_or_404(AuthorProfile.objects.public().select_related("user"), slug=slug)
    stories = Article.objects.public().credited_to(profile.user_id).for_listing().newest_first()
    page = paginate(request, stories, kept_as=("author", profile.user_id))
    page.object_list = with_places(page.object_list)
    edge.shows(profile, edge.key("author", profile.user_id))
    edge.shows_listed(*page.object_list)
    return render(request, "articles/author_detail.html", {"profile": profile, "page": page})


def search_page(request):
    text = full_text.clean_query(request.GET.get("q", ""))
    filters = search_filters(request)
    context = {"query": text, "filters": filters, "page": None, "max_candidates": full_text.MAX_CANDIDATES}
    edge.shows(edge.ALL_STORIES)
    if text:
        articles = Article.objects.public().for_listing()
        if filters["region"]:
            articles = articles.filter(region=filters["region"])
        if filters["section"]:
            articles = articles.filter(section=filters["section"])
        if filters["date_from"]:
            articles = articles.filter(publish_at__date__gte=filters["date_from"])
        if filters["date_to"]:
            articles = articles.filter(publish_at__date__lte=filters["date_to"])
        language = get_language() or "ru"
        page = search_results(request, articles, text, language, filters)
        page.object_list = with_places(page.object_list)
        if page.object_list:
            snippets = full_text.snippets(Article.objects.filter(pk__in=[a.pk for a in page]), text, language)
            for article in page:
                article.highlighted = snippets[article.pk]
        context["page"] = page
        edge.shows_listed(*page.object_list)
    return render(request, "articles/search.html", context)


def search_results(request, articles, text, language, filters):
    """The requested page of ranked results, looked for among the recent stories first (see search.search)."""
    window_key = "|".join([language, *(str(getattr(value, "pk", value) or "") for value in filters.values())])
    since = full_text.recent_window_start(articles, window_key)
    ranked = full_text.search(articles, text, language, since=since)
    # The query goes into the key as a digest: any text makes a valid cache key.
    query = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return paginate(request, ranked, paginator_class=SearchPaginator, kept_as=("search", window_key, query))


def search_filters(request):
    """Region, section and dates from the query string; anything unreadable is ignored."""
    navigation = header_context(request)
    regions = {region.slug: region for region in navigation["nav_regions"]}
    sections = {section.slug: section for section in navigation["nav_sections"]}
    return {
        "region": regions.get(request.GET.get("region", "")),
        "section": sections.get(request.GET.get("section", "")),
        "date_from": full_text.clean_date(request.GET.get("from", "")),
        "date_to": full_text.clean_date(request.GET.get("to", "")),
    }
