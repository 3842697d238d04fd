"""Run the task worker: refresh the weather once, then work the queue until stopped (SIGINT or SIGTERM)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from procrastinate.exceptions import AlreadyEnqueued

from regions.tasks import refresh_weather

# Deferred each time a worker starts, before its first periodic run: the header has a temperature at once.
STARTUP_TASKS = [refresh_weather]


class Command(BaseCommand):
    help = (
        "Запускает фоновый обработчик задач: письма редакции, погода (сразу и каждый час), очистка. "
        "Останавливается по Ctrl+C или SIGTERM, дав начатым задачам закончиться."
    )

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, help="Сколько задач выполнять одновременно.")

    def handle(self, *args, **options):
        for task in STARTUP_TASKS:
            try:
                task.defer()
            except AlreadyEnqueued:
                pass  # one is already waiting: a second would do the same work
        worker_options = ["--concurrency", str(options["concurrency"])] if options["concurrency"] else []
        call_command("procrastinate", "worker", *worker_options)
