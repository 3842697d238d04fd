import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from newsroom import embedded_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs against the embedded server only")
@pytest.mark.django_db
def test_embedded_postgres_answers_when_database_url_is_unset():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('data_directory'), version()")
        data_directory, version = cursor.fetchone()
    assert Path(data_directory) == Path(settings.EMBEDDED_DATABASE_DIR).resolve()
    assert version.startswith("PostgreSQL")


def test_no_autostart_refuses_a_server_that_is_not_running(tmp_path):
    with embedded_db.no_autostart(), pytest.raises(embedded_db.EmbeddedDatabaseUnavailable):
        embedded_db.socket_dir(tmp_path / "pgdata")
    assert not (tmp_path / "pgdata").exists()


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_URL": "postgresql://newsroom@127.0.0.1:9/newsroom"},
        {"NEWSROOM_VAR_DIR": "{tmp}"},
    ],
    ids=["server-down", "embedded-not-started"],
)
def test_healthz_is_503_when_the_database_does_not_answer(env, tmp_path):
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment.update({key: value.format(tmp=tmp_path) for key, value in env.items()})
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, r.json()['database'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **environment,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DJANGO_ALLOWED_HOSTS": "testserver",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "503 down", result.stderr
    assert not (tmp_path / "pgdata").exists()


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="runs against the embedded server only")
def test_healthz_finds_a_server_another_process_started():
    """A fresh gunicorn worker must not report 503 just because it has not connected yet."""
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, r.json()['database'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "newsroom.settings", "DJANGO_ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "200 up", result.stderr
