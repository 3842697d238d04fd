from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from taggit.models import Tag

from articles.models import Article, Section

PAGE_SIZE = 20


def visible_articles():
    """Published articles in the language of the current page."""
    return Article.objects.published().in_language(get_language() or "ru")


def paginate(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    number = request.GET.get("page") or 1
    try:
        return paginator.page(number)
    except InvalidPage as error:
        raise Http404("No such page") from error


def home(request):
    latest = list(visible_articles().for_listing().newest_first()[:21])
    main_story = next((a for a in latest if a.is_featured), latest[0] if latest else None)
    return render(
        request,
        "articles/home.html",
        {"main_story": main_story, "latest": [a for a in latest if a != main_story][:20]},
    )


def article_list(request):
    page = paginate(request, visible_articles().for_listing().newest_first())
    return render(request, "articles/article_list.html", {"page": page, "heading": None})


def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published().select_related("section", "region", "author"), slug=slug)
    crumbs = [{"title": _("Новости"), "url": reverse("articles:list")}, {"title": article.title}]
    return render(request, "articles/article_detail.html", {"article": article, "crumbs": crumbs})


def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    page = paginate(request, visible_articles().filter(section=section).for_listing().newest_first())
    return render(request, "articles/article_list.html", {"page": page, "heading": section.display_name})


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = paginate(request, visible_articles().filter(tags=tag).for_listing().newest_first())
    return render(request, "articles/article_list.html", {"page": page, "heading": f"#{tag.name}"})
