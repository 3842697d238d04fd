"""The figures docs/scaling.md builds on, measured on `make cluster`'s topology: `python -m bench.scale_figures`.

One run, on loopback: a cluster (bench/cluster.py) holding 2,000 generated stories, then
- the edge: 1,000 stories in turn through Varnish once each has been asked for (wrk, 16 connections), and
  its hit ratio over the line (varnishstat);
- the origin behind it: the same stories through the nginx balancer, every one a page-cache hit;
- the view counter: distinct readers counting one story, as fast as the origin takes them;
- one publication through the admin: the rows PostgreSQL wrote and the transactions it committed, and the
  surrogate keys purged;
- publication to edge: stories published and withdrawn through the admin, each timed until the edge shows it.
The result goes to var/bench-results/scale-figures.json.
"""

import json
import os
import re
import shutil
import subprocess
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench.admin import DEFAULT_ADMIN_PASSWORD, login
from bench.cluster import ROOT, Cluster
from bench.lines import CORES, load, say
from bench.server import get

RESULT = ROOT / "var" / "bench-results" / "scale-figures.json"
COUNT_LUA = ROOT / "bench" / "count.lua"
STORIES = 2000
LINE_SECONDS = 10
PUBLICATIONS = 10


class Admin:
    """A moderator in the admin of one app server (its session cookie), acting through the workflow's buttons."""

    def __init__(self, port):
        self.port = port
        cookie = login(port, "bench-admin", DEFAULT_ADMIN_PASSWORD)  # generate_bench_content's superuser
        self.cookies = dict(pair.split("=", 1) for pair in cookie.split("; "))

    def request(self, path, method="GET", fields=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urlencode(fields)
            origin = f"http://127.0.0.1:{self.port}"
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": origin,
                            "Referer": origin + path})  # fmt: skip
        status, answer, content, _ = get(self.port, path, headers, method=method, body=body, attempts=1)
        for value in answer.get_all("Set-Cookie") or []:
            self.cookies.update({name: morsel.value for name, morsel in SimpleCookie(value).items()})
        return status, content.decode(errors="replace")

    def post(self, path, fields):
        return self.request(path, "POST", fields)

    def token(self, path):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.request(path)[1])[1]

    def transition(self, pk, name):
        token = self.token(f"/admin/articles/article/{pk}/change/")
        status, _ = self.post(f"/admin/articles/article/{pk}/transition/{name}/", {"csrfmiddlewaretoken": token})
        assert status == 302, f"{name} of {pk} answered {status}"


def story_paths(cluster, count):
    code = (
        "from articles.models import Article\n"
        f"for a in Article.objects.published().filter(language='ru').order_by('-publish_at')[:{count}]:\n"
        "    print(a.pk, a.get_absolute_url())\n"
    )
    return [line.split() for line in cluster.manage("shell", "-c", code).splitlines() if re.match(r"\d+ /", line)]


def varnish_counters(cluster):
    done = subprocess.run(["varnishstat", "-1", "-n", str(cluster.root / "varnish" / "work"), "-f", "MAIN.cache_hit",
                           "-f", "MAIN.cache_miss"], capture_output=True, text=True, timeout=30)  # fmt: skip
    return {line.split()[0]: int(line.split()[1]) for line in done.stdout.splitlines() if line.strip()}


def database_writes(cluster):
    code = (
        "from django.db import connection\nc = connection.cursor()\n"
        "c.execute('SELECT pg_stat_force_next_flush()')\n"
        "c.execute('SELECT tup_inserted + tup_updated + tup_deleted, xact_commit FROM pg_stat_database "
        "WHERE datname = current_database()')\nprint(*c.fetchone())\n"
    )
    rows, commits = cluster.manage("shell", "-c", code).split()[-2:]
    return int(rows), int(commits)


def edge_and_origin(cluster, paths):
    edge_port, balancer_port = cluster.ports["varnish"], cluster.ports["balancer"]
    for path in paths:  # each once at the edge; three times behind it, so each process's page cache holds it
        get(edge_port, path)
        for _ in range(3):
            get(balancer_port, path)
    before = varnish_counters(cluster)
    edge = load(edge_port, paths, LINE_SECONDS, 16)
    after = varnish_counters(cluster)
    hits, misses = (after[name] - before[name] for name in ("MAIN.cache_hit", "MAIN.cache_miss"))
    origin = load(balancer_port, paths, LINE_SECONDS, 16)
    return {"edge_rps": edge["rps"], "edge_hit_ratio": hits / max(1, hits + misses),
            "origin_page_cache_rps": origin["rps"], "paths": len(paths)}  # fmt: skip


