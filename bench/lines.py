"""The benchmark's lines: a list of paths loaded in turn for a fixed time on a gunicorn server.

A warm line is loaded after every path has been requested on the same server (the steady state of serving
processes); a cold line on a server started for it alone, without warm-up, over paths no worker has served.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.server import PYTHON, ROOT, Server, get

ROTATE_LUA = ROOT / "bench" / "rotate.lua"
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
# After a cold server first answers, the time its other workers get to finish importing the site before
# the load starts, so that the line measures first requests rather than a worker still booting.
COLD_SETTLE_SECONDS = 2


def say(text=""):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def warm(port, paths, rounds, connections):
    """Request every path `rounds` times, `connections` at once; return the share of page-cache hits."""
    jobs = [path for _ in range(rounds) for path in paths]
    with ThreadPoolExecutor(connections) as pool:
        results = list(pool.map(lambda path: get(port, path)[1].get("X-Page-Cache"), jobs))
    return sum(result == "hit" for result in results) / max(1, len(results))


def load(port, paths, duration, connections, threads=None):
    """Load `paths` in turn for `duration` seconds with wrk (or bench.loadgen); return its JSON result.

    wrk runs `threads` threads (by default one per two cores).

    Each wrk thread (each loadgen connection) starts at its own evenly spaced point of the list, so that
    they meet no path another has requested unless the list wraps; the result says how many requests were
    sent and over how many distinct paths.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False, encoding="utf-8") as listing:
        listing.write("\n".join(paths) + "\n")
    try:
        if shutil.which("wrk"):
            threads = threads or max(1, min(connections, CORES // 2))
            command = [
                "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
                "-s", str(ROTATE_LUA), f"http://127.0.0.1:{port}", "--", listing.name, str(threads),
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
            result["paths"] = len(paths)
            result["load_average"] = os.getloadavg()[0]
            return result
    sys.exit(f"the load generator printed no result:\n{completed.stdout}{completed.stderr}")


def read_files(directory):
    """Read every file under `directory` once (a database's files, before a cold line) and say how much it was."""
    started = time.perf_counter()
    size = 0
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            with path.open("rb") as data:
                while chunk := data.read(1 << 20):
                    size += len(chunk)
    say(f"   read the database's files ({size / 2**30:.1f} GiB) in {time.perf_counter() - started:.1f} s")


def show(kind, label, name, result):
    """Print one line's figures."""
    say(
        f"   {kind:5} {label:3} {name:28} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
        f"p99 {result['p99_ms']:7.1f} ms  errors {result['errors']}"
    )


def serve_and_load(dataset, page_cache, lines, options, then=None):
    """Serve `dataset` and load every warm (name, paths) line; return {name: result} and what `then(port)` returns.

    `then`, if given, runs on the same server after the lines (the admin's timings).
    """
    label = "on" if page_cache else "off"
    results, after = {}, None
    with Server(dataset.env(page_cache), options.workers, dataset.var_dir / f"gunicorn-cache-{label}.log") as server:
        for name, paths in lines:
            # Close to the steady state of serving processes: every path once per worker (three times with the page
            # cache on), so that the workers hold the navigation, the blocks kept per generation and the pages.
            rounds = 3 * options.workers if page_cache else options.workers
            hits = warm(server.port, paths, rounds, options.connections)
            result = load(server.port, paths, options.duration, options.connections)
            if page_cache:
                # What share of the pages the cache still held after the load (LocMemCache culls when full).
                result["warm_hits"] = hits
                result["hits_after"] = warm(server.port, paths[:60], 1, options.connections)
            results[name] = result
            server.check_alive()
            show("cache", label, name, result)
        if then:
            after = then(server.port)
    return results, after


def cold_line(dataset, page_cache, name, paths, options):
    """Load `paths` on a server started for this line, every cache emptied before it, with no warm-up.

    No worker has served any of the paths: every request is the first for its story in its process, as long
    as the line does not wrap (`first_requests` in the result says whether it did). The database's files are
    read just before (bench.run.Dataset.read_database_files): cold means that no worker has served the story,
    not that the database server has never read it.
    """
    label = "on" if page_cache else "off"
    dataset.clear_caches()
    dataset.read_database_files()
    log = Path(dataset.var_dir) / f"gunicorn-cold-{label}.log"
    with Server(dataset.env(page_cache), options.workers, log) as server:
        time.sleep(COLD_SETTLE_SECONDS)
        result = load(server.port, paths, options.duration, options.connections, getattr(options, "threads", None))
        server.check_alive()
    result["first_requests"] = result.get("distinct_paths") == result.get("sent")
    show("cold", label, name, result)
    if result["first_requests"]:
        say(f"         {result['sent']:,} requests sent over {result['paths']:,} paths: each the first for its story")
    else:
        say(
            f"         {result['sent']:,} requests sent over {result['paths']:,} paths, {result['distinct_paths']:,} "
            "distinct: THE LIST WRAPPED, some requests repeated a story (a longer list or a shorter line is needed)"
        )
    return result
