"""Current weather of the cities from Open-Meteo (no API key), one failing city never stopping the others."""

import http.client
import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from regions.models import City

DEFAULT_URL = "https://api.open-meteo.com/v1/forecast"
DEFAULT_TIMEOUT_SECONDS = 5
BATCH_SIZE = 50
# When the service does not answer at all, asking each remaining city would cost a timeout apiece.
GIVE_UP_AFTER_UNREACHABLE = 3
# A reply for 50 locations is about 20 KB; anything far larger is not Open-Meteo talking.
MAX_RESPONSE_BYTES = 1_000_000
# Beyond the records ever measured on Earth, so such a number is a broken reply, not weather.
PLAUSIBLE_TEMPERATURE = Decimal("100")
WEATHER_FIELDS = ["temperature", "weather_condition", "weather_observed_at"]

# WMO weather interpretation codes, as documented by Open-Meteo.
CONDITIONS = {
    0: "ясно",
    1: "малооблачно",
    2: "облачно",
    3: "пасмурно",
    45: "туман",
    48: "туман, изморозь",
    51: "слабая морось",
    53: "морось",
    55: "сильная морось",
    56: "ледяная морось",
    57: "ледяная морось",
    61: "небольшой дождь",
    63: "дождь",
    65: "сильный дождь",
    66: "ледяной дождь",
    67: "ледяной дождь",
    71: "небольшой снег",
    73: "снег",
    75: "сильный снег",
    77: "снежная крупа",
    80: "небольшой ливень",
    81: "ливень",
    82: "сильный ливень",
    85: "снегопад",
    86: "сильный снегопад",
    95: "гроза",
    96: "гроза с градом",
    99: "гроза с сильным градом",
}


class WeatherError(Exception):
    """A reading could not be fetched or understood; the message is shown to the operator."""


class ServiceUnreachable(WeatherError):
    """The service did not answer in time or could not be connected to."""


@dataclass(frozen=True)
class Reading:
    temperature: Decimal
    condition: str
    observed_at: datetime


@dataclass
class WeatherUpdate:
    updated: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (city, message) pairs


def condition_for(code):
    """Return the short Russian name of a WMO weather code, or an empty string for an unknown one."""
    return CONDITIONS.get(code, "")


def forecast_url(cities):
    """Return the Open-Meteo URL asking for the current weather of these cities in one request."""
    base_url = getattr(settings, "NEWSROOM_WEATHER_URL", DEFAULT_URL)
    query = urllib.parse.urlencode(
        {
            "latitude": ",".join(str(city.latitude) for city in cities),
            "longitude": ",".join(str(city.longitude) for city in cities),
            "current": "temperature_2m,weather_code",
            "timezone": "UTC",
        },
        safe=",",
    )
    return f"{base_url}?{query}"


def request_json(url):
    """Fetch a URL within the configured timeout and return its decoded JSON."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise WeatherError(f"адрес сервиса погоды должен начинаться с http:// или https://: {url}")
    timeout = getattr(settings, "NEWSROOM_WEATHER_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "Newsroom weather"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise WeatherError(f"сервис погоды ответил HTTP {error.code}") from error
    except TimeoutError as error:
        raise ServiceUnreachable(f"сервис погоды не ответил за {timeout} с") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise ServiceUnreachable(f"сервис погоды не ответил за {timeout} с") from error
        raise ServiceUnreachable(f"не удалось связаться с сервисом погоды: {error.reason}") from error
    except (OSError, http.client.HTTPException) as error:
        raise ServiceUnreachable(f"связь с сервисом погоды прервалась: {error!r}") from error
    if len(body) > MAX_RESPONSE_BYTES:
        raise WeatherError("сервис погоды прислал слишком длинный ответ")
    try:
        return json.loads(body, parse_constant=reject_constant)
    except ValueError as error:
        raise WeatherError(f"сервис погоды прислал не JSON: {error}") from error


def reject_constant(name):
    """Refuse NaN and Infinity, which Python's JSON parser would otherwise accept."""
    raise ValueError(f"недопустимое значение {name}")


def parse_reading(location):
    """Turn one location object of an Open-Meteo reply into a Reading."""
    try:
        current = location["current"]
        temperature = parse_temperature(current["temperature_2m"])
        # We ask for timezone=UTC, so the offset is 0; honouring it keeps the time right if that ever changes.
        offset = timedelta(seconds=location.get("utc_offset_seconds") or 0)
        observed_at = datetime.fromisoformat(current["time"]).replace(tzinfo=UTC) - offset
        condition = condition_for(current.get("weather_code"))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise WeatherError(f"непонятный ответ сервиса погоды: {error!r}") from error
    return Reading(temperature=temperature, condition=condition, observed_at=observed_at)


def parse_temperature(value):
    """Return a JSON temperature as a Decimal to one place, refusing anything that is not a plausible number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise WeatherError(f"температура не число: {value!r}")
    temperature = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if abs(temperature) >= PLAUSIBLE_TEMPERATURE:
        raise WeatherError(f"неправдоподобная температура: {temperature}")
    return temperature


def fetch_readings(cities):
    """Fetch the current readings of these cities in one request, in the same order."""
    payload = request_json(forecast_url(cities))
    # Open-Meteo answers one location with an object and several with a list.
    locations = [payload] if isinstance(payload, dict) else payload
    if not isinstance(locations, list) or len(locations) != len(cities):
        raise WeatherError(f"сервис погоды прислал данные не для {len(cities)} мест")
    return [parse_reading(location) for location in locations]


def store(city, reading):
    """Save a reading on the city without touching any other field."""
    city.temperature = reading.temperature
    city.weather_condition = reading.condition
    city.weather_observed_at = reading.observed_at
    city.save(update_fields=WEATHER_FIELDS)


def update_weather(cities=None):
    """Fetch and store the current weather of every city with coordinates, batch by batch."""
    if cities is None:
        cities = City.objects.with_coordinates().select_related("region").order_by("pk")
    cities = list(cities)
    result = WeatherUpdate()
    for start in range(0, len(cities), BATCH_SIZE):
        batch = cities[start : start + BATCH_SIZE]
        try:
            readings = fetch_readings(batch)
        except WeatherError as error:
            if len(batch) == 1:
                result.failed.append((batch[0], str(error)))
            else:
                # One bad city spoils the whole batch; asking city by city isolates it.
                update_city_by_city(batch, result)
            continue
        for city, reading in zip(batch, readings, strict=True):
            store(city, reading)
            result.updated.append(city)
    return result


def update_city_by_city(cities, result):
    """Fetch and store each city's reading with a request of its own, recording failures."""
    unreachable_in_a_row = 0
    for city in cities:
        if unreachable_in_a_row >= GIVE_UP_AFTER_UNREACHABLE:
            result.failed.append((city, "не запрошен: сервис погоды недоступен"))
            continue
        try:
            [reading] = fetch_readings([city])
        except ServiceUnreachable as error:
            unreachable_in_a_row += 1
            result.failed.append((city, str(error)))
            continue
        except WeatherError as error:
            unreachable_in_a_row = 0
            result.failed.append((city, str(error)))
            continue
        unreachable_in_a_row = 0
        store(city, reading)
        result.updated.append(city)
