"""`make serve` runs the task worker beside gunicorn, and stops it with gunicorn: no process is left behind."""

import os
import signal
import socket
import subprocess
import urllib.error
import urllib.request

import psutil
import pytest

from tests.background.conftest import ROOT, child_environment, live_workers
from tests.processes import eventually, free_port

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def readyz(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def make_serve(tmp_path, port):
    """`make serve` in a session of its own, as a terminal runs it; its output goes to a file."""
    environment = child_environment(DJANGO_SECRET_KEY="serve-test-" + "k" * 50)
    log = open(tmp_path / "serve.log", "wb")  # closed by stop_everything()
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={port}", "WORKERS=1"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return process, log


def processes_of(process):
    """The processes `make serve` started (the worker has a session of its own, so follow parents)."""
    try:
        return psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def command_lines(processes):
    lines = []
    for child in processes:
        try:
            lines.append(" ".join(child.cmdline()))
        except psutil.NoSuchProcess:
            pass
    return lines


def stop_everything(process, processes, log):
    for child in processes:
        if child.is_running():
            child.kill()
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    log.close()


def test_ctrl_c_stops_gunicorn_and_the_worker(tmp_path, empty_queue):
    port = free_port()
    process, log = make_serve(tmp_path, port)
    started = []
    try:
        assert eventually(lambda: readyz(port) == 200, seconds=90), (tmp_path / "serve.log").read_text()
        started = processes_of(process)
        lines = command_lines(started)
        assert any("manage.py worker" in line for line in lines), lines
        assert any("gunicorn" in line for line in lines), lines

        os.killpg(process.pid, signal.SIGINT)  # what Ctrl+C does: the terminal signals its foreground group
        process.wait(60)

        assert eventually(lambda: not any(child.is_running() for child in started), seconds=10)
        assert live_workers() == 0  # the worker stopped cleanly and said so
    finally:
        stop_everything(process, started, log)


def test_the_worker_stops_when_gunicorn_cannot_start(tmp_path, empty_queue):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        process, log = make_serve(tmp_path, port)
        started = []
        try:
            worker = eventually(
                lambda: [line for line in command_lines(processes_of(process)) if "manage.py worker" in line],
                seconds=60,
            )
            assert worker, (tmp_path / "serve.log").read_text()
            started = processes_of(process)
            assert process.wait(90) != 0  # gunicorn gives up on the busy port, and make with it
            assert not any(child.is_running() for child in started), command_lines(started)
            assert eventually(lambda: live_workers() == 0, seconds=10)
        finally:
            stop_everything(process, started, log)
