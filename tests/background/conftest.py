"""A real task worker (`manage.py worker` in a process of its own) on the test database, and loopback fakes.

The worker sees only committed rows, so the tests that run one are transactional. Every process is
bounded in time and stopped in the fixture's teardown.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from newsroom.background.models import Job
from tests.open_meteo import FakeOpenMeteo, running
from tests.processes import database_environment, eventually, free_port

ROOT = Path(__file__).resolve().parent.parent.parent
QUEUE_TABLES = "procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers, procrastinate_workers"


def child_environment(**extra):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    environment.update(
        database_environment(),
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        EMAIL_URL=f"smtp://127.0.0.1:{free_port()}",
        # Tests never leave the machine: the weather refresh at start goes to a closed local port.
        NEWSROOM_WEATHER_URL=f"http://127.0.0.1:{free_port()}/v1/forecast",
        NEWSROOM_WEATHER_TIMEOUT="2",
        no_proxy="127.0.0.1,localhost",
    )
    environment.update(extra)
    return environment


@pytest.fixture
def empty_queue():
    """The queue's tables are not flushed between tests (the models are unmanaged): empty them around each."""

    def empty():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {QUEUE_TABLES} CASCADE")

    empty()
    yield
    empty()


def jobs(task_name=None):
    """(status, attempts, args) of the queue's jobs, oldest first."""
    found = Job.objects.order_by("id")
    if task_name:
        found = found.filter(task_name=task_name)
    return list(found.values_list("status", "attempts", "args"))


def live_workers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_workers")
        return cursor.fetchone()[0]


class Worker:
    """`manage.py worker` running on the test database; its output is kept for failure messages."""

    def __init__(self, tmp_path, **environment):
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        self.environment = child_environment(**environment)
        self.process = None

    def start(self, timeout=40):
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "worker"],
                cwd=ROOT,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if not eventually(lambda: live_workers() or self.process.poll() is not None, timeout):
            self.stop()
            pytest.fail(f"the worker did not start in {timeout} s:\n{self.output()}")
        if self.process.poll() is not None:
            pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.output()}")
        return self

    def output(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self, timeout=20):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@pytest.fixture
def start_worker(tmp_path, empty_queue):
    """Start `manage.py worker` with extra environment variables; every worker started is stopped after."""
    started = []

    def start(**environment):
        worker = Worker(tmp_path, **environment)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


class Mailbox:
    """What the loopback SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """Start a real SMTP server (aiosmtpd) on a loopback port: `start(port)` returns its Mailbox."""
    controllers = []

    def start(port):
        mailbox = Mailbox()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return mailbox

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def silent_smtp_server():
    """A server that accepts SMTP connections and never says a word: a mail server that hangs."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], accepted
    stop.set()
    thread.join(5)
    for sock in accepted:
        sock.close()
    listener.close()


@pytest.fixture
def weather_server():
    """The local stand-in for Open-Meteo answering +21.4 °C, clear, for every place; it and its URL."""
    fake = FakeOpenMeteo()
    fake.default_reading = (21.4, 0)
    with running(fake) as url:
        yield fake, url
