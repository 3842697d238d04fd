import math
import socket
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from regions.models import City
from regions.weather import BATCH_SIZE, GIVE_UP_AFTER_UNREACHABLE, forecast_url, parse_reading, update_weather
from tests.open_meteo import FakeOpenMeteo, running

pytestmark = pytest.mark.django_db

PETROPAVL = {"region__slug": "severo-kazakhstanskaya-oblast", "slug": "petropavlovsk"}
ALMATY = {"region__slug": "almaty", "slug": "almaty"}
SHIPPED_CITIES = 58


@pytest.fixture(autouse=True)
def outside_connections(monkeypatch):
    """Refuse and record any connection to a host other than this machine."""
    attempts = []
    create_connection = socket.create_connection

    def local_only(address, *args, **kwargs):
        if address[0] not in ("127.0.0.1", "localhost"):
            attempts.append(address)
            raise ConnectionRefusedError(f"tests do not leave the machine: {address}")
        return create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return attempts


@pytest.fixture
def open_meteo(settings):
    fake = FakeOpenMeteo()
    with running(fake) as url:
        settings.NEWSROOM_WEATHER_URL = url
        settings.NEWSROOM_WEATHER_TIMEOUT = 2
        yield fake


def place(city):
    return (str(city.latitude), str(city.longitude))


