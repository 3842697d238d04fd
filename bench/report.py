"""Turn the results of bench.run into the tables and targets of docs/benchmarks.md."""

from pathlib import Path

from bench.tables import (
    COLD,
    FLOOR,
    STATIC,
    WARM,
    admin_table,
    cold_notes,
    cold_table,
    pages_table,
    percent,
    query_counts,
    runs,
    scale_admin_table,
    scale_table,
    sizes,
    slowest_table,
    table,
)

MARKER = "<!-- Everything below is written by `make bench` (bench/report.py); edit the text above it. -->"
LISTS = ["home", "news", "region", "tag"]
QUERY_BUDGET = 10
WARM_TARGET = 0.16
COLD_TARGET = 0.12
LIST_TARGET = 0.06


def render(main, scale):
    """Return the generated part of docs/benchmarks.md."""
    parts = ["## Results against the targets", "", targets_table(main, scale), ""]
    if runs(main, scale):
        parts += cold_section(main, scale)
    if main:
        parts += main_section(main)
    if scale:
        parts += scale_section(scale)
    return "\n".join(parts)


def console(main, scale):
    """Return the tables to print at the end of a run."""
    parts = []
    if main:
        parts += [f"N = {main['articles']:,}", "", pages_table(main), "", admin_table(main), ""]
    if scale:
        parts += ["Scale", "", scale_table(scale), "", scale_admin_table(scale), ""]
    if runs(main, scale):
        parts += ["Article, warm and cold, against the floor of the same run", "", cold_table(main, scale), ""]
        parts += [*cold_notes(main, scale), ""]
    parts += ["Targets", "", targets_table(main, scale)]
    return "\n".join(parts)


def write(path: Path, generated):
    """Replace what follows the marker in `path`, keeping the hand-written header above it."""
    header = path.read_text("utf-8").split(MARKER)[0].rstrip() if path.exists() else "# Benchmarks"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{header}\n\n{MARKER}\n\n{generated.rstrip()}\n", "utf-8")


def machine_lines(results):
    machine = results["machine"]
    return [
        f"- Command: `{results['command']}` — {results['date']}",
        f"- Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['ram_gib']} GiB RAM, {machine['os']}",
        f"- Python {machine['python']}, PostgreSQL {machine['postgres']}, {machine['gunicorn']} "
        f"({results['workers']} sync workers), load from {machine['loadgen']}: {results['connections']} connections, "
        f"{results['duration_s']:g} s per line",
    ]


def cold_section(main, scale):
    return [
        "## The article page, warm and cold",
        "",
        "The warm line rotates over 300 stories after every worker has served each of them; the cold line rotates "
        "over the stories outside those, on a server started for the line with every cache emptied and no warm-up "
        "(the database's files read just before, as a database server that has been running holds them in memory). "
        "Requests per second, the share of the trivial view (the floor, page cache off, measured on the same "
        "database in the same run) and latency in milliseconds; «sent / distinct»: the requests the cold line sent "
        "and the distinct stories they went to, equal when every request was the first for its story.",
        "",
        cold_table(main, scale),
        "",
        *cold_notes(main, scale),
        "",
    ]


def main_section(main):
    probe = main["probe"]
    before, after = main["load_average_before"][0], main["load_average_after"][0]
    return [
        f"## N = {main['articles']:,} articles",
        "",
        *machine_lines(main),
        f"- Content: {probe['articles']:,} articles ({probe['published_ru']:,} published in Russian); "
        f"generation: {main['generation']['output']}",
        f"- Load average of the machine: {before:.2f} before, {after:.2f} after (other processes share the cores)",
        "",
        "Requests per second and latency in milliseconds under load, page cache off (NEWSROOM_PAGE_CACHE_SECONDS=0) "
        "and on; queries, SQL time and the whole request's time (one request at a time, cache off) from the test "
        "client (for the cold article, its first request in the process); «on cache hits»: the share of the line's "
        "pages still served from the page cache after the load.",
        "",
        pages_table(main),
        "",
        "Admin (logged in as a superuser through gunicorn with a session cookie, one request at a time):",
        "",
        admin_table(main),
        "",
        "The slowest SQL query of each page (cache off):",
        "",
        slowest_table(probe["pages"]),
        "",
    ]


