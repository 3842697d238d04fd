"""`make soak`: the scaled-out cluster under readers and editors while its parts fail in turn (issue 16).

    python -m bench.soak                    # 600 s; results to var/soak-results/, report to docs/reliability.md
    python -m bench.soak --duration 60      # every fault still happens, in shorter windows
    python -m bench.soak --report-only      # rewrite docs/reliability.md from the newest var/soak-results/*.json

Starts bench.cluster.Cluster under var/soak/ (emptied first; its logs stay in var/soak/logs/ afterwards), reads
the pages to load from the cluster's own content, then runs readers (bench/soak_readers.py), editors
(bench/soak_editors.py) with their publication probes (bench/soak_probes.py) and the faults
(bench/soak_faults.py) together for --duration seconds, loopback only. Afterwards it looks every acknowledged
save up in PostgreSQL, sums up (bench/soak_summary.py), judges the targets (bench/soak_targets.py) and writes
the report (bench/soak_report.py). Everything started is stopped, whatever happens.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import soak_report, soak_summary
from bench.cluster import NGINX, Cluster, postgres_bin
from bench.lines import CORES, say
from bench.soak_editors import Editors
from bench.soak_faults import GRACE_SECONDS, MemorySampler, memory, phases, run_faults, schedule
from bench.soak_probes import GIVE_UP_SECONDS, POLL_SECONDS, Probes
from bench.soak_readers import Readers
from bench.soak_site import site_facts, verify_saves
from bench.soak_targets import targets

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "soak-results"
DOCS = ROOT / "docs" / "reliability.md"
TITLE_PREFIX = "Проверка"  # the soak's stories' titles start so (the cluster's database is new for each run)


def version(command):
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20)
    except OSError:
        return "unknown"
    return (done.stdout + done.stderr).strip().splitlines()[0] if (done.stdout + done.stderr).strip() else "unknown"


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    with open("/proc/meminfo", encoding="utf-8") as info:
        ram_kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
    return {
        "cores": CORES, "cpu": cpu, "ram_gib": round(ram_kib / 2**20, 1),
        "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
        "postgres": version([postgres_bin() / "postgres", "--version"]).replace("postgres (PostgreSQL)", "PostgreSQL"),
        "varnish": version(["varnishd", "-V"]).split(" revision")[0].replace("varnishd (", "").rstrip(")"),
        "nginx": version([NGINX, "-v"]).replace("nginx version: ", ""),
        "redis": version(["redis-server", "--version"]).split(" sha=")[0].replace("Redis server v=", "Redis "),
    }  # fmt: skip


def code_state():
    """Which code ran: the commit, and the uncommitted changes on top of it (a hash of `git diff HEAD`)."""

    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout

    changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]
    return {
        "commit": git("rev-parse", "--short", "HEAD").strip() or "unknown",
        "uncommitted_files": sorted(changed),
        "diff_sha256": hashlib.sha256(git("diff", "HEAD").encode()).hexdigest()[:16] if changed else None,
    }


def soak(cluster, duration, connections, think_seconds, editor_count):
    """Load `cluster` for `duration` seconds with the faults; return the raw results."""
    say("Reading the cluster's content …")
    facts = site_facts(cluster)
    say("  " + ", ".join(f"{len(paths)} {kind} paths" for kind, paths in facts["paths"].items()))
    start_memory = memory(cluster)
    began = time.monotonic()

    def clock():
        return time.monotonic() - began

    probes = Probes(cluster.edge_url, clock)
    readers = Readers(cluster.edge_url, facts["paths"], clock, connections, think_seconds).start()
    editors = Editors(editor_count, cluster.edge_url, facts, clock, probes, TITLE_PREFIX).start()
    sampler = MemorySampler(cluster, clock)
    sampler.start()
    stopped = threading.Event()
    say(f"{connections} readers and {editor_count} editors through {cluster.edge_url} for {duration} s …")
    warm_memory, faults = {}, []
    try:
        first = max(1.0, schedule(duration)[0][2] - 2)
        while clock() < first:
            time.sleep(0.2)
        warm_memory = memory(cluster)
        for fault in run_faults(cluster, duration, clock, stopped, announce=say):
            faults.append(fault)
        while clock() < duration:
            time.sleep(0.2)
    finally:
        ended = clock()
        readers.stop()
        editors.stop()
        events = probes.join()
        samples = sampler.stop()
    say("Looking up every acknowledged save …")
    actions = editors.actions()
    the_phases = phases(faults, ended)
    return {
        "duration_s": round(ended, 1),
        "settings": {
            "connections": connections,
            "think_s": think_seconds,
            "editors": editor_count,
            "grace_s": GRACE_SECONDS,
            "poll_s": POLL_SECONDS,
            "give_up_s": GIVE_UP_SECONDS,
        },
        "schedule": faults,
        "phases": the_phases,
        "readers": soak_summary.readers(readers.records(), the_phases),
        "editors": soak_summary.editors(actions, the_phases),
        "saves": verify_saves(cluster.database_url, editors.acknowledged(), editors.attempts(), TITLE_PREFIX),
        "latency": soak_summary.latency(events, the_phases),
        "memory": soak_summary.memory(start_memory, warm_memory, memory(cluster), samples),
        "logs": soak_summary.logs(cluster.root / "logs"),
        # Whether each server was still running at the end (the cluster restarts none by itself but app server b).
        "running_at_end": {p.name: p.running() for p in [*cluster.apps, *cluster.workers, *cluster.others.values()]},
        "probe_events": events,
    }


def run(duration=600, root=ROOT / "var" / "soak", results_dir=RESULTS, connections=60, think_seconds=0.25,
        editor_count=3, command=None):  # fmt: skip
    """Start the cluster, soak it, stop it; write the JSON into `results_dir` and return (results, its path)."""
    meta = {
        "command": command or shlex.join(["python", "-m", "bench.soak", *sys.argv[1:]]),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "code": code_state(),
    }
    say(f"Starting the cluster under {root} (PostgreSQL, Redis, two app servers with task workers, nginx, Varnish) …")
    started = time.monotonic()
    with Cluster(root) as cluster:
        say(f"  up in {time.monotonic() - started:.0f} s: {cluster.edge_url}/")
        results = {**meta, **soak(cluster, duration, connections, think_seconds, editor_count)}
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{datetime.datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    say(f"Results: {path}")
    return results, path


def newest_results(results_dir=RESULTS):
    found = sorted(results_dir.glob("*.json"))
    if not found:
        sys.exit(f"No results in {results_dir}: run `make soak` first.")
    return json.loads(found[-1].read_text("utf-8")), found[-1]


def write_report(results, docs=DOCS):
    say(soak_report.console(results))
    docs.parent.mkdir(parents=True, exist_ok=True)
    docs.write_text(soak_report.render(results), "utf-8")
    say(f"Wrote {docs}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=600, help="Seconds of load (default 600).")
    parser.add_argument("--connections", type=int, default=60, help="Reader connections (default 60).")
    parser.add_argument("--think", type=float, default=0.25, help="A reader's mean pause between pages, s.")
    parser.add_argument("--editors", type=int, default=3, choices=[2, 3], help="Editors at the admin (default 3).")
    parser.add_argument("--docs", type=Path, default=DOCS, help="Where to write the report.")
    parser.add_argument("--report-only", action="store_true", help="Rewrite the report from var/soak-results/.")
    options = parser.parse_args()
    if options.report_only:
        results, path = newest_results()
        say(f"From {path}")
    else:
        command = os.environ.get("SOAK_COMMAND")
        results, _ = run(options.duration, connections=options.connections, think_seconds=options.think,
                         editor_count=options.editors, command=command)  # fmt: skip
    write_report(results, options.docs)
    missed = [t["target"] for t in targets(results) if not t["met"]]
    if missed:
        say("Targets not met: " + "; ".join(missed))


if __name__ == "__main__":
    main()
