from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from articles.models import Article
from regions.models import City, Region
from regions.navigation import CITY_COOKIE, CITY_COOKIE_AGE, navigation


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


def choose_city(request):
    """Remember the reader's city in a cookie and go back to where they were."""
    key = request.GET.get("city", "")
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = "/"
    response = redirect(target)
    if key in navigation()["cities"]:
        response.set_cookie(CITY_COOKIE, key, max_age=CITY_COOKIE_AGE, samesite="Lax", httponly=True)
    return response
