"""Newsroom side by side with the Wagtail peer of issue 15 (../shared/peers/wagtail/, see its README).

    python -m bench.peer --peer /tmp/wagtail-peer                             # 15 s per line after 3 s of warm-up
    python -m bench.peer --peer /tmp/wagtail-peer --duration 2 --warmup 1     # a quick check of the harness
    python -m bench.peer --report-only                                        # reprint var/bench-results/peer.json

The peer must be set up first (`N=2000 ./setup.sh` in a writable copy; PEER_DB_PORT if 55432 is taken). This
prepares a Newsroom benchmark database of the same size under var/bench-<N>/ (bench.run's Dataset: migrate,
generate, probe), then loads each line of the issue's table with wrk (-t2 -c16, bench/rotate.lua) on Newsroom
and right after on the peer, each under gunicorn with 2 sync workers started for that line: the trivial view,
one article again and again, 1,000+ articles in turn on freshly started workers without warm-up (Newsroom
page cache off, then on, then the peer), `/news/` and a region page. The peer runs with its own serve.sh
(PEER_DB_PORT passed through) and, if its PostgreSQL is not answering, its pg.sh (stopped again at the end).
Every server started here is stopped at the end, also on an error or Ctrl-C.
"""

import argparse
import datetime
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench import peer_report
from bench.lines import COLD_SETTLE_SECONDS, cold_line, load, read_files, say
from bench.run import RESULTS, Dataset, base_env, machine, manage
from bench.server import ROOT, Server, answers, free_port, get, wait_until
from bench.tables import COLD

RESULT_FILE = RESULTS / "peer.json"
SETTINGS = ("articles", "duration", "warmup", "threads", "connections", "workers")
# Where the peer's pg.sh keeps its cluster (PGROOT, /tmp/wagtail-peer-pg unless told otherwise).
PEER_DATABASE_FILES = Path(os.environ.get("PGROOT", "/tmp/wagtail-peer-pg")) / "data" / "base"


def alive(pid):
    """Whether process `pid` runs (a zombie left to an init that does not reap it counts as gone)."""
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except (ProcessLookupError, FileNotFoundError):
        return False
    except PermissionError:
        return True


class Peer:
    """A set-up copy of the Wagtail peer: its scripts, its benchmark inputs for `articles`, its database port."""

    def __init__(self, root, articles, db_port):
        self.root, self.db_port = Path(root).resolve(), db_port
        inputs = self.root / "run" / f"n{articles}"
        if not (self.root / "serve.sh").exists() or not (inputs / "paths.env").exists():
            sys.exit(
                f"no set-up Wagtail peer with {articles} articles in {self.root}: copy ../shared/peers/wagtail there "
                f"and run `N={articles} ./setup.sh` in it (README of the peer)"
            )
        lines = (inputs / "paths.env").read_text("utf-8").splitlines()
        self.paths = dict(line.split("=", 1) for line in lines if "=" in line)
        self.article_paths = (inputs / "article_paths.txt").read_text("utf-8").split()
        self.pid_file = self.root / "run" / "gunicorn.pid"

    def env(self, **extra):
        return {**os.environ, "PEER_DB_PORT": str(self.db_port), **extra}

    def versions(self):
        freeze = self.root / "run" / "pip-freeze.txt"
        wanted = ("wagtail==", "django==", "gunicorn==", "psycopg2-binary==")
        lines = freeze.read_text("utf-8").splitlines() if freeze.exists() else []
        return [line for line in lines if line.lower().startswith(wanted)]


@contextmanager
def peer_database(peer):
    """Make sure the peer's PostgreSQL answers; start it with pg.sh if it does not, and stop it again after."""
    with socket.socket() as probe:
        probe.settimeout(2)
        running = probe.connect_ex(("127.0.0.1", peer.db_port)) == 0
    if running:
        yield
        return
    say(f"starting the peer's PostgreSQL on port {peer.db_port} (pg.sh start)")
    subprocess.run([peer.root / "pg.sh", "start"], cwd=peer.root, env=peer.env(), check=True, timeout=120)
    try:
        yield
    finally:
        subprocess.run([peer.root / "pg.sh", "stop"], cwd=peer.root, env=peer.env(), timeout=120)


