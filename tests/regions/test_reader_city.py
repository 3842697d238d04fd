"""The reader's city in the header: default Petropavl, the temperature while fresh, the city chooser."""

from datetime import timedelta
from decimal import Decimal

import html5lib
import pytest
from django.utils import timezone

from newsroom.navigation import CITY_COOKIE
from regions.models import City
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

PETROPAVL = "severo-kazakhstanskaya-oblast/petropavlovsk"
ALMATY = "almaty/almaty"


def set_weather(key, temperature, age):
    region_slug, slug = key.split("/")
    City.objects.filter(region__slug=region_slug, slug=slug).update(
        temperature=None if temperature is None else Decimal(temperature),
        weather_condition="облачно",
        weather_observed_at=None if age is None else timezone.now() - age,
    )


def reader_city(client, url="/"):
    """The header's city paragraph: (city name, temperature or None)."""
    response = client.get(url)
    assert response.status_code == 200
    tree = html5lib.parse(response.content.decode(), treebuilder="etree", namespaceHTMLElements=False)
    [paragraph] = tree.findall(".//p[@class='reader-city']")
    name = "".join(paragraph.find("a").itertext())
    temperature = paragraph.find("span[@class='reader-city__temperature']")
    return name, None if temperature is None else temperature.text


def test_default_city_is_petropavl_without_temperature_when_there_is_no_reading(client):
    set_weather(PETROPAVL, None, None)

    assert reader_city(client) == ("Петропавловск", None)


def test_default_city_links_to_its_page(client):
    content = client.get("/").content.decode()

    assert '<a href="/regions/severo-kazakhstanskaya-oblast/petropavlovsk/">Петропавловск</a>' in content


@pytest.mark.parametrize(
    ("temperature", "shown"),
    [
        ("21.4", "+21°C"),
        ("21.6", "+22°C"),
        ("-5.2", "\u22125°C"),
        ("-12.0", "\u221212°C"),
        ("0.3", "0°C"),
        ("-0.3", "0°C"),
        ("0.0", "0°C"),
        ("40.0", "+40°C"),
    ],
)
def test_fresh_temperature_is_shown_rounded_with_its_sign(client, temperature, shown):
    set_weather(PETROPAVL, temperature, timedelta(hours=1))

    assert reader_city(client) == ("Петропавловск", shown)


def test_minus_sign_is_the_typographic_minus_not_a_hyphen(client):
    set_weather(PETROPAVL, "-5.2", timedelta(hours=1))

    _, shown = reader_city(client)

    assert shown[0] == "\u2212"
    assert "-" not in shown


@pytest.mark.parametrize(
    ("age", "is_shown"),
    [
        (timedelta(minutes=1), True),
        (timedelta(hours=2, minutes=59), True),
        (timedelta(hours=3, minutes=1), False),
        (timedelta(days=2), False),
    ],
)
def test_temperature_is_shown_only_while_the_reading_is_under_three_hours_old(client, age, is_shown):
    set_weather(PETROPAVL, "21.4", age)

    assert reader_city(client) == ("Петропавловск", "+21°C" if is_shown else None)


def test_temperature_without_an_observation_time_is_not_shown(client):
    City.objects.filter(slug="petropavlovsk").update(temperature=Decimal("21.4"), weather_observed_at=None)

    assert reader_city(client) == ("Петропавловск", None)


def test_choosing_a_city_sets_the_cookie_and_goes_back(client):
    response = client.get("/regions/choose-city/", {"city": ALMATY, "next": "/news/"})

    assert response.status_code == 302
    assert response["Location"] == "/news/"
    cookie = response.cookies[CITY_COOKIE]
    assert cookie.value == ALMATY
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 300 * 24 * 3600


def test_chosen_city_is_shown_in_the_header_afterwards(client):
    set_weather(ALMATY, "-5.2", timedelta(minutes=30))
    assert reader_city(client, "/news/") == ("Петропавловск", None)

    client.get("/regions/choose-city/", {"city": ALMATY, "next": "/news/"})

    assert reader_city(client, "/news/") == ("Алматы", "\u22125°C")
    assert reader_city(client, "/") == ("Алматы", "\u22125°C")


def test_chosen_city_is_preselected_in_the_chooser(client):
    client.get("/regions/choose-city/", {"city": ALMATY, "next": "/"})

    content = client.get("/").content.decode()

    assert f'<option value="{ALMATY}" selected>' in content
    assert f'<option value="{PETROPAVL}" selected>' not in content


