from django.shortcuts import get_object_or_404, render

from articles.models import Article
from regions.models import City, Region


def region_list(request):
    return render(request, "regions/region_list.html", {"regions": Region.objects.all()})


def region_detail(request, slug):
    region = get_object_or_404(Region, slug=slug)
    articles = Article.objects.published().in_region(region).for_listing().newest_first()[:20]
    return render(
        request,
        "regions/region_detail.html",
        {"region": region, "cities": region.cities.all(), "articles": articles},
    )


def city_detail(request, region_slug, slug):
    city = get_object_or_404(City.objects.select_related("region"), region__slug=region_slug, slug=slug)
    articles = Article.objects.published().filter(cities=city).for_listing().newest_first()[:20]
    return render(request, "regions/city_detail.html", {"city": city, "articles": articles})