def run_command(**options):
    stdout, stderr = StringIO(), StringIO()
    call_command("update_weather", stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def test_every_city_with_coordinates_gets_its_temperature_and_condition(open_meteo, outside_connections):
    open_meteo.readings[place(City.objects.get(**PETROPAVL))] = (21.4, 0)
    open_meteo.readings[place(City.objects.get(**ALMATY))] = (-5.6, 95)

    result = update_weather()

    cities = list(City.objects.with_coordinates())
    assert len(cities) == SHIPPED_CITIES
    assert result.failed == []
    assert len(result.updated) == len(cities)
    for city in cities:
        assert city.temperature is not None
        assert city.weather_condition
        assert city.weather_observed_at == open_meteo.observed_at
    petropavl = City.objects.get(**PETROPAVL)
    assert (petropavl.temperature, petropavl.weather_condition) == (Decimal("21.4"), "ясно")
    assert petropavl.formatted_temperature() == "+21°C"
    almaty = City.objects.get(**ALMATY)
    assert (almaty.temperature, almaty.weather_condition) == (Decimal("-5.6"), "гроза")
    assert almaty.formatted_temperature() == "\u22126°C"
    other = City.objects.exclude(pk__in=[petropavl.pk, almaty.pk]).first()
    assert (other.temperature, other.weather_condition) == (Decimal("-12.3"), "небольшой снег")
    # Batched: every request reached the local server, and nothing went anywhere else.
    assert len(open_meteo.requests) == math.ceil(len(cities) / BATCH_SIZE)
    assert outside_connections == []


@pytest.mark.parametrize(
    ("misbehaviour", "message"),
    [
        pytest.param("error", "сервис погоды ответил HTTP 500", id="http-500"),
        pytest.param("malformed", "сервис погоды прислал не JSON", id="malformed-json"),
        pytest.param("slow", "сервис погоды не ответил за 0.3 с", id="timeout"),
        pytest.param("null", "температура не число: None", id="null-temperature"),
    ],
)
def test_one_failing_city_does_not_stop_the_others(open_meteo, settings, outside_connections, misbehaviour, message):
    settings.NEWSROOM_WEATHER_TIMEOUT = 0.3
    petropavl = City.objects.get(**PETROPAVL)
    earlier = timezone.now() - timedelta(hours=1)
    petropavl.temperature, petropavl.weather_condition, petropavl.weather_observed_at = Decimal("3.0"), "ясно", earlier
    petropavl.save()
    open_meteo.misbehaviours[place(petropavl)] = misbehaviour

    result = update_weather()

    [(failed_city, failure)] = result.failed
    assert failed_city == petropavl
    assert message in failure
    assert len(result.updated) == SHIPPED_CITIES - 1
    assert City.objects.exclude(pk=petropavl.pk).filter(weather_observed_at=open_meteo.observed_at).count() == (
        SHIPPED_CITIES - 1
    )
    petropavl.refresh_from_db()
    assert (petropavl.temperature, petropavl.weather_observed_at) == (Decimal("3.0"), earlier)
    assert outside_connections == []


def test_unresponsive_service_is_given_up_on_instead_of_timing_out_city_by_city(open_meteo, settings):
    settings.NEWSROOM_WEATHER_TIMEOUT = 0.3
    open_meteo.hangs_everything = True

    result = update_weather()

    assert result.updated == []
    assert len(result.failed) == SHIPPED_CITIES
    batches = math.ceil(SHIPPED_CITIES / BATCH_SIZE)
    assert len(open_meteo.requests) == batches * (1 + GIVE_UP_AFTER_UNREACHABLE)


def test_only_the_weather_fields_are_written(open_meteo):
    with CaptureQueriesContext(connection) as queries:
        update_weather()

    updates = [query["sql"] for query in queries if query["sql"].startswith('UPDATE "regions_city"')]
    assert len(updates) == SHIPPED_CITIES
    for sql in updates:
        assert sql.split(" WHERE ")[0].count(" = ") == 3
        assert '"temperature"' in sql and '"weather_condition"' in sql and '"weather_observed_at"' in sql


def test_command_prints_a_summary(open_meteo):
    stdout, stderr = run_command()

    assert "Погода обновлена: 58 городов, ошибок: 0" in stdout
    assert stderr == ""


def test_command_lists_each_reading_when_verbose(open_meteo):
    open_meteo.readings[place(City.objects.get(**PETROPAVL))] = (21.4, 0)

    stdout, _ = run_command(verbosity=2)

    assert "Петропавловск: 21.4 °C, ясно" in stdout.splitlines()


def test_command_lists_failures_on_stderr_and_still_succeeds(open_meteo):
    open_meteo.misbehaviours[place(City.objects.get(**PETROPAVL))] = "error"

    stdout, stderr = run_command()

    assert "Погода обновлена: 57 городов, ошибок: 1" in stdout
    assert stderr.splitlines() == [
        "Петропавловск (severo-kazakhstanskaya-oblast/petropavlovsk): сервис погоды ответил HTTP 500"
    ]


def test_command_fails_when_every_city_fails(open_meteo):
    open_meteo.fails_everything = True

    with pytest.raises(CommandError, match="Погода не обновлена ни для одного города, ошибок: 58"):
        run_command()

    assert not City.objects.exclude(temperature=None).exists()


def test_default_endpoint_is_open_meteo_and_tests_never_reach_it(settings, outside_connections):
    if hasattr(settings, "NEWSROOM_WEATHER_URL"):
        del settings.NEWSROOM_WEATHER_URL
    petropavl = City.objects.get(**PETROPAVL)
    assert forecast_url([petropavl]) == (
        "https://api.open-meteo.com/v1/forecast"
        "?latitude=54.8734&longitude=69.1506&current=temperature_2m,weather_code&timezone=UTC"
    )

    with pytest.raises(CommandError):
        run_command()

    assert outside_connections and {host for host, port in outside_connections} == {"api.open-meteo.com"}


def test_reading_time_is_utc_and_unknown_codes_have_no_condition():
    reading = parse_reading({"current": {"time": "2025-01-15T09:45", "temperature_2m": -0.04, "weather_code": 1234}})

    assert reading.observed_at == datetime(2025, 1, 15, 9, 45, tzinfo=UTC)
    assert reading.temperature == Decimal("0.0")
    assert reading.condition == ""


@pytest.mark.parametrize(
    ("temperature", "expected"),
    [
        ("21.4", "+21°C"),
        ("21.6", "+22°C"),
        ("0.4", "0°C"),
        ("0.0", "0°C"),
        ("-0.4", "0°C"),
        ("-5.0", "\u22125°C"),
        ("-12.7", "\u221213°C"),
    ],
)
def test_temperature_is_formatted_with_a_sign(temperature, expected):
    city = City(temperature=Decimal(temperature), weather_observed_at=timezone.now())

    assert city.formatted_temperature() == expected
    assert "-" not in city.formatted_temperature()


@pytest.mark.parametrize(
    ("age", "is_fresh"), [(timedelta(hours=2, minutes=59), True), (timedelta(hours=3, minutes=1), False)]
)
def test_reading_is_fresh_for_under_three_hours(age, is_fresh):
    now = timezone.now()
    city = City(temperature=Decimal("21.0"), weather_observed_at=now - age)

    assert city.has_fresh_weather(now=now) is is_fresh
    assert city.formatted_temperature() == ("+21°C" if is_fresh else "")


def test_city_without_a_reading_has_no_temperature():
    city = City()

    assert not city.has_fresh_weather()
    assert city.formatted_temperature() == ""


@pytest.mark.parametrize(("age", "shown"), [(timedelta(minutes=10), True), (timedelta(hours=3, minutes=1), False)])
def test_header_shows_the_temperature_only_while_fresh(client, age, shown):
    petropavl = City.objects.get(**PETROPAVL)
    petropavl.temperature, petropavl.weather_condition = Decimal("21.4"), "ясно"
    petropavl.weather_observed_at = timezone.now() - age
    petropavl.save()

    html = client.get("/").content.decode()

    assert ("+21°C" in html) is shown
    assert ("reader-city__temperature" in html) is shown
