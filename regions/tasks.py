"""The regions' background work: the header's weather, refreshed hourly and when the worker starts."""

import logging

from procrastinate.contrib.django import app

from regions.weather import update_weather

logger = logging.getLogger(__name__)


# No retry: the next hour's run is the retry. update_weather gives up on a service that does not answer
# after a few requests, so a machine without network logs one line an hour and nothing more.
@app.periodic(cron="0 * * * *", periodic_id="weather")
@app.task(name="regions.refresh_weather", queue="weather", queueing_lock="regions.refresh_weather")
def refresh_weather(timestamp=None):
    """Fetch the current weather of every city; failures are logged, never raised."""
    result = update_weather()
    if result.failed:
        city, message = result.failed[0]
        logger.warning(
            "Weather refreshed for %s cities, %s failed (first: %s: %s)",
            len(result.updated),
            len(result.failed),
            city.name,
            message,
        )
    else:
        logger.info("Weather refreshed for %s cities", len(result.updated))
    return {"updated": len(result.updated), "failed": len(result.failed)}
