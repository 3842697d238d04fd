"""Fetch the current temperature of every city with coordinates from Open-Meteo."""

from django.core.management.base import BaseCommand, CommandError

from regions.weather import update_weather


def cities_phrase(count):
    """Return the count with the right Russian form of «город» (1 город, 2 города, 5 городов)."""
    if count % 10 == 1 and count % 100 != 11:
        return f"{count} город"
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return f"{count} города"
    return f"{count} городов"


class Command(BaseCommand):
    help = "Обновляет текущую погоду всех городов с координатами (Open-Meteo). Запускайте по расписанию, раз в час."

    def handle(self, *args, **options):
        result = update_weather()
        for city, message in result.failed:
            self.stderr.write(f"{city.name} ({city.region.slug}/{city.slug}): {message}")
        if options["verbosity"] >= 2:
            for city in result.updated:
                self.stdout.write(f"{city.name}: {city.temperature} °C, {city.weather_condition or '—'}")
        if result.failed and not result.updated:
            raise CommandError(f"Погода не обновлена ни для одного города, ошибок: {len(result.failed)}")
        self.stdout.write(f"Погода обновлена: {cities_phrase(len(result.updated))}, ошибок: {len(result.failed)}")
