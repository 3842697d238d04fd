"""The soak's targets, judged from its results alone (so that --report-only judges a saved run the same way).

Each target comes with a reading: what the figures say about why it was met or not, from the figures only.
"""

from collections import Counter

LATENCY_TARGET_S = 1.0
MEMORY_GROWTH = 1.5
# What a failed editor action may show and still be a clear answer: a «try again» page, the login form (the session
# is gone: sign in again), or the admin's own page with its message saying why.
CLEAR = ("try-again page", "login page", "ok")
VARNISH_PAGE = "Varnish's «Backend fetch failed» page"


def share(part, whole):
    return f"{100 * part / whole:.1f} %" if whole else "–"


def seconds(value):
    return "not seen in 10 s" if value is None else f"{value:.3f} s"


def counted(counts):
    return ", ".join(f"{name} × {n:,}" for name, n in sorted(counts.items(), key=lambda item: -item[1]))


def quiet_phase_names(results):
    return {phase["name"] for phase in results["phases"] if phase["kind"] == "quiet"}


def after_window(results, t):
    """Which fault window `t` is in, or follows and how long after its end."""
    inside = [f for f in results["schedule"] if f["start_s"] <= t < f["window_end_s"]]
    if inside:
        return f"during the {inside[0]['name']} window"
    ended = [f for f in results["schedule"] if f["window_end_s"] <= t]
    return (
        f"{t - ended[-1]['window_end_s']:.1f} s after the {ended[-1]['name']} window" if ended else "before any fault"
    )


def no_5xx_outside(results):
    quiet = quiet_phase_names(results)
    readers = [p for p in results["readers"]["phases"] if p["phase"] in quiet]
    editors = [a for a in results["editors"]["failed"] if a["phase"] in quiet]
    reader_5xx = sum(p["server_errors"] for p in readers)
    editor_5xx = [a for a in editors if (a["status"] or 0) >= 500]
    no_answer = sum(p["timeouts"] + p["connection_errors"] for p in readers)
    examples = [f"{e['path']} → {e['outcome']} at {e['t']:.1f} s ({after_window(results, e['t'])})"
                for e in results["readers"]["failed"] if e["phase"] in quiet][:5]  # fmt: skip
    examples += [f"editor {a['editor']} {a['action']} → {a['status']} {a['kind']} at {a['t']:.1f} s "
                 f"({after_window(results, a['t'])})" for a in editor_5xx][:5]  # fmt: skip
    reading = f"Readers also had {no_answer} timeouts or broken connections outside the windows."
    return {
        "target": "no 5xx outside the fault windows",
        "measured": f"{reader_5xx} of {sum(p['requests'] for p in readers):,} reader requests, "
        f"{len(editor_5xx)} of the editors' actions",
        "met": reader_5xx + len(editor_5xx) == 0,
        "reading": reading + (" The first: " + "; ".join(examples) + "." if examples else ""),
    }


def pages_during_faults(results):
    names = {fault["name"] for fault in results["schedule"]}
    faults = [p for p in results["readers"]["phases"] if p["phase"] in names]
    measured = "; ".join(
        f"{p['phase']}: {share(p['pages'], p['requests'])} pages of {p['requests']:,}"
        + (f" ({counted({s: n for s, n in p['statuses'].items() if not (s.isdigit() and int(s) < 400)})})"
           if p["pages"] < p["requests"] else "")
        for p in faults
    )  # fmt: skip
    failing = []
    for phase in faults:
        by_kind = Counter()
        for kind, statuses in phase["by_kind"].items():
            by_kind[kind] += sum(n for s, n in statuses.items() if not (s.isdigit() and int(s) < 400))
        if +by_kind:
            failing.append(f"{phase['phase']}: {counted(+by_kind)}, from {phase['errors_from_s']:.1f} to "
                           f"{phase['errors_until_s']:.1f} s")  # fmt: skip
    reading = "A page is any answer under 400: Varnish answers from its copies while the origin cannot."
    if failing:
        reading += " The errors by kind of page: " + "; ".join(failing) + "."
    if any("503" in p["statuses"] for p in faults):
        names = {p["phase"] for p in faults if "503" in p["statuses"]}
        paths = Counter(f["path"] for f in results["readers"]["failed"] if f["phase"] in names and f["outcome"] == 503)
        reading += (
            " A 503 is Varnish's own error page: the origin failed and Varnish held no copy of that address to answer "
            "stale with. Readers read every address over and over, so the copies missing were ones a purge had just "
            "removed (a hard purge removes a copy, a soft one keeps it for a stale answer; deploy/varnish/newsroom.vcl)"
            "."
            f" Most often: {counted(dict(paths.most_common(5)))}."
        )
    return {
        "target": "readers get pages during the faults, not errors",
        "measured": measured,
        "met": all(p["pages"] == p["requests"] for p in faults),
        "reading": reading,
    }


def no_traceback(results):
    editors = results["editors"]
    return {
        "target": "editors never see a traceback",
        "measured": f"{editors['tracebacks']} tracebacks in {sum(editors['pages_seen'].values()):,} pages seen",
        "met": editors["tracebacks"] == 0,
        "reading": "Every answer and every followed redirect was searched for Django's debug page and «Traceback».",
    }


