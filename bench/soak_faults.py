"""The soak's faults, one after another with quiet phases between, and the app servers' memory meanwhile.

A fault's window runs from the moment it starts until the failed part is back, plus GRACE_SECONDS for the
servers to notice; a quiet phase is everything between windows. The schedule scales with the soak's duration:
with --duration 60 every fault still happens, shorter.
"""

import threading
import time

import psutil

GRACE_SECONDS = 5
MIN_QUIET_SECONDS = 3
# nginx keeps an app server that failed a request out of the balance for 10 s (fail_timeout in
# deploy/nginx/newsroom-balancer.conf): faults start further apart than that, so each meets a cluster at rest.
MIN_FAULT_SPACING_SECONDS = 12
MEMORY_EVERY_SECONDS = 10
# (name, what happens, where in the soak it starts, as a share of the duration)
FAULTS = [
    ("postgres", "PostgreSQL stopped (fast shutdown) and started again", 0.10),
    ("redis", "Redis stopped and started again (empty)", 0.28),
    ("worker", "one gunicorn worker of app server a killed with SIGKILL", 0.46),
    ("app-b", "app server b stopped (SIGTERM to gunicorn) and started again", 0.66),
]


def clamp(value, low, high):
    return max(low, min(high, value))


def schedule(duration):
    """[(name, label, start second, seconds down)] for a soak of `duration` seconds."""
    down = round(clamp(duration / 20, 2, 5), 1)
    app_down = round(clamp(duration / 12, 5, 20), 1)
    return [
        (name, label, round(duration * share, 1), {"postgres": down, "redis": down, "app-b": app_down}.get(name, 0))
        for name, label, share in FAULTS
    ]


def run_fault(cluster, name, down_seconds):
    """Cause fault `name` and return once the failed part is back: {what was done}."""
    if name == "postgres":
        cluster.restart_postgres(down_seconds=down_seconds)
        return {"down_seconds": down_seconds}
    if name == "redis":
        cluster.restart_redis(down_seconds=down_seconds)
        return {"down_seconds": down_seconds}
    if name == "worker":
        before = set(cluster.gunicorn_workers(0))
        killed = cluster.kill_one_worker(0)
        # Back when the master has started a worker in its place.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = set(cluster.gunicorn_workers(0))
            if len(now) >= len(before) and killed not in now:
                return {"killed_pid": killed, "replaced_by": sorted(now - before)}
            time.sleep(0.2)
        return {"killed_pid": killed, "replaced_by": None}
    if name == "app-b":
        cluster.stop_app_server(1)
        time.sleep(down_seconds)
        cluster.start_app_server(1)
        return {"down_seconds": down_seconds}
    raise ValueError(name)


def run_faults(cluster, duration, clock, stopped, announce=lambda text: None):
    """Run the schedule against `cluster`, yielding each fault once it is over: {name, label, start_s, end_s,
    window_end_s, details}."""
    earliest = 0.0
    for name, label, start, down in schedule(duration):
        start = max(start, earliest)
        while clock() < start:
            stopped.wait(min(0.2, start - clock()))
        began = clock()
        announce(f"  {began:6.1f} s  {label} …")
        details = run_fault(cluster, name, down)
        ended = clock()
        announce(f"  {ended:6.1f} s  back ({', '.join(f'{k} {v}' for k, v in details.items())})")
        yield {"name": name, "label": label, "start_s": round(began, 2), "end_s": round(ended, 2),
               "window_end_s": round(ended + GRACE_SECONDS, 2), "details": details}  # fmt: skip
        earliest = max(ended + GRACE_SECONDS + MIN_QUIET_SECONDS, began + MIN_FAULT_SPACING_SECONDS)


def phases(faults, duration):
    """The quiet phases and fault windows in order: [{name, kind, start_s, end_s}]."""
    result, at = [], 0.0
    for number, fault in enumerate(faults):
        result.append({"name": f"quiet {number + 1}", "kind": "quiet", "start_s": at, "end_s": fault["start_s"]})
        result.append({"name": fault["name"], "kind": "fault", "label": fault["label"], "start_s": fault["start_s"],
                       "end_s": fault["window_end_s"], "details": fault["details"]})  # fmt: skip
        at = fault["window_end_s"]
    result.append({"name": f"quiet {len(faults) + 1}", "kind": "quiet", "start_s": at, "end_s": round(duration, 2)})
    return result


def memory(cluster):
    """{"a:pid": resident MB} of every gunicorn worker now."""
    try:
        return {f"{server}:{pid}": round(mb, 1) for (server, pid), mb in cluster.worker_memory().items()}
    except psutil.Error:
        return {}  # a master exited as it was asked (app server b being restarted)


class MemorySampler(threading.Thread):
    """The workers' memory every MEMORY_EVERY_SECONDS: [(second, {"a:pid": MB})]."""

    def __init__(self, cluster, clock):
        super().__init__(daemon=True, name="memory")
        self.cluster, self.clock, self.stop_event, self.samples = cluster, clock, threading.Event(), []

    def run(self):
        while not self.stop_event.wait(MEMORY_EVERY_SECONDS):
            self.samples.append((round(self.clock(), 1), memory(self.cluster)))

    def stop(self):
        self.stop_event.set()
        self.join(30)
        return self.samples