def view_counter(cluster, pk, path):
    """Distinct readers (one User-Agent each) counting one story through the balancer for LINE_SECONDS."""
    token = re.search(rb'data-counter-token="([^"]+)"', get(cluster.ports["balancer"], path)[2])[1].decode()
    before = int(cluster.manage("shell", "-c", f"from articles.models import Article as A\n"
                                             f"print(A.objects.get(pk={pk}).views_count)").split()[-1])  # fmt: skip
    url = f"http://127.0.0.1:{cluster.ports['balancer']}{path}view/"
    done = subprocess.run(["wrk", "-t", "2", "-c", "16", "-d", f"{LINE_SECONDS}s", "-s", str(COUNT_LUA), url, "--",
                           f"token={token}"], capture_output=True, text=True, timeout=LINE_SECONDS + 60)  # fmt: skip
    result = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("{")))
    after = int(cluster.manage("shell", "-c", f"from articles.models import Article as A\n"
                                            f"print(A.objects.get(pk={pk}).views_count)").split()[-1])  # fmt: skip
    return {"counter_rps": result["requests"] / result["duration_s"], "counted": after - before,
            "counter_requests": result["requests"], "counter_non_2xx": result["non_2xx"]}  # fmt: skip


def publications(cluster, admin, stories):
    """Withdraw and publish again each story through the admin; seconds until the edge answers accordingly."""
    edge_port, latencies = cluster.ports["varnish"], []
    writes = None
    for index, (pk, path) in enumerate(stories):
        for name, status in (("unpublish", 404), ("reopen", None), ("publish", 200)):
            get(edge_port, path)
            rows, commits = database_writes(cluster)
            admin.transition(pk, name)
            acknowledged = time.monotonic()
            if index == 0 and name == "publish":
                after_rows, after_commits = database_writes(cluster)
                writes = {"rows_written": after_rows - rows, "transactions": after_commits - commits - 1}
            if status is None:
                continue
            while get(edge_port, path)[0] != status:
                if time.monotonic() - acknowledged > 10:
                    raise RuntimeError(f"the edge did not show {name} of {path} within 10 s")
                time.sleep(0.005)
            latencies.append(time.monotonic() - acknowledged)
    latencies.sort()
    return {**(writes or {}), "publish_to_edge_p50_s": latencies[len(latencies) // 2],
            "publish_to_edge_max_s": latencies[-1], "publish_to_edge_samples": len(latencies)}  # fmt: skip


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    # Every reader comes from 127.0.0.1 here: lift the per-address limit so that each one counts.
    cluster = Cluster(ROOT / "var" / "scale-figures", env={"NEWSROOM_COUNTS_PER_ADDRESS": "100000000"}, seed=False)
    say("Starting the cluster and generating 2,000 stories …")
    with cluster:
        cluster.manage("generate_bench_content", "--articles", str(STORIES), "--any-database", timeout=900)
        stories = story_paths(cluster, 1000)
        paths = [path for _, path in stories]
        figures = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "cores": CORES,
                   "load_average_before": os.getloadavg()[0]}  # fmt: skip
        figures |= edge_and_origin(cluster, paths)
        say(f"edge {figures['edge_rps']:.0f} req/s (hits {figures['edge_hit_ratio']:.1%}), "
            f"origin page cache {figures['origin_page_cache_rps']:.0f} req/s")  # fmt: skip
        figures |= view_counter(cluster, int(stories[0][0]), stories[0][1])
        say(f"view counter {figures['counter_rps']:.0f} counts/s ({figures['counted']} counted)")
        admin = Admin(cluster.app_ports[0])
        figures |= publications(cluster, admin, [(int(pk), path) for pk, path in stories[1 : 1 + PUBLICATIONS]])
        say(f"one publication: {figures['rows_written']} rows in {figures['transactions']} transactions; "
            f"publication to edge p50 {figures['publish_to_edge_p50_s'] * 1000:.0f} ms, "
            f"max {figures['publish_to_edge_max_s'] * 1000:.0f} ms")  # fmt: skip
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(figures, indent=2) + "\n")
    say(f"written to {RESULT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
