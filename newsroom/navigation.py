"""What every public page's header needs: sections, regions, cities and the reader's city."""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from articles.models import Section
from newsroom.generation import BLOCK_CACHE_SECONDS, current_generation
from regions.models import City, Region

CITY_COOKIE = "newsroom_city"
CITY_COOKIE_AGE = 365 * 24 * 3600
# The same data kept in this process too, {key: (expires at, data)}: unpickling some 150 model
# instances from the shared cache cost more than rendering the header, and pages ask several times.
_in_process = {}


def navigation():
    """Sections, regions and cities for the header, cached briefly so pages stay cheap."""
    key = f"navigation:{current_generation()}:{get_language()}"
    expires_at, data = _in_process.get(key, (0, None))
    if expires_at > time.monotonic():
        return data
    data = cache.get(key)
    if data is None:
        cities = list(City.objects.select_related("region", "district").order_by("region__name", "-is_centre", "name"))
        data = {
            "sections": list(Section.objects.all()),
            "regions": list(Region.objects.all()),
            "cities": {city_key(city): city for city in cities},
        }
        cache.set(key, data, BLOCK_CACHE_SECONDS)
    if len(_in_process) > 4:
        forget_navigation()
    _in_process[key] = (time.monotonic() + BLOCK_CACHE_SECONDS, data)
    return data


def forget_navigation():
    """Drop this process's copy (the shared cache's copy stays until its content generation ends)."""
    _in_process.clear()


def city_key(city):
    return f"{city.region.slug}/{city.slug}"


def reader_city(request, cities):
    """The city the reader chose (cookie), else the site's default city."""
    chosen = request.COOKIES.get(CITY_COOKIE, "")
    return cities.get(chosen) or cities.get(settings.NEWSROOM_DEFAULT_CITY)


def header_context(request):
    data = navigation()
    city = reader_city(request, data["cities"])
    return {
        "nav_sections": data["sections"],
        "nav_regions": data["regions"],
        "nav_cities": data["cities"],
        "reader_city": city,
        "reader_city_key": city_key(city) if city else "",
    }


def with_places(articles):
    """Read `articles` into a list, each given its section and region from the navigation.

    Sections and regions are a few dozen rows that every public page holds in memory already; joining
    them into each query of articles cost more in planning, compiling and building objects than the rows.
    A section or region the navigation does not hold is left to the ORM.
    """
    data = navigation()
    sections = {section.pk: section for section in data["sections"]}
    regions = {region.pk: region for region in data["regions"]}
    articles = list(articles)
    for article in articles:
        if article.section_id in sections:
            article.section = sections[article.section_id]
        if article.region_id in regions:
            article.region = regions[article.region_id]
    return articles
