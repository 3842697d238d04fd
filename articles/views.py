from datetime import timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db.models import BigIntegerField, Count, Func, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from taggit.models import Tag

from articles import counters
from articles import search as full_text
from articles.models import Article, ArticleTag, Section
from newsroom.generation import BLOCK_CACHE_SECONDS, current_generation
from newsroom.navigation import header_context, with_places
from newsroom.pagination import BoundedPaginator, CountedPaginator, paginate

RELATED_CANDIDATES = 60
HOME_LATEST = 12
HOME_REGION_BLOCKS = 4
REGION_BLOCKS_SAMPLE = 200
MOST_READ_DAYS = 7


class Unnest(Func):
    """The elements of an array as rows (PostgreSQL's unnest)."""

    function = "unnest"


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
        ids = self.object_list.values("content_object")[bottom : bottom + self.per_page]
        articles = Article.objects.public().filter(pk__in=ids).for_listing().newest_first()
        return self._get_page(articles, number, self)


def home(request):
    articles = Article.objects.public().for_listing()
    latest = with_places(articles.newest_first()[: HOME_LATEST + 1])
    main_story = next((a for a in latest if a.is_featured), latest[0] if latest else None)
    latest = [a for a in latest if a != main_story][:HOME_LATEST]
    most_read = with_places(
        articles.filter(publish_at__gte=timezone.now() - timedelta(days=MOST_READ_DAYS)).order_by("-views_count")[:5]
    )
    return render(
        request,
        "articles/home.html",
        {
            "main_story": main_story,
            "latest": latest,
            # Read only when the template's fragment for this content generation and region is not cached.
            "region_blocks": SimpleLazyObject(lambda: region_blocks(request, articles)),
            "most_read": most_read,
        },
    )


def region_blocks(request, articles):
    """The regions with the most recent news, the reader's own region first, three stories each."""
    reader_city = header_context(request)["reader_city"]
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
    page = paginate(request, Article.objects.public().for_listing().newest_first())
    page.object_list = with_places(page.object_list)
    return render(request, "articles/article_list.html", {"page": page, "heading": _("Новости")})


def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published().for_page(), slug=slug)
    if article.language != get_language():
        return redirect(article.get_absolute_url(), permanent=True)  # one address per story
    [article] = with_places([article])
    return render(request, "articles/article_detail.html", article_context(article))


def article_context(article, *, is_preview=False, links=None):
    """What the public article template needs, for readers and for previews alike (`links` as linked_content)."""
    links = linked_content(article) if links is None else links
    return {
        "article": article,
        "crumbs": [{"title": _("Новости"), "url": reverse("articles:list")}, {"title": article.title}],
        # Read only when the template's fragment for this story and content generation is not cached.
        "related": SimpleLazyObject(lambda: related_articles(article, links["tags"])),
        **links,
        "counter_token": counters.page_token(article.pk),
        "is_preview": is_preview,
    }


def linked_content(article):
    """The story's tags, its live translations and its party organisations and projects.

    They change only with the content (a story's tags and links are saved with it): kept per content
    generation, so a story's page does not ask four questions, most of them empty, on every request.
    """

    def read():
        # Both directions in one query: the original this story translates, then its own translations.
        either_way = Q(translation_of=article.pk) | Q(pk=article.translation_of_id)
        translations = list(
            Article.objects.published().filter(either_way).exclude(pk=article.pk).defer("body", "search_vector")
        )
        translations.sort(key=lambda translation: (translation.pk != article.translation_of_id, translation.pk))
        return {
            "tags": list(article.tags.all()),
            "translations": translations,
            "party_organisations": list(article.party_organisations.select_related("party")),
            "party_projects": list(article.party_projects.select_related("party")),
        }

    key = f"article-links:{article.pk}:{current_generation()}"
    return cache.get_or_set(key, read, BLOCK_CACHE_SECONDS)


def related_articles(article, tags, limit=4):
    """Newest stories sharing a tag or the region with `article`.

    Candidates are bounded — the newest visible taggings of each of its tags and the region's latest
    stories — so the query costs the same with a thousand articles or a hundred thousand.
    """
    # The newest visible stories of each of its tags, one short walk down the taggings' index per tag,
    # in one subquery: a walk over all its tags at once would read and sort every visible tagging of them.
    newest_of_tag = (
        ArticleTag.objects.published()
        .in_language(article.language)
        .filter(tag=OuterRef("pk"))
        .exclude(content_object=article)
        .newest_first()
        .values("content_object")[:RELATED_CANDIDATES]
    )
    tagged = Tag.objects.filter(pk__in=[tag.pk for tag in tags]).values(
        story=Unnest(ArraySubquery(newest_of_tag), output_field=BigIntegerField())
    )
    same_region = (
        Article.objects.published()
        .in_language(article.language)
        .filter(region_id=article.region_id)
        .exclude(pk=article.pk)
        .newest_first()
        .values("pk")[:RELATED_CANDIDATES]
    )
    condition = Q(pk__in=tagged)
    if article.region_id:
        condition |= Q(pk__in=same_region)
    return with_places(
        Article.objects.published()
        .in_language(article.language)
        .filter(condition)
        .exclude(pk=article.pk)
        .for_listing()
        .newest_first()[:limit]
    )


def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    page = paginate(request, Article.objects.public().filter(section=section).for_listing().newest_first())
    page.object_list = with_places(page.object_list)
    return render(request, "articles/article_list.html", {"page": page, "heading": section.display_name})


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    taggings = ArticleTag.objects.filter(tag=tag).published().in_language(get_language() or "ru").newest_first()
    page = paginate(request, taggings, paginator_class=TagPaginator)
    page.object_list = with_places(page.object_list)
    return render(request, "articles/article_list.html", {"page": page, "heading": f"#{tag.name}"})


def search_page(request):
    text = full_text.clean_query(request.GET.get("q", ""))
    filters = search_filters(request)
    context = {"query": text, "filters": filters, "page": None, "max_candidates": full_text.MAX_CANDIDATES}
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
    return render(request, "articles/search.html", context)


def search_results(request, articles, text, language, filters):
    """The requested page of ranked results, looked for among the recent stories first (see search.search)."""
    window_key = "|".join([language, *(str(getattr(value, "pk", value) or "") for value in filters.values())])
    since = full_text.recent_window_start(articles, window_key)
    return paginate(request, full_text.search(articles, text, language, since=since), paginator_class=CountedPaginator)


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
