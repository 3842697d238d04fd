"""Run the benchmark of issue 7, print its tables and write docs/benchmarks.md.

    python -m bench.run                      # N = 20,000 articles in var/bench
    python -m bench.run --articles 2000 --duration 3
    python -m bench.run --scale              # also N = 1,000 and 100,000 in var/bench-1000, var/bench-100000
    python -m bench.run --scale-only
    python -m bench.run --report-only        # rewrite docs/benchmarks.md from var/bench-results/

For each database: migrate, generate the content (manage.py generate_bench_content, skipped when it is there),
count the SQL of every page with the test client (bench.probe), then serve the site production-like with gunicorn
(one sync worker per core, bench.floor_wsgi) on a free loopback port and load every page with wrk (bench/rotate.lua)
or, without wrk, bench.loadgen: once with the page cache off and once on. The results go to var/bench-results/
and docs/benchmarks.md. Every gunicorn and embedded PostgreSQL started here is stopped at the end.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench import report
from newsroom import embedded_db

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "var" / "bench-results"
STATIC_ROOT = ROOT / "var" / "bench-static"
STATIC_FILE = "bench/article-size.html"
ROTATE_LUA = ROOT / "bench" / "rotate.lua"
DEFAULT_ADMIN_PASSWORD = "bench-admin-password"  # noqa: S105  (a throwaway database on a loopback port)
SCALE_SIZES = (1_000, 100_000)
ADMIN_REPEAT = 20
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def say(text=""):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def manage(env, *args):
    """Run manage.py with `args` in `env`; stop the benchmark if it fails."""
    started = time.perf_counter()
    completed = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    output = (completed.stdout + completed.stderr).replace("\r", "\n")
    if completed.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{output}")
    return output.strip(), time.perf_counter() - started


def base_env(var_dir, secret_key, page_cache=True):
    """The production-like environment of one benchmark database."""
    env = dict(os.environ)
    for name in ["DATABASE_URL", "REDIS_URL", "NEWSROOM_S3_BUCKET"]:
        env.pop(name, None)  # always the embedded database under var/bench*, the local-memory cache, local files
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOG_LEVEL="WARNING",
        NEWSROOM_SERVE_MEDIA="1",
        # The generated superuser has no second factor; production's policy would send it to the setup page.
        NEWSROOM_REQUIRE_2FA="0",
        NEWSROOM_VAR_DIR=str(var_dir),
        STATIC_ROOT=str(STATIC_ROOT),
        BENCH_FLOOR_FILE=str(var_dir / "article-page.html"),
        PYTHONPATH=str(ROOT),
    )
    if not page_cache:
        env["NEWSROOM_PAGE_CACHE_SECONDS"] = "0"
    return env


class Dataset:
    """One benchmark database: an embedded PostgreSQL in `var_dir` holding `articles` generated articles."""

    def __init__(self, articles, var_dir, secret_key):
        self.articles, self.var_dir, self.secret_key = articles, var_dir, secret_key
        self.probe = None
        self.generation = None

    def env(self, page_cache=True):
        return base_env(self.var_dir, self.secret_key, page_cache)

    def prepare(self):
        """Migrate, generate the content and probe the pages; remember what the probe found."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        env = self.env(page_cache=False)
        say(f"== {self.articles:,} articles in {self.var_dir.relative_to(ROOT)}")
        manage(env, "migrate", "--noinput", "--skip-checks")
        output, seconds = manage(env, "generate_bench_content", "--articles", str(self.articles))
        self.generation = {"seconds": round(seconds, 1), "output": output.splitlines()[-1] if output else ""}
        say(f"   {self.generation['output']}")
        probe_file = self.var_dir / "probe.json"
        completed = subprocess.run(
            [PYTHON, "-m", "bench.probe", "--out", probe_file, "--article-page", self.var_dir / "article-page.html"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            sys.exit(f"bench.probe failed:\n{completed.stdout}{completed.stderr}")
        self.probe = json.loads(probe_file.read_text(encoding="utf-8"))
        say(f"   probed {len(self.probe['pages'])} pages and {len(self.probe['admin'])} admin pages")

    def stop(self):
        """Stop this dataset's embedded PostgreSQL server."""
        embedded_db.stop(self.var_dir / "pgdata")


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
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                if get(self.port, "/bench-floor/")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
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


def warm(port, paths, rounds, connections):
    """Request every path `rounds` times, `connections` at once; return the share of page-cache hits."""
    jobs = [path for _ in range(rounds) for path in paths]
    with ThreadPoolExecutor(connections) as pool:
        results = list(pool.map(lambda path: get(port, path)[1].get("X-Page-Cache"), jobs))
    return sum(result == "hit" for result in results) / max(1, len(results))


def load(port, paths, duration, connections):
    """Load `paths` in turn for `duration` seconds with wrk (or bench.loadgen); return its JSON result."""
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False, encoding="utf-8") as listing:
        listing.write("\n".join(paths) + "\n")
    try:
        if shutil.which("wrk"):
            threads = max(1, min(connections, CORES // 2))
            command = [
                "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
                "-s", str(ROTATE_LUA), f"http://127.0.0.1:{port}", "--", listing.name,
            ]  # fmt: skip
        else:
            command = [
                PYTHON, "-m", "bench.loadgen", "--port", str(port), "--connections", str(connections),
                "--duration", str(duration), "--paths", listing.name,
            ]  # fmt: skip
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=duration + 120)
    finally:
        os.unlink(listing.name)
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith("{"):
            result = json.loads(line)
            result["rps"] = result["requests"] / result["duration_s"] if result["duration_s"] else 0.0
            return result
    sys.exit(f"the load generator printed no result:\n{completed.stdout}{completed.stderr}")


def serve_and_load(dataset, page_cache, lines, options, admin=False):
    """Serve `dataset` and load every (name, paths) line; return {name: result} (and the admin timings)."""
    label = "on" if page_cache else "off"
    env = dataset.env(page_cache=page_cache)
    results, admin_results = {}, None
    with Server(env, options.workers, dataset.var_dir / f"gunicorn-cache-{label}.log") as server:
        for name, paths in lines:
            # Close to the steady state of serving processes: every path once per worker (three times with the page
            # cache on), so that the workers hold the navigation, the blocks kept per generation and the pages.
            rounds = 3 * options.workers if page_cache else options.workers
            hits = warm(server.port, paths, rounds, options.connections)
            result = load(server.port, paths, options.duration, options.connections)
            result["paths"] = len(paths)
            result["load_average"] = os.getloadavg()[0]
            if page_cache:
                # What share of the pages the cache still held after the load (LocMemCache culls when full).
                result["warm_hits"] = hits
                result["hits_after"] = warm(server.port, paths[:60], 1, options.connections)
            results[name] = result
            if server.process.poll() is not None:
                sys.exit(f"gunicorn exited during the run (stopped from outside?); see {server.log_path}")
            say(
                f"   cache {label:3} {name:28} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
                f"p99 {result['p99_ms']:7.1f} ms  errors {result['errors']}"
            )
        if admin:
            admin_results = admin_timings(server.port, dataset.probe["admin"])
    return results, admin_results


def login(port, username, password):
    """Log in to the admin through the login form; return the Cookie header of the session."""
    status, headers, body, _ = get(port, "/admin/login/")
    cookies = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"})
    status, headers, body, _ = get(
        port,
        "/admin/login/",
        {"Cookie": f"csrftoken={cookies['csrftoken'].value}", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
        body=form,
    )
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"admin login failed with status {status}")
    return "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())


def admin_timings(port, pages):
    """Time the admin pages one request after another through gunicorn, logged in with a session cookie."""
    password = os.environ.get("BENCH_ADMIN_PASSWORD") or DEFAULT_ADMIN_PASSWORD
    cookie = login(port, "bench-admin", password)
    results = {}
    for name, page in pages.items():
        paths = page["paths"]
        for path in paths[:2]:
            get(port, path, {"Cookie": cookie})
        timings, statuses = [], set()
        for index in range(ADMIN_REPEAT):
            status, _, _, milliseconds = get(port, paths[index % len(paths)], {"Cookie": cookie})
            timings.append(milliseconds)
            statuses.add(status)
        results[name] = {
            "mean_ms": statistics.mean(timings),
            "p50_ms": statistics.median(timings),
            "max_ms": max(timings),
            "statuses": sorted(statuses),
        }
        say(f"   admin {name:30} {results[name]['p50_ms']:8.1f} ms per request (p50 of {ADMIN_REPEAT})")
    return results


def machine(postgres):
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        ram_kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
    loadgen = "bench.loadgen (Python; wrk not found)"
    if shutil.which("wrk"):
        version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
        loadgen = (version.stdout + version.stderr).split("Copyright")[0].strip() or "wrk"
    gunicorn = subprocess.run([PYTHON, "-m", "gunicorn", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "nproc": CORES,
        "cpu": cpu,
        "ram_gib": round(ram_kib / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgres": postgres,
        "gunicorn": gunicorn,
        "loadgen": loadgen,
    }


def reference_lines(dataset):
    """Put the saved article page into the static root and return the static-file and trivial-view lines."""
    static_file = STATIC_ROOT / STATIC_FILE
    static_file.parent.mkdir(parents=True, exist_ok=True)
    static_file.write_bytes((dataset.var_dir / "article-page.html").read_bytes())
    return [("static file (ceiling)", [f"/static/{STATIC_FILE}"]), ("trivial view (floor)", ["/bench-floor/"])]


def run_main(options, secret_key, started_datasets):
    dataset = Dataset(options.articles, ROOT / "var" / "bench", secret_key)
    started_datasets.append(dataset)
    dataset.prepare()
    lines = reference_lines(dataset) + [(name, page["paths"]) for name, page in dataset.probe["pages"].items()]
    load_before = os.getloadavg()
    off, admin = serve_and_load(dataset, False, lines, options, admin=True)
    on, _ = serve_and_load(dataset, True, lines, options)
    dataset.stop()
    return {
        "articles": options.articles,
        "probe": dataset.probe,
        "generation": dataset.generation,
        "cache_off": off,
        "cache_on": on,
        "admin": admin,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }


def run_scale(options, secret_key, started_datasets):
    sizes = {}
    for articles in SCALE_SIZES:
        dataset = Dataset(articles, ROOT / "var" / f"bench-{articles}", secret_key)
        started_datasets.append(dataset)
        dataset.prepare()
        lines = [(name, page["paths"]) for name, page in dataset.probe["pages"].items()]
        off, admin = serve_and_load(dataset, False, lines, options, admin=True)
        dataset.stop()
        sizes[str(articles)] = {
            "articles": articles,
            "probe": dataset.probe,
            "generation": dataset.generation,
            "cache_off": off,
            "admin": admin,
            "load_average": os.getloadavg(),
        }
    return {"sizes": sizes}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000, help="Articles of the main run (default 20,000).")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load per line (default 10).")
    parser.add_argument("--connections", type=int, default=2 * CORES, help="Concurrent connections (2 per core).")
    parser.add_argument("--workers", type=int, default=CORES, help="gunicorn sync workers (one per core).")
    parser.add_argument("--scale", action="store_true", help="Also run N = 1,000 and N = 100,000 (cache off).")
    parser.add_argument("--scale-only", action="store_true", help="Run only the scale comparison.")
    parser.add_argument("--docs", default=str(ROOT / "docs" / "benchmarks.md"), help="Where to write the report.")
    parser.add_argument("--report-only", action="store_true", help="Rewrite the report from var/bench-results.")
    options = parser.parse_args()
    if options.report_only:
        write_report(options.docs)
        return

    RESULTS.mkdir(parents=True, exist_ok=True)
    secret_key = secrets.token_urlsafe(50)
    command = os.environ.get("BENCH_COMMAND") or shlex.join(["python", "-m", "bench.run", *sys.argv[1:]])
    meta = {
        "command": command,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "duration_s": options.duration,
        "connections": options.connections,
        "workers": options.workers,
    }
    started_datasets = []
    # The probe renders pages with the manifest storage, so static files are collected first.
    output, seconds = manage(base_env(ROOT / "var" / "bench", secret_key), "collectstatic", "--noinput", "-v", "0")
    say(f"collectstatic into {STATIC_ROOT.relative_to(ROOT)} in {seconds:.1f} s")
    try:
        if not options.scale_only:
            main_results = {**meta, **run_main(options, secret_key, started_datasets)}
            main_results["machine"] = machine(main_results["probe"]["postgres"])
            (RESULTS / "main.json").write_text(json.dumps(main_results, ensure_ascii=False, indent=1), "utf-8")
        if options.scale or options.scale_only:
            scale_results = {**meta, **run_scale(options, secret_key, started_datasets)}
            scale_results["machine"] = machine(scale_results["sizes"][str(SCALE_SIZES[0])]["probe"]["postgres"])
            (RESULTS / "scale.json").write_text(json.dumps(scale_results, ensure_ascii=False, indent=1), "utf-8")
    finally:
        for dataset in started_datasets:
            dataset.stop()
    write_report(options.docs)


def write_report(docs):
    """Print the tables of the latest results and write them into `docs`."""
    main_results = load_results("main.json")
    scale_results = load_results("scale.json")
    say()
    say(report.console(main_results, scale_results))
    report.write(Path(docs), report.render(main_results, scale_results))
    say(f"Wrote {docs}")


def load_results(name):
    path = RESULTS / name
    return json.loads(path.read_text("utf-8")) if path.exists() else None


if __name__ == "__main__":
    main()