def clear_failures(results):
    editors = results["editors"]
    failed = editors["failed"]
    unclear = [a for a in failed if not any(a["kind"].startswith(kind) for kind in CLEAR)]
    kinds = Counter(f"{a['status'] or 'no answer'} {a['kind']}" for a in failed)
    reading = "Every failure showed the site's «try again» page, the login form or the admin's message."
    if unclear:
        reading = f"{len(unclear)} of the failures left the editor without a clear answer."
    if any(a["kind"] == VARNISH_PAGE for a in unclear):
        reading += (
            f" {VARNISH_PAGE} is what Varnish answers when it abandons an origin 5xx (vcl_backend_response in "
            "deploy/varnish/newsroom.vcl) and has no copy to fall back on, as for a POST or an admin page: the "
            "site's own 500 page (templates/500.html) never reaches the editor."
        )
    return {
        "target": "a failed editor action shows a clear «try again» page",
        "measured": f"{len(failed)} of {editors['actions']:,} actions failed"
        + (f": {counted(kinds)}" if kinds else ""),
        "met": not unclear,
        "reading": reading,
    }


def saves_kept(results):
    saves = results["saves"]
    lost = "; ".join(f"{item['action']} of story {item['pk']} (found {item['found']!r})" for item in saves["lost"][:5])
    return {
        "target": "every save the admin acknowledged is in the database",
        "measured": f"{saves['present']:,} of {saves['acknowledged']:,} present "
        f"({', '.join(f'{action} {n}' for action, n in saves['by_action'].items())})",
        "met": not saves["lost"] and saves["acknowledged"] > 0,
        "reading": (f"Lost: {lost}. " if lost else "")
        + f"{saves['created_unacknowledged']} stories were saved though their editor was not told so (the answer "
        "was lost on the way): not a loss, the editor finds the story in the list.",
    }


def latency_target(results):
    latency = results["latency"]
    overall = latency["all"]
    slow = [e for e in latency["slowest"] if e["seconds"] is None or e["seconds"] > LATENCY_TARGET_S]
    reading = f"{overall['not_visible']} changes were not visible at the edge within {latency['give_up_s']} s."
    for part in ("in quiet phases", "touching a fault window"):
        if part in latency:
            entry = latency[part]
            reading += (f" {part.capitalize()}: p99 {seconds(entry['p99_s'])}, max {seconds(entry['max_s'])} over "
                        f"{entry['events']}.")  # fmt: skip
    if slow:
        shown = [f"{e['kind']} of story {e['pk']} at {e['t']:.1f} s: {seconds(e['seconds'])} "
                 f"({after_window(results, e['t'])})" for e in slow[-5:]]  # fmt: skip
        reading += " The slowest: " + "; ".join(shown) + "."
    return {
        "target": f"publication-to-edge latency p99 ≤ {LATENCY_TARGET_S:g} s",
        "measured": f"p50 {seconds(overall['p50_s'])}, p99 {seconds(overall['p99_s'])}, "
        f"max {seconds(overall['max_s'])} over {overall['events']} publications and corrections",
        "met": overall["events"] > 0 and overall["p99_s"] is not None and overall["p99_s"] <= LATENCY_TARGET_S,
        "reading": reading,
    }


def memory_flat(results):
    """Flat from the warm workers on: a just-started worker has served nothing, and fills its caches first."""
    memory = results["memory"]
    same, largest = memory["same_worker_warm_to_end"], memory["largest_mb"]
    grown = {pid: entry for pid, entry in same.items() if entry["ratio"] > MEMORY_GROWTH}
    overall = bool(largest["warm"] and largest["end"] and largest["end"] <= MEMORY_GROWTH * largest["warm"])
    replaced = sorted(memory["warm"].keys() - memory["end"].keys())
    lived = ", ".join(f"{pid} {e['before_mb']} → {e['after_mb']} MB" for pid, e in same.items())
    return {
        "target": f"workers' memory flat (at the end ≤ {MEMORY_GROWTH:g} × warm)",
        "measured": f"largest worker {largest['start']} MB just started, {largest['warm']} MB warm (before the "
        f"first fault), {largest['end']} MB at the end; {len(same)} worker(s) lived from warm to end"
        + (f": {lived}" if lived else ""),
        "met": overall and not grown,
        "reading": "Just started, a worker has served nothing; it grows while it fills its caches (templates, the "
        "blocks kept per process, prepared statements), so it is compared warm with warm. Workers gone by the end "
        f"({', '.join(replaced) or 'none'}: the SIGKILL, app server b's restart and gunicorn's max_requests "
        "recycling) are compared through the largest worker at each moment, new against old.",
    }


def targets(results):
    """[{target, measured, met, reading}] for the run in `results`."""
    checks = [no_5xx_outside, pages_during_faults, no_traceback, clear_failures, saves_kept, latency_target]
    return [check(results) for check in checks] + [memory_flat(results)]
