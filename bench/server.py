"""gunicorn serving the site for the benchmark, and single requests to it on a new connection."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving bench.floor_wsgi on a free loopback port, for the time of a `with` block."""

    def __init__(self, env, workers, log_path):
        self.env, self.workers, self.log_path = env, workers, log_path
        self.port = free_port()
        self.process = None

    def __enter__(self):
        command = [
            PYTHON, "-m", "gunicorn", "bench.floor_wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--worker-class", "sync",
            "--timeout", "120", "--log-level", "warning", "--chdir", str(ROOT),
        ]  # fmt: skip
        self.log = open(self.log_path, "ab")  # noqa: SIM115  (closed in __exit__)
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        # Not /healthz: it answers 503 in a worker that has not connected to the embedded database yet.
        if wait_until(lambda: answers(self.port, "/bench-floor/"), lambda: self.process.poll() is None):
            return self
        if self.process.poll() is not None:
            sys.exit(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
        self.__exit__(None, None, None)
        sys.exit(f"gunicorn did not answer /bench-floor/ within 90 s; see {self.log_path}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group of the gunicorn started above
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def check_alive(self):
        """Stop the benchmark if gunicorn is gone (stopped from outside?)."""
        if self.process.poll() is not None:
            sys.exit(f"gunicorn exited during the run (stopped from outside?); see {self.log_path}")


def answers(port, path):
    """Whether `path` answers 200 now (False while nothing listens)."""
    try:
        return get(port, path)[0] == 200
    except OSError:
        return False


def wait_until(ready, starting, seconds=90):
    """Whether `ready()` came true within `seconds`, asked every 0.3 s while `starting()` holds."""
    deadline = time.monotonic() + seconds
    while starting() and time.monotonic() < deadline:
        if ready():
            return True
        time.sleep(0.3)
    return False


def get(port, path, headers=None, method="GET", body=None, attempts=3):
    """Make one request on a new connection; return (status, headers, body bytes, milliseconds)."""
    for attempt in range(attempts):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            content = response.read()
            return response.status, response.msg, content, (time.perf_counter() - started) * 1000
        except ConnectionError:
            if attempt == attempts - 1:
                raise
            time.sleep(1)  # a worker was restarted under us; gunicorn replaces it
        finally:
            connection.close()
