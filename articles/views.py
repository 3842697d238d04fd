from datetime import timedelta

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateparse, timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from taggit.models import Tag

from articles import search as full_text
from articles.models import Article, Section
from parties.models import PartyProject, PrimaryOrganisation
from regions.models import Region
from regions.navigation import header_context

PAGE_SIZE = 20
MAX_PAGES = 100
HOME_LATEST = 12
HOME_REGION_BLOCKS = 4
MOST_READ_DAYS = 7


def visible_articles():
    """Published articles in the language of the current page."""
    return Article.objects.published().in_language(get_language() or "ru")


class BoundedPaginator(Paginator):
    """Numbered pages over at most MAX_PAGES pages: counting and OFFSET stay cheap however big the archive.

    Older stories remain reachable through sections, tags, regions and search with dates.
    """

    @cached_property
    def count(self):
        return self.object_list[: self.per_page * MAX_PAGES].count()


def paginate(request, queryset, per_page=None):
    paginator = BoundedPaginator(queryset, per_page or PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(_("Такой страницы нет.")) from error
    page.page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def home(request):
    articles = visible_articles().for_listing()
    latest = list(articles.newest_first()[: HOME_LATEST + 1])
    main_story = next((a for a in latest if a.is_featured), latest[0] if latest else None)
    latest = [a for a in latest if a != main_story][:HOME_LATEST]
    most_read = list(
        articles.filter(publish_at__gte=timezone.now() - timedelta(days=MOST_READ_DAYS)).order_by("-views_count")[:5]
    )
    return render(
        request,
        "articles/home.html",
        {
            "main_story": main_story,
            "latest": latest,
            "region_blocks": region_blocks(request, articles),
            "most_read": most_read,
        },
    )


def region_blocks(request, articles):
    """The regions with the most recent news, the reader's own region first, three stories each."""
    reader_city = header_context(request)["reader_city"]
    now = timezone.now()
    recent = Q(
        articles__status=Article.Status.PUBLISHED,
        articles__language=get_language() or "ru",
        articles__publish_at__lte=now,
        articles__publish_at__gte=now - timedelta(days=30),
    )
    busiest = list(
        Region.objects.annotate(recent=Count("articles", filter=recent))
        .filter(recent__gt=0)
        .order_by("-recent", "name")[:HOME_REGION_BLOCKS]
    )
    if reader_city and reader_city.region not in busiest:
        busiest = [reader_city.region, *busiest[: HOME_REGION_BLOCKS - 1]]
    elif reader_city:
        busiest.sort(key=lambda region: region != reader_city.region)
    stories = {}
    for article in articles.filter(region__in=busiest).newest_first()[:60]:
        stories.setdefault(article.region_id, [])
        if len(stories[article.region_id]) < 3:
            stories[article.region_id].append(article)
    return [(region, stories[region.pk]) for region in busiest if stories.get(region.pk)]


def article_list(request):
    page = paginate(request, visible_articles().for_listing().newest_first())
    return render(request, "articles/article_list.html", {"page": page, "heading": _("Новости")})


def article_detail(request, slug):
    article = get_object_or_404(
        Article.objects.published()
        .select_related("section", "region", "author", "translation_of")
        .prefetch_related(
            "tags",
            "translations",
            Prefetch("party_organisations", PrimaryOrganisation.objects.select_related("party")),
            Prefetch("party_projects", PartyProject.objects.select_related("party")),
        ),
        slug=slug,
    )
    if article.language != get_language():
        return redirect(article.get_absolute_url(), permanent=True)  # one address per story
    return render(request, "articles/article_detail.html", article_context(article))


def article_context(article, *, is_preview=False):
    """What the public article template needs, for readers and for previews alike."""
    translations = [t for t in article.translations.all() if t.is_live()]
    if article.translation_of and article.translation_of.is_live():
        translations.insert(0, article.translation_of)
    return {
        "article": article,
        "crumbs": [{"title": _("Новости"), "url": reverse("articles:list")}, {"title": article.title}],
        "related": related_articles(article),
        "translations": translations,
        "is_preview": is_preview,
    }


def related_articles(article, limit=4):
    """Newest stories sharing a tag or the region with `article`."""
    tag_ids = [tag.pk for tag in article.tags.all()]
    condition = Q(tags__in=tag_ids) if tag_ids else Q(pk__in=[])
    if article.region_id:
        condition |= Q(region_id=article.region_id)
    candidates = (
        Article.objects.published()
        .in_language(article.language)
        .filter(condition)
        .exclude(pk=article.pk)
        .values("pk")
        .distinct()
    )
    return list(Article.objects.filter(pk__in=candidates).for_listing().newest_first()[:limit])


def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    page = paginate(request, visible_articles().filter(section=section).for_listing().newest_first())
    return render(request, "articles/article_list.html", {"page": page, "heading": section.display_name})


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = paginate(request, visible_articles().filter(tags=tag).for_listing().newest_first())
    return render(request, "articles/article_list.html", {"page": page, "heading": f"#{tag.name}"})


def search_page(request):
    text = full_text.clean_query(request.GET.get("q", ""))
    filters = search_filters(request)
    context = {"query": text, "filters": filters, "page": None}
    if text:
        articles = visible_articles().for_listing()
        if filters["region"]:
            articles = articles.filter(region=filters["region"])
        if filters["section"]:
            articles = articles.filter(section=filters["section"])
        if filters["date_from"]:
            articles = articles.filter(publish_at__date__gte=filters["date_from"])
        if filters["date_to"]:
            articles = articles.filter(publish_at__date__lte=filters["date_to"])
        context["page"] = paginate(request, full_text.search(articles, text, get_language() or "ru"))
        for article in context["page"]:
            article.highlighted = full_text.highlighted(article.snippet)
    return render(request, "articles/search.html", context)


def search_filters(request):
    """Region, section and dates from the query string; anything unreadable is ignored."""
    navigation = header_context(request)
    regions = {region.slug: region for region in navigation["nav_regions"]}
    sections = {section.slug: section for section in navigation["nav_sections"]}
    return {
        "region": regions.get(request.GET.get("region", "")),
        "section": sections.get(request.GET.get("section", "")),
        "date_from": parse_date(request.GET.get("from", "")),
        "date_to": parse_date(request.GET.get("to", "")),
    }


def parse_date(value):
    try:
        return dateparse.parse_date(value.strip()[:10]) if value else None
    except ValueError:
        return None
