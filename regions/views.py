from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from articles.models import Article
from newsroom import edge
from newsroom.caching import kept
from newsroom.navigation import CITY_COOKIE, CITY_COOKIE_AGE, navigation, with_places
from newsroom.pagination import paginate
from parties.aggregates import region_totals
from regions.models import Region


def region_list(request):
    regions = navigation()["regions"]
    return render(
        request,
        "regions/region_list.html",
        {
            "oblasts": [region for region in regions if region.kind == Region.Kind.OBLAST],
            "cities": [region for region in regions if region.kind == Region.Kind.CITY],
            "crumbs": [{"title": _("Регионы")}],
        },
    )


def region_detail(request, slug):
    region = next((region for region in navigation()["regions"] if region.slug == slug), None)
    if region is None:
        raise Http404
    stories = Article.objects.public().in_region(region).for_listing().newest_first()
    page = paginate(request, stories, kept_as=("region", region.pk))
    page.object_list = with_places(page.object_list)
    edge.shows(region)
    edge.shows_listed(*page.object_list)
    return render(
        request,
        "regions/region_detail.html",
        {
            "region": region,
            "cities": [city for city in navigation()["cities"].values() if city.region_id == region.pk],
            # The side column changes only with the registry: kept per content generation.
            "districts": kept("region-districts", region.pk, compute=lambda: list(region.districts.all())),
            "parties": kept("region-parties", region.pk, compute=lambda: region_totals(region)),
            "page": page,
            "crumbs": [{"title": _("Регионы"), "url": reverse("regions:list")}, {"title": region.display_name}],
        },
    )


def city_detail(request, region_slug, slug):
    city = navigation()["cities"].get(f"{region_slug}/{slug}")
    if city is None:
        raise Http404
    # EXISTS rather than a join, as for tags (articles.views.tag_detail)
    in_city = Article.cities.through.objects.filter(city=city, article=OuterRef("pk"))
    stories = Article.objects.public().filter(Exists(in_city)).for_listing().newest_first()
    page = paginate(request, stories, kept_as=("city", city.pk))
    page.object_list = with_places(page.object_list)
    edge.shows(city)
    edge.shows_listed(*page.object_list)
    return render(
        request,
        "regions/city_detail.html",
        {
            "city": city,
            "page": page,
            "crumbs": [
                {"title": _("Регионы"), "url": reverse("regions:list")},
                {"title": city.region.display_name, "url": city.region.get_absolute_url()},
                {"title": city.display_name},
            ],
        },
    )


def choose_city(request):
    """Remember the reader's city in a cookie and go back to where they were."""
    key = request.GET.get("city", "")
    target = request.GET.get("next") or "/"
    # Only a path on this site: shortcuts.redirect() would take "home" for a view name and fail on others.
    is_local_path = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=False
    )
    response = HttpResponseRedirect(target if is_local_path else "/")
    if key in navigation()["cities"]:
        response.set_cookie(CITY_COOKIE, key, max_age=CITY_COOKIE_AGE, samesite="Lax", httponly=True)
    return response
