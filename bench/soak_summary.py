"""The soak's figures, per phase, from what readers, editors and probes recorded; and the logs' notable lines."""

import math
import re
from collections import Counter
from pathlib import Path

from bench.soak_probes import GIVE_UP_SECONDS

BAD_KEPT = 25  # 5xx and failed reader requests kept one by one in the results, per phase
LOG_SIGNS = {
    "tracebacks": "Traceback (most recent call last)",
    "errors": re.compile(r'"level(?:name)?": "(?:ERROR|CRITICAL)"|\[ERROR\]| ERROR '),
    "worker timeouts": "WORKER TIMEOUT",
    "workers booted": "Booting worker",
    "workers recycled (max_requests)": "Autorestarting worker",
}


def percentile(values, fraction):
    """Nearest-rank percentile of sorted `values`; None when empty."""
    if not values:
        return None
    return values[max(0, math.ceil(fraction * len(values)) - 1)]


def phase_index(t, phases):
    for index, phase in enumerate(phases):
        if t < phase["end_s"]:
            return index
    return len(phases) - 1


def is_error(outcome):
    return not isinstance(outcome, int) or outcome >= 500


def readers(records, phases):
    """Per phase: requests, statuses, timeouts and connection errors, latency; and the failed requests themselves.

    A request belongs to the phase in which its answer came (or did not): one sent just before a fault and
    failed by it counts in the fault's window.
    """
    per_phase = [{"statuses": Counter(), "kinds": {}, "ms": [], "errors_at": []} for _ in phases]
    bad, bad_total = [], 0
    for t, outcome, ms, kind, path in records:
        done = round(t + ms / 1000, 3)
        index = phase_index(done, phases)
        stats = per_phase[index]
        stats["statuses"][str(outcome)] += 1
        stats["kinds"].setdefault(kind, Counter())[str(outcome)] += 1
        if isinstance(outcome, int):
            stats["ms"].append(ms)
        if is_error(outcome):
            bad_total += 1
            stats["errors_at"].append(done)
            if len(stats["errors_at"]) <= BAD_KEPT:
                bad.append({"t": done, "outcome": outcome, "ms": ms, "kind": kind, "path": path,
                            "phase": phases[index]["name"]})  # fmt: skip
    result = []
    for phase, stats in zip(phases, per_phase, strict=True):
        statuses, ms = stats["statuses"], sorted(stats["ms"])
        requests = sum(statuses.values())
        pages = sum(n for status, n in statuses.items() if status.isdigit() and int(status) < 400)
        result.append({
            "phase": phase["name"], "requests": requests, "pages": pages,
            "server_errors": sum(n for status, n in statuses.items() if status.isdigit() and int(status) >= 500),
            "timeouts": statuses.get("timeout", 0), "connection_errors": statuses.get("connection error", 0),
            "statuses": dict(sorted(statuses.items())),
            "by_kind": {kind: dict(sorted(counts.items())) for kind, counts in sorted(stats["kinds"].items())},
            "rps": round(requests / max(0.001, phase["end_s"] - phase["start_s"]), 1),
            "p50_ms": percentile(ms, 0.5), "p99_ms": percentile(ms, 0.99), "max_ms": ms[-1] if ms else None,
            # When the first and the last failed answer of the phase came, in seconds of the soak.
            "errors_from_s": min(stats["errors_at"], default=None),
            "errors_until_s": max(stats["errors_at"], default=None),
        })  # fmt: skip
    return {"phases": result, "failed": bad, "failed_total": bad_total, "requests": len(records)}