def scale_section(scale):
    small, large = sizes(scale)
    return [
        f"## Scale: N = {small['articles']:,} and N = {large['articles']:,}",
        "",
        *machine_lines(scale),
        f"- Generation: {small['articles']:,}: {small['generation']['output']}; "
        f"{large['articles']:,}: {large['generation']['output']}",
        f"- Load average of the machine after each size: {small['load_average'][0]:.2f}, "
        f"{large['load_average'][0]:.2f}",
        "",
        "Cache off. Latency in milliseconds under load; queries and SQL time per request from the test client.",
        "",
        scale_table(scale),
        "",
        "Admin, ms per request (p50 of sequential requests through gunicorn, logged in with a session cookie):",
        "",
        scale_admin_table(scale),
        "",
        f"The slowest SQL query of each page at N = {large['articles']:,}:",
        "",
        slowest_table(large["probe"]["pages"]) + "\n\n" + slowest_table(large["probe"]["admin"]),
        "",
    ]


def cold_rows(main, scale):
    """The cold article's targets: page cache off and on, in the main run and at the scale run's largest size."""
    rows, wanted = [], {main["articles"]} if main else set()
    if scale:
        wanted.add(sizes(scale)[1]["articles"])
    for articles, off, on in runs(main, scale):
        if articles not in wanted:
            continue
        for label, results in (("off", off), ("on", on)):
            target = f"cold article ≥ 12 % of the trivial view, N = {articles:,}, page cache {label}"
            result = results.get(COLD)
            if result is None:
                rows.append([target, COLD, "not measured", "–"])
                continue
            row = check(target, COLD, result["rps"] / off[FLOOR]["rps"], COLD_TARGET)
            if not result["first_requests"]:
                row[2] += f" ({result['sent']:,} requests, {result['distinct_paths']:,} stories: wrapped)"
                row[3] += " (wrapped)"
            rows.append(row)
    return rows


def targets_table(main, scale):
    rows = []
    if main:
        off, on, pages = main["cache_off"], main["cache_on"], main["probe"]["pages"]
        floor, ceiling = off[FLOOR]["rps"], on[STATIC]["rps"]
        rows.append(
            check("warm uncached article ≥ 16 % of the trivial view", WARM, off[WARM]["rps"] / floor, WARM_TARGET)
        )
        for name in LISTS:
            rows.append(check("uncached lists ≥ 6 % of the trivial view", name, off[name]["rps"] / floor, LIST_TARGET))
        for name in pages:
            if name != COLD and name in on:  # a cold page is a page-cache miss by definition
                rows.append(check("cached pages ≥ 50 % of the static file", name, on[name]["rps"] / ceiling, 0.5))
        for name, page in pages.items():
            most = max(page["queries"], page.get("queries_cold", 0))
            rows.append(check(f"≤ {QUERY_BUDGET} SQL queries per page, warm or cold", name, most, QUERY_BUDGET, "max"))
    else:
        rows.append(["throughput and query targets", "–", "not measured: run `make bench`", "–"])
    rows += cold_rows(main, scale)
    if scale:
        small, large = sizes(scale)
        n1, n2 = f"{small['articles'] // 1000}k", f"{large['articles'] // 1000}k"
        for name, page in large["probe"]["pages"].items():
            # Not the cold article: its count also follows which authors and tags the probe's earlier pages kept.
            if name not in small["probe"]["pages"] or name == COLD:
                continue
            before, after = query_counts(small["probe"]["pages"][name]), query_counts(page)
            status = "PASS" if before == after else "MISS"
            rows.append([f"same query count at {small['articles']:,} and {large['articles']:,}", name,
                         f"{before} / {after}", status])  # fmt: skip
        for name in large["probe"]["pages"]:
            # Not the cold article: the small archive holds too few stories for a cold line that does not wrap.
            if name != COLD and name in small["cache_off"]:
                ratio = large["cache_off"][name]["p50_ms"] / small["cache_off"][name]["p50_ms"]
                rows.append(check(f"p50 at {n2} ≤ 1.3 × p50 at {n1}", name, ratio, 1.3, "max"))
        for name in large["admin"]:
            ratio = large["admin"][name]["p50_ms"] / small["admin"][name]["p50_ms"]
            rows.append(check(f"admin at {n2} ≤ 1.5 × at {n1}", name, ratio, 1.5, "max"))
    else:
        rows.append(["scale targets", "–", "not measured: run `make bench SCALE=1`", "–"])
    return table(["target", "page", "measured", "result"], rows)


def check(target, page, value, limit, kind="min"):
    """Return a targets row: `value` must reach `limit` (kind min) or stay under it (kind max)."""
    passed = value >= limit if kind == "min" else value <= limit
    if kind == "min" and limit < 1:
        shown = percent(value)
    elif isinstance(value, int):
        shown = str(value)
    else:
        shown = f"{value:.2f}×"
    return [target, page, shown, "PASS" if passed else "**MISS**"]
