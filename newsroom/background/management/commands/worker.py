"""Run the task worker: refresh the weather once, then work the queue until stopped (SIGINT or SIGTERM).

procrastinate's worker stops when its database connection breaks (PostgreSQL restarted, a network blip);
this command then starts it again, five times a second until the database answers, so that e-mail and edge purges
resume by themselves on every server, whatever supervises the process.
"""

import logging
import time

import psycopg
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import OperationalError, connections
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException

from regions.tasks import refresh_weather

logger = logging.getLogger(__name__)

# Deferred each time a worker starts, before its first periodic run: the header has a temperature at once.
STARTUP_TASKS = [refresh_weather]
RESTART_AFTER_SECONDS = 0.2
UNREACHABLE = (OperationalError, psycopg.OperationalError, ConnectorException)


class LostDatabase(logging.Handler):
    """Tells a worker that stopped because a connection broke from one stopped by a signal (procrastinate logs it)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.seen = False

    def emit(self, record):
        if getattr(record, "action", None) == "side_task_failed":
            self.seen = True


class Command(BaseCommand):
    help = (
        "Запускает фоновый обработчик задач: письма редакции, погода (сразу и каждый час), очистка. "
        "Останавливается по Ctrl+C или SIGTERM, дав начатым задачам закончиться."
    )

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, help="Сколько задач выполнять одновременно.")

    def handle(self, *args, **options):
        worker_options = ["--concurrency", str(options["concurrency"])] if options["concurrency"] else []
        lost = LostDatabase()
        logging.getLogger("procrastinate").addHandler(lost)
        while True:
            lost.seen = False
            try:
                defer_startup_tasks()
                call_command("procrastinate", "worker", *worker_options)
            except UNREACHABLE as error:
                logger.warning("The queue's database does not answer (%s); the worker starts again in a moment", error)
            else:
                if not lost.seen:
                    return  # stopped by SIGINT or SIGTERM
                logger.warning("The worker lost its database connection; it starts again in a moment")
            connections.close_all()  # Django's own connection broke too: the next try opens a new one
            time.sleep(RESTART_AFTER_SECONDS)


def defer_startup_tasks():
    for task in STARTUP_TASKS:
        try:
            task.defer()
        except AlreadyEnqueued:
            pass  # one is already waiting: a second would do the same work
