"""Run the benchmark of issue 7, print its tables and write docs/benchmarks.md.

    python -m bench.run                      # N = 20,000 articles in var/bench
    python -m bench.run --articles 2000 --duration 3
    python -m bench.run --scale              # also N = 1,000 and 100,000 in var/bench-1000, var/bench-100000
    python -m bench.run --scale-only
    python -m bench.run --scale-only --scale-sizes 1000,3000 --duration 2   # a quick check of the scale run
    python -m bench.run --report-only        # rewrite docs/benchmarks.md from var/bench-results/

For each database: migrate, generate the content (manage.py generate_bench_content, skipped when it is there),
render the stories' stale page parts (manage.py render_story_parts), vacuum and analyse the database,
count the SQL of every page with the test client (bench.probe), then serve the site production-like with gunicorn
(one sync worker per core, bench.floor_wsgi) on a free loopback port and load every page with wrk (bench/rotate.lua)
or, without wrk, bench.loadgen: once with the page cache off and once on (bench.lines). The cold article line
runs on a server of its own, started for it with every cache emptied and no warm-up, page cache off and on.
The results go to var/bench-results/ and docs/benchmarks.md. Every gunicorn and embedded PostgreSQL started
here is stopped at the end.
"""

import argparse
import datetime
import json
import os
import platform
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import report
from bench.admin import admin_timings
from bench.lines import CORES, cold_line, read_files, say, serve_and_load
from bench.server import PYTHON, ROOT
from newsroom import embedded_db

RESULTS = ROOT / "var" / "bench-results"
STATIC_ROOT = ROOT / "var" / "bench-static"
STATIC_FILE = "bench/article-size.html"
SCALE_SIZES = (1_000, 100_000)
FLOOR_LINE = (report.FLOOR, ["/bench-floor/"])
# Empties every configured cache: a cold line starts from nothing another server or run left there.
CLEAR_CACHES = "from django.core.cache import caches\nfor cache in caches.all():\n    cache.clear()"
# After bulk writes, what autovacuum would do within minutes in production: visibility maps and statistics that
# match the tables, so that no line measures a vacuum running under it (index-only scans read the visibility map).
# Then a checkpoint: the pages those writes dirtied go to disk now, not under the first lines measured.
VACUUM = (
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    cursor.execute('VACUUM (ANALYZE)')\n"
    "    cursor.execute('CHECKPOINT')"
)


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
        # What a deploy does after migrating: the stories' stored page parts match the code being measured.
        output, seconds = manage(env, "render_story_parts")
        say(f"   {output.splitlines()[-1] if output else ''} ({seconds:.0f} s)")
        _output, seconds = manage(env, "shell", "--no-startup", "-c", VACUUM)
        say(f"   vacuumed and analysed the database, then a checkpoint ({seconds:.0f} s)")
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

    def clear_caches(self):
        """Empty every cache the site is configured with (before a cold line)."""
        manage(self.env(), "shell", "--no-startup", "-c", CLEAR_CACHES)

    def read_database_files(self):
        """Read the database's files once, as a database server that has been running holds its data in memory.

        The cold lines measure stories no worker has served, not the disk: this machine hands its page cache
        back to its host within seconds, so without this read a cold story at N = 100,000 waited for about six
        reads from disk (0.55 ms in its own statement alone, by track_io_timing).
        """
        read_files(self.var_dir / "pgdata" / "base")

    def lines(self):
        """The warm lines: every page the probe found but the cold article."""
        return [(name, page["paths"]) for name, page in self.probe["pages"].items() if name != report.COLD]

    def cold_paths(self):
        return self.probe["pages"][report.COLD]["paths"]

    def admin_timings(self, port):
        return admin_timings(port, self.probe["admin"])

    def stop(self):
        """Stop this dataset's embedded PostgreSQL server."""
        embedded_db.stop(self.var_dir / "pgdata")


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
    lines = reference_lines(dataset) + dataset.lines()
    load_before = os.getloadavg()
    off, admin = serve_and_load(dataset, False, lines, options, dataset.admin_timings)
    off[report.COLD] = cold_line(dataset, False, report.COLD, dataset.cold_paths(), options)
    on, _ = serve_and_load(dataset, True, lines, options)
    on[report.COLD] = cold_line(dataset, True, report.COLD, dataset.cold_paths(), options)
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
    """Every page with the page cache off at each size, the floor, and the cold article line off and on."""
    sizes = {}
    for articles in options.scale_sizes:
        dataset = Dataset(articles, ROOT / "var" / f"bench-{articles}", secret_key)
        started_datasets.append(dataset)
        dataset.prepare()
        off, admin = serve_and_load(dataset, False, [FLOOR_LINE, *dataset.lines()], options, dataset.admin_timings)
        off[report.COLD] = cold_line(dataset, False, report.COLD, dataset.cold_paths(), options)
        on = {report.COLD: cold_line(dataset, True, report.COLD, dataset.cold_paths(), options)}
        dataset.stop()
        sizes[str(articles)] = {
            "articles": articles,
            "probe": dataset.probe,
            "generation": dataset.generation,
            "cache_off": off,
            "cache_on": on,
            "admin": admin,
            "load_average": os.getloadavg(),
        }
    return {"sizes": sizes}


def scale_sizes(text):
    """Parse --scale-sizes: at least two numbers of articles, e.g. `1000,100000`."""
    sizes = sorted({int(size) for size in text.split(",") if size.strip()})
    if len(sizes) < 2:
        raise argparse.ArgumentTypeError("give at least two sizes, e.g. 1000,100000")
    return tuple(sizes)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000, help="Articles of the main run (default 20,000).")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load per line (default 10).")
    parser.add_argument("--connections", type=int, default=2 * CORES, help="Concurrent connections (2 per core).")
    parser.add_argument("--workers", type=int, default=CORES, help="gunicorn sync workers (one per core).")
    parser.add_argument("--scale", action="store_true", help="Also run N = 1,000 and N = 100,000 (cache off).")
    parser.add_argument(
        "--scale-sizes", type=scale_sizes, default=SCALE_SIZES, help="The scale run's sizes (default 1000,100000)."
    )
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
            scale_results["machine"] = machine(scale_results["sizes"][str(options.scale_sizes[0])]["probe"]["postgres"])
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
