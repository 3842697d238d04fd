"""Under gunicorn with several workers, /metrics adds up every worker's figures and the app writes the access log."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from prometheus_client.parser import text_string_to_metric_families

from articles.models import Article
from tests.factories import ArticleFactory
from tests.processes import database_environment, free_port

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "worker-test-token-" + "Lw3k" * 8


def get(port, path, token=None, timeout=10):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read().decode()


def wait_for_workers(server, port, count, deadline):
    """Until `count` workers run and the site answers; the master's children are its workers."""
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped"
        workers = psutil.Process(server.pid).children()
        if len(workers) == count:
            try:
                get(port, "/healthz", timeout=2)
                return {worker.pid for worker in workers}
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
        time.sleep(0.2)
    raise AssertionError("gunicorn's workers did not start in time")


@pytest.fixture
def gunicorn(tmp_path, transactional_db):
    port = free_port()
    multiprocess_dir = tmp_path / "prometheus"
    multiprocess_dir.mkdir()
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DJANGO_DEBUG"}}
    environment.update(
        database_environment(),
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY="gunicorn-test-" + "Zx8v" * 12,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        NEWSROOM_METRICS_TOKEN=TOKEN,
        NEWSROOM_PAGE_CACHE_SECONDS="0",  # every request reaches its view, under its own name
        PROMETHEUS_MULTIPROC_DIR=str(multiprocess_dir),
    )
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield server, port, multiprocess_dir, tmp_path / "gunicorn.log"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
        log.close()


def sample_values(text, name, **labels):
    return [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    ]


# Committed rows, so that the server's workers see them; the migrated groups are restored for the tests after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_workers_figures_are_added_up_also_after_it_exited(gunicorn):
    server, port, multiprocess_dir, log_path = gunicorn
    ArticleFactory.create_batch(2, status=Article.Status.REVIEW)
    deadline = time.monotonic() + 60
    first_workers = wait_for_workers(server, port, 2, deadline)
    for _ in range(5):
        assert get(port, "/robots.txt")[0] == 200

    # Workers that exit (max_requests, a crash, a reload) leave their counts behind: they stay in the total.
    for pid in first_workers:
        os.kill(pid, signal.SIGTERM)
    while set(first_workers) & {worker.pid for worker in psutil.Process(server.pid).children()}:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    second_workers = wait_for_workers(server, port, 2, deadline)
    assert not first_workers & second_workers
    for _ in range(5):
        assert get(port, "/robots.txt")[0] == 200

    status, text = get(port, "/metrics", token=TOKEN)
    assert status == 200
    assert sample_values(text, "newsroom_http_requests_total", view="robots") == [10]
    assert sample_values(text, "newsroom_review_queue_articles") == [2]
    writers = {int(path.stem.rsplit("_", 1)[1]) for path in multiprocess_dir.glob("*.db")}
    assert writers & first_workers and writers & second_workers, (writers, first_workers, second_workers)

    request_lines = []
    for line in log_path.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry["logger"] == "newsroom.request":
                request_lines.append(entry)
    robots_lines = [entry for entry in request_lines if entry["path"] == "/robots.txt"]
    assert len(robots_lines) == 10  # one line per request, from the app; gunicorn's access log is off
    assert {entry["status"] for entry in robots_lines} == {200}
    assert len({entry["request_id"] for entry in request_lines}) == len(request_lines)
    assert not [line for line in log_path.read_text().splitlines() if '"GET /robots.txt HTTP/1.1"' in line]