def test_chooser_offers_every_city_and_returns_to_the_current_page(client):
    content = client.get("/news/?page=1").content.decode()

    assert f'<option value="{PETROPAVL}" selected>Петропавловск</option>' in content
    assert f'<option value="{ALMATY}">Алматы</option>' in content
    assert content.count("<option value=") == City.objects.count()
    assert '<input type="hidden" name="next" value="/news/?page=1">' in content


@pytest.mark.parametrize("key", ["nowhere/nothing", "almaty", "", "almaty/almaty/extra", "../../etc/passwd"])
def test_unknown_city_sets_no_cookie(client, key):
    response = client.get("/regions/choose-city/", {"city": key, "next": "/news/"})

    assert response.status_code == 302
    assert response["Location"] == "/news/"
    assert CITY_COOKIE not in response.cookies


def test_stale_or_forged_cookie_falls_back_to_the_default_city(client):
    client.cookies[CITY_COOKIE] = "nowhere/nothing"

    assert reader_city(client) == ("Петропавловск", None)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/news/",
        "javascript:alert(1)",
        "https:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
    ],
)
def test_choosing_a_city_never_redirects_to_another_site(client, target):
    response = client.get("/regions/choose-city/", {"city": ALMATY, "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_choosing_a_city_without_next_goes_home(client):
    response = client.get("/regions/choose-city/", {"city": ALMATY})

    assert response["Location"] == "/"
    assert response.cookies[CITY_COOKIE].value == ALMATY


def test_choosing_a_city_keeps_a_local_next_with_its_query(client):
    response = client.get("/regions/choose-city/", {"city": ALMATY, "next": "/search/?q=%D1%84&page=2"})

    assert response["Location"] == "/search/?q=%D1%84&page=2"


def test_kazakh_pages_show_the_kazakh_city_name(client):
    set_weather(PETROPAVL, "21.4", timedelta(hours=1))

    assert reader_city(client, "/kk/") == ("Петропавл", "+21°C")
    assert reader_city(client, "/") == ("Петропавловск", "+21°C")


def test_kazakh_city_chooser_posts_to_the_kazakh_address(client):
    content = client.get("/kk/").content.decode()

    assert 'action="/kk/regions/choose-city/"' in content
    assert f'<option value="{PETROPAVL}" selected>Петропавл</option>' in content


def test_kazakh_chooser_sets_the_same_city_for_both_languages(client):
    response = client.get("/kk/regions/choose-city/", {"city": ALMATY, "next": "/kk/"})

    assert response["Location"] == "/kk/"
    assert reader_city(client, "/kk/")[0] == "Алматы"
    assert reader_city(client, "/")[0] == "Алматы"


def test_page_cached_for_one_city_is_not_served_to_a_reader_of_another(client):
    from django.test import Client

    assert reader_city(client, "/") == ("Петропавловск", None)
    other_reader = Client()
    other_reader.cookies[CITY_COOKIE] = ALMATY

    assert reader_city(other_reader, "/")[0] == "Алматы"
    assert reader_city(client, "/")[0] == "Петропавловск"


def test_chosen_city_leads_the_regional_blocks_on_the_home_page(client):
    ArticleFactory(published=True, in_north_kazakhstan=True, title="Новость Петропавловска")
    ArticleFactory(published=True, title="Новость Алматы", region_id=City.objects.get(slug="almaty").region_id)
    client.cookies[CITY_COOKIE] = ALMATY

    content = client.get("/").content.decode()
    blocks = content.split('<section class="region-block"')[1:]

    assert blocks
    assert 'id="region-almaty"' in blocks[0]


def test_region_and_city_pages_list_only_stories_in_the_page_language(client):
    city = City.objects.get(slug="petropavlovsk")
    russian = ArticleFactory(published=True, in_north_kazakhstan=True, title="Русская новость города")
    kazakh = ArticleFactory(published=True, in_north_kazakhstan=True, language="kk", title="Қаладағы жаңалық")
    russian.cities.add(city)
    kazakh.cities.add(city)

    for url in ("/regions/severo-kazakhstanskaya-oblast/", "/regions/severo-kazakhstanskaya-oblast/petropavlovsk/"):
        russian_page = client.get(url).content.decode()
        kazakh_page = client.get(f"/kk{url}").content.decode()
        assert "Русская новость города" in russian_page, url
        assert "Қаладағы жаңалық" not in russian_page, url
        assert "Қаладағы жаңалық" in kazakh_page, url
        assert "Русская новость города" not in kazakh_page, url
