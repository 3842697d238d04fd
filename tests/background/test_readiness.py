"""/readyz: 200 only when the database answers, every migration is applied and a task worker beat lately."""

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from newsroom.background import readiness
from tests.background.conftest import ROOT, child_environment, live_workers


def readyz(client):
    response = client.get("/readyz")
    return response.status_code, response.json()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ready_only_while_a_worker_runs(client, start_worker):
    assert readyz(client) == (503, {"status": "unavailable", "reason": "worker"})

    worker = start_worker()

    assert readyz(client) == (200, {"status": "ready"})
    worker.stop()
    assert live_workers() == 0  # a worker that stops says so at once
    assert readyz(client) == (503, {"status": "unavailable", "reason": "worker"})


@pytest.mark.django_db
def test_a_worker_not_heard_from_lately_does_not_count(client, settings, empty_queue):
    settings.NEWSROOM_WORKER_SEEN_SECONDS = 60
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '2 minutes')")
    assert readyz(client)[0] == 503

    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '5 seconds')")
    assert readyz(client) == (200, {"status": "ready"})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_not_ready_while_a_migration_is_not_applied(client, empty_queue):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now())")
    readiness.forget()
    assert readyz(client)[0] == 200
    latest = MigrationRecorder.Migration.objects.filter(app="background").order_by("-id").first()
    try:
        call_command("migrate", "background", "zero", verbosity=0)
        readiness.forget()
        assert readyz(client) == (503, {"status": "unavailable", "reason": "migrations"})
    finally:
        call_command("migrate", "background", latest.name, verbosity=0)
        readiness.forget()
    assert readyz(client)[0] == 200


@pytest.mark.django_db
def test_a_ready_answer_costs_a_few_queries(client, django_assert_max_num_queries, empty_queue):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now())")
    client.get("/readyz")  # the first answer in a process also reads the migrations once

    with django_assert_max_num_queries(1):
        assert client.get("/readyz").status_code == 200


def test_not_ready_when_the_database_does_not_answer(tmp_path):
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(r.status_code, r.content.decode())"
    )
    environment = child_environment(DATABASE_URL="postgresql://newsroom@127.0.0.1:9/newsroom")
    environment["DJANGO_ALLOWED_HOSTS"] = "testserver"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == '503 {"status": "unavailable", "reason": "database"}', result.stderr