def editors(actions, phases):
    """Per phase: actions, acknowledged, failed and what the failures were; overall per action."""
    for action in actions:  # in the phase in which it ended, as readers' requests
        action["phase"] = phases[phase_index(action["t"] + action["seconds"], phases)]["name"]
    result = []
    for phase in phases:
        mine = [a for a in actions if a["phase"] == phase["name"]]
        failed = [a for a in mine if not a["ok"]]
        result.append({
            "phase": phase["name"], "actions": len(mine), "acknowledged": len(mine) - len(failed),
            "failed": len(failed), "failures": dict(Counter(f"{a['status']} {a['kind']}" for a in failed)),
        })  # fmt: skip
    by_action = {}
    for action in actions:
        name = action["action"].split(" (")[0]
        entry = by_action.setdefault(name, {"attempts": 0, "acknowledged": 0, "seconds": []})
        entry["attempts"] += 1
        entry["acknowledged"] += action["ok"]
        entry["seconds"].append(action["seconds"])
    for entry in by_action.values():
        seconds = sorted(entry.pop("seconds"))
        entry["p50_s"], entry["max_s"] = percentile(seconds, 0.5), seconds[-1]
    pages = [a["kind"] for a in actions] + [a["followed"] for a in actions if a.get("followed")]
    return {
        "actions": len(actions),
        "phases": result,
        "by_action": by_action,
        "failed": [a for a in actions if not a["ok"]],
        "tracebacks": sum("traceback" in page for page in pages),
        "pages_seen": dict(Counter(pages)),
    }


def latency(events, phases):
    """Publication-to-edge latency in seconds, overall, per kind, and in quiet phases and fault windows apart;
    an event never seen counts as the slowest."""

    def figures(chosen):
        seconds = sorted(e["seconds"] if e["seconds"] is not None else math.inf for e in chosen)
        shown = [None if value == math.inf else value for value in (percentile(seconds, 0.5),
                 percentile(seconds, 0.99), seconds[-1] if seconds else None)]  # fmt: skip
        return {"events": len(chosen), "not_visible": sum(e["seconds"] is None for e in chosen),
                "p50_s": shown[0], "p99_s": shown[1], "max_s": shown[2]}  # fmt: skip

    kinds = sorted({event["kind"] for event in events})
    quiet = {index for index, phase in enumerate(phases) if phase["kind"] == "quiet"}

    def calm(event):
        """Whether the change was acknowledged and seen (or given up on) without a fault window in between."""
        seen = event["t"] + (event["seconds"] if event["seconds"] is not None else GIVE_UP_SECONDS)
        return all(index in quiet for index in range(phase_index(event["t"], phases), phase_index(seen, phases) + 1))

    result = {"all": figures(events), **{kind: figures([e for e in events if e["kind"] == kind]) for kind in kinds}}
    result["in quiet phases"] = figures([e for e in events if calm(e)])
    result["touching a fault window"] = figures([e for e in events if not calm(e)])
    result["give_up_s"] = GIVE_UP_SECONDS
    result["slowest"] = sorted(events, key=lambda e: math.inf if e["seconds"] is None else e["seconds"])[-10:]
    return result


def memory(start, warm, end, samples):
    """Each worker's resident memory at start, after warming up and at the end; like compared with like."""

    def growth(before, after):
        return {pid: {"before_mb": before[pid], "after_mb": after[pid], "ratio": round(after[pid] / before[pid], 2)}
                for pid in sorted(before.keys() & after.keys())}  # fmt: skip

    return {
        "start": start, "warm": warm, "end": end,
        "same_worker_start_to_end": growth(start, end), "same_worker_warm_to_end": growth(warm, end),
        "largest_mb": {"start": max(start.values(), default=None), "warm": max(warm.values(), default=None),
                       "end": max(end.values(), default=None)},
        "over_time": [{"t": t, "largest_mb": max(sample.values(), default=None), "workers": len(sample)}
                      for t, sample in samples],
    }  # fmt: skip


def logs(folder: Path):
    """{log file: {sign: count, "first": [the first few notable lines]}} of the cluster's logs."""
    result = {}
    for path in sorted(folder.glob("*.log")):
        counts, first = Counter(), []
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                for name, sign in LOG_SIGNS.items():
                    if (sign in line) if isinstance(sign, str) else sign.search(line):
                        counts[name] += 1
                        if name in ("tracebacks", "errors", "worker timeouts") and len(first) < 8:
                            first.append(line.strip()[:400])
        if counts:
            result[path.name] = {**dict(counts), "first": first}
    return result
