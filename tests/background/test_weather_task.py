"""The worker refreshes the header's weather when it starts and then hourly; without a service it stays quiet."""

from decimal import Decimal

import pytest
from procrastinate.contrib.django import app

from regions.models import City
from tests.background.conftest import jobs
from tests.processes import eventually

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WEATHER_TASK = "regions.refresh_weather"
PETROPAVL = {"region__slug": "severo-kazakhstanskaya-oblast", "slug": "petropavlovsk"}


def finished_refresh():
    return [job for job in startup_refreshes() if job[0] in ("succeeded", "failed")]


def startup_refreshes():
    """The refreshes the worker's start deferred (a periodic run carries its tick's timestamp).

    A worker started within ten minutes after the hour also runs the hour's missed tick: procrastinate's
    periodic deferrer catches up ticks that recent, which is a second, harmless refresh.
    """
    return [job for job in jobs(WEATHER_TASK) if "timestamp" not in job[2]]


def test_a_starting_worker_fetches_the_weather_from_the_service(start_worker, weather_server):
    server, url = weather_server

    worker = start_worker(NEWSROOM_WEATHER_URL=url)

    assert eventually(finished_refresh, seconds=30), worker.output()
    assert [job[:2] for job in startup_refreshes()] == [("succeeded", 1)]
    petropavl = City.objects.get(**PETROPAVL)
    assert petropavl.temperature == Decimal("21.4")
    assert petropavl.formatted_temperature() == "+21°C"
    assert City.objects.with_coordinates().filter(temperature=None).count() == 0
    assert server.requests and all(path.startswith("/v1/forecast?") for path in server.requests)


def test_without_the_weather_service_the_refresh_fails_quietly_once(start_worker):
    worker = start_worker()  # its weather URL is a closed local port

    assert eventually(finished_refresh, seconds=40), worker.output()
    # Finished, not failed and not retried: the next hour is the next try.
    assert [job[:2] for job in startup_refreshes()] == [("succeeded", 1)]
    assert not City.objects.exclude(temperature=None).exists()
    assert worker.process.poll() is None
    assert "Weather refreshed for 0 cities, 58 failed" in worker.output()
    assert "Traceback" not in worker.output()


def test_the_weather_is_refreshed_hourly_and_the_clean_ups_are_scheduled():
    schedules = {task.name: cron for task, cron in periodic_schedules()}

    assert schedules[WEATHER_TASK] == "0 * * * *"
    assert schedules["articles.remove_expired_counter_marks"] == "*/30 * * * *"
    assert schedules["newsroom.remove_orphaned_uploads"] == "30 3 * * *"
    assert schedules["newsroom.remove_old_jobs"] == "45 3 * * *"


def periodic_schedules():
    return [(periodic.task, periodic.cron) for periodic in app.periodic_registry.periodic_tasks.values()]