class PeerServer:
    """The peer's gunicorn (its serve.sh --daemon, `workers` sync workers, a free port) for a `with` block."""

    def __init__(self, peer, workers):
        self.peer, self.workers, self.pid = peer, workers, None
        self.port = free_port()

    def read_pid(self):
        try:
            return int(self.peer.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def __enter__(self):
        running = self.read_pid()
        if running and alive(running):
            sys.exit(f"the peer's gunicorn already runs (pid {running}, {self.peer.pid_file}): stop it first")
        env = self.peer.env(WORKERS=str(self.workers), BIND=f"127.0.0.1:{self.port}")
        started = subprocess.run(
            [self.peer.root / "serve.sh", "--daemon"], cwd=self.peer.root, env=env, capture_output=True, timeout=60
        )
        log = self.peer.root / "run" / "gunicorn.log"

        def ready():
            self.pid = self.pid or self.read_pid()  # gunicorn may write it after it first answers
            return bool(self.pid) and answers(self.port, self.peer.paths["CONST_PATH"])

        if wait_until(ready, lambda: started.returncode == 0):
            return self
        self.__exit__(None, None, None)
        sys.exit(f"the peer's gunicorn did not answer {self.peer.paths['CONST_PATH']}; see {log}")

    def __exit__(self, *exc):
        self.pid = self.pid or self.read_pid()
        if not self.pid or not alive(self.pid):
            return
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while alive(self.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if alive(self.pid):
            os.kill(self.pid, signal.SIGKILL)

    def check_alive(self):
        if not self.pid or not alive(self.pid):
            sys.exit("the peer's gunicorn exited during the run (stopped from outside?)")


def warm_line(server, paths, options):
    """Check the first path answers 200, warm up with wrk for --warmup seconds, then measure --duration."""
    status = get(server.port, paths[0])[0]
    if status != 200:
        sys.exit(f"{paths[0]} answered {status} on port {server.port}: not a line to measure")
    if options.warmup > 0:
        load(server.port, paths, options.warmup, options.connections, options.threads)
    result = load(server.port, paths, options.duration, options.connections, options.threads)
    server.check_alive()
    return result


def peer_cold_line(peer, options):
    """The peer's 1,000 article paths in turn on a gunicorn started for the line, without warm-up.

    Its database's files are read just before, as Newsroom's are (bench.lines.cold_line).
    """
    read_files(PEER_DATABASE_FILES)
    with PeerServer(peer, options.workers) as server:
        time.sleep(COLD_SETTLE_SECONDS)  # as Newsroom's cold line: the other workers finish booting
        result = load(server.port, peer.article_paths, options.duration, options.connections, options.threads)
        server.check_alive()
    result["first_requests"] = result.get("distinct_paths") == result.get("sent")
    return result


def show(side, key, result):
    say(
        f"   {side:9} {peer_report.LABELS[key]:66} {result['rps']:8.1f} req/s  "
        f"p99 {result['p99_ms']:7.1f} ms  errors {result['errors']}"
    )


def newsroom_paths(dataset):
    """Newsroom's path for each warm line (the first the probe found) and the size of its cold line."""
    pages = dataset.probe["pages"]
    first = {key: pages[key]["paths"][0] for key in ("article", "news", "region")}
    return {"floor": "/bench-floor/", **first, "cold paths": len(dataset.cold_paths())}


def measure(dataset, peer, options):
    """Every line, Newsroom first and the peer right after; return {key: {"newsroom": …, "wagtail": …}}."""
    cold_paths = dataset.cold_paths()
    if len(cold_paths) < 1000:
        sys.exit(f"the probe found {len(cold_paths)} cold article paths; the line needs at least 1,000")
    ours = newsroom_paths(dataset)
    warm = {
        "floor": ([ours["floor"]], [peer.paths["CONST_PATH"]]),
        "article": ([ours["article"]], [peer.paths["ARTICLE_PATH"]]),
        "news": ([ours["news"]], [peer.paths["LISTING_PATH"]]),
        "region": ([ours["region"]], [peer.paths["REGION_PATH"]]),
    }
    lines = {}
    for key in peer_report.LABELS:
        if key == "cold_on":
            continue
        if key == "cold_off":
            lines["cold_off"] = {"newsroom": cold_line(dataset, False, COLD, cold_paths, options)}
            lines["cold_on"] = {"newsroom": cold_line(dataset, True, COLD, cold_paths, options)}
            lines["cold_off"]["wagtail"] = peer_cold_line(peer, options)
            show("Wagtail", key, lines["cold_off"]["wagtail"])
            continue
        ours, theirs = warm[key]
        log = dataset.var_dir / "gunicorn-peer.log"
        with Server(dataset.env(page_cache=False), options.workers, log) as server:
            lines[key] = {"newsroom": warm_line(server, ours, options)}
        show("Newsroom", key, lines[key]["newsroom"])
        with PeerServer(peer, options.workers) as server:
            lines[key]["wagtail"] = warm_line(server, theirs, options)
        show("Wagtail", key, lines[key]["wagtail"])
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", help="A set-up copy of ../shared/peers/wagtail (e.g. /tmp/wagtail-peer).")
    parser.add_argument("--articles", type=int, default=2000, help="Articles on each side (default 2,000).")
    parser.add_argument("--duration", type=int, default=15, help="Seconds of load per line (default 15).")
    parser.add_argument("--warmup", type=int, default=3, help="Seconds of wrk before each warm line (default 3).")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2).")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16).")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers on each side (default 2).")
    parser.add_argument(
        "--peer-db-port",
        type=int,
        default=int(os.environ.get("PEER_DB_PORT", "55432")),
        help="The peer's PostgreSQL port (default $PEER_DB_PORT, else 55432).",
    )
    parser.add_argument("--report-only", action="store_true", help=f"Reprint {RESULT_FILE.relative_to(ROOT)}.")
    options = parser.parse_args()
    if options.report_only:
        if not RESULT_FILE.exists():
            sys.exit(f"no {RESULT_FILE.relative_to(ROOT)} yet: run python -m bench.peer --peer DIR first")
        say(peer_report.render(json.loads(RESULT_FILE.read_text("utf-8"))))
        return
    if not options.peer:
        parser.error("--peer DIR is required (or --report-only)")
    if not shutil.which("wrk"):
        sys.exit("wrk is needed for the side-by-side run (apt-get install wrk)")
    # A stop from outside unwinds like an error, so that every server started here is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    peer = Peer(options.peer, options.articles, options.peer_db_port)
    secret_key = secrets.token_urlsafe(50)
    dataset = Dataset(options.articles, ROOT / "var" / f"bench-{options.articles}", secret_key)
    command = os.environ.get("BENCH_COMMAND") or shlex.join(["python", "-m", "bench.peer", *sys.argv[1:]])
    results = {
        "command": command,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "settings": {key: getattr(options, key) for key in SETTINGS},
        "peer": {
            "dir": str(peer.root),
            "db_port": peer.db_port,
            "paths": peer.paths,
            "versions": peer.versions(),
            "cold paths": len(peer.article_paths),
        },
    }
    with ExitStack() as stack:
        stack.callback(dataset.stop)
        # The probe renders pages with the manifest storage, so static files are collected first (as bench.run).
        manage(base_env(dataset.var_dir, secret_key), "collectstatic", "--noinput", "-v", "0")
        dataset.prepare()
        stack.enter_context(peer_database(peer))
        results["load_average_before"] = os.getloadavg()
        results["newsroom_paths"] = newsroom_paths(dataset)
        results["lines"] = measure(dataset, peer, options)
        results["load_average_after"] = os.getloadavg()
    results["machine"] = machine(dataset.probe["postgres"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    RESULT_FILE.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    say()
    say(peer_report.render(results))
    say(f"\nWrote {RESULT_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
