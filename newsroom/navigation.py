"""What every public page's header needs: sections, regions, cities and the reader's city."""

from django.conf import settings

from articles.models import Section
from newsroom.caching import kept
from regions.models import City, Region

CITY_COOKIE = "newsroom_city"
CITY_COOKIE_AGE = 365 * 24 * 3600


def navigation():
    """Sections, regions and cities for the header, kept per content generation so pages stay cheap."""
    return kept("navigation", compute=read_navigation)


def read_navigation():
    cities = list(City.objects.select_related("region", "district").order_by("region__name", "-is_centre", "name"))
    return {
        "sections": list(Section.objects.all()),
        "regions": list(Region.objects.all()),
        "cities": {city_key(city): city for city in cities},
    }


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
