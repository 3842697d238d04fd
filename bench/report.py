"""Turn the results of bench.run into the tables and targets of docs/benchmarks.md."""

from pathlib import Path

MARKER = "<!-- Everything below is written by `make bench` (bench/report.py); edit the text above it. -->"
STATIC = "static file (ceiling)"
FLOOR = "trivial view (floor)"
LISTS = ["home", "news", "region", "tag"]
QUERY_BUDGET = 10


def render(main, scale):
    """Return the generated part of docs/benchmarks.md."""
    parts = ["## Results against the targets", "", targets_table(main, scale), ""]
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
    parts += ["Targets", "", targets_table(main, scale)]
    return "\n".join(parts)


def write(path: Path, generated):
    """Replace what follows the marker in `path`, keeping the hand-written header above it."""
    header = path.read_text("utf-8").split(MARKER)[0].rstrip() if path.exists() else "# Benchmarks"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{header}\n\n{MARKER}\n\n{generated.rstrip()}\n", "utf-8")


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ms(value):
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def percent(value):
    return f"{value * 100:.1f} %"


def statuses(page):
    """The HTTP statuses a page answered in the probe, e.g. `200` (a 404 means the line measured an error page)."""
    return ",".join(str(status) for status in page["statuses"]) if page else "–"


def machine_lines(results):
    machine = results["machine"]
    return [
        f"- Command: `{results['command']}` — {results['date']}",
        f"- Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['ram_gib']} GiB RAM, {machine['os']}",
        f"- Python {machine['python']}, PostgreSQL {machine['postgres']}, {machine['gunicorn']} "
        f"({results['workers']} sync workers), load from {machine['loadgen']}: {results['connections']} connections, "
        f"{results['duration_s']:g} s per line",
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
        "client; «on cache hits»: the share of the line's pages still served from the page cache after the load.",
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


def query_counts(page):
    """Queries of a page in a warm process and on its first request (its cached blocks missing)."""
    return f"{page['queries']} / {page.get('queries_cold', '–')}"


def pages_table(main):
    off, on, pages = main["cache_off"], main["cache_on"], main["probe"]["pages"]
    rows = []
    for name in [STATIC, FLOOR, *pages]:
        page = pages.get(name)
        rows.append(
            [
                name,
                off[name]["paths"],
                statuses(page),
                query_counts(page) if page else "–",
                ms(page["sql_ms"]) if page else "–",
                ms(page["in_process_ms"]) if page else "–",
                f"{page['bytes'] / 1024:.0f}" if page else "–",
                f"{off[name]['rps']:.0f}",
                ms(off[name]["mean_ms"]),
                ms(off[name]["p50_ms"]),
                ms(off[name]["p99_ms"]),
                off[name]["errors"],
                f"{on[name]['rps']:.0f}",
                ms(on[name]["p50_ms"]),
                ms(on[name]["p99_ms"]),
                on[name]["errors"],
                percent(on[name]["hits_after"]) if name != STATIC else "–",
            ]
        )
    header = [
        "page", "paths", "status", "queries warm / cold", "SQL ms", "test-client ms", "KB",
        "off req/s", "off mean", "off p50", "off p99", "off errors",
        "on req/s", "on p50", "on p99", "on errors", "on cache hits",
    ]  # fmt: skip
    return table(header, rows)


def admin_table(main):
    rows = [
        [
            name,
            main["probe"]["admin"][name]["queries"],
            ms(main["probe"]["admin"][name]["sql_ms"]),
            ms(result["p50_ms"]),
            ms(result["mean_ms"]),
            ms(result["max_ms"]),
        ]
        for name, result in main["admin"].items()
    ]
    return table(["admin page", "queries", "SQL ms", "ms/request p50", "mean", "max"], rows)


def slowest_table(pages):
    rows = [
        [name, ms(page["slowest"]["ms"]), "`" + page["slowest"]["sql"][:220].replace("|", "\\|") + "…`"]
        for name, page in pages.items()
    ]
    return table(["page", "ms", "query"], rows)


def sizes(scale):
    small, large = sorted(scale["sizes"].values(), key=lambda size: size["articles"])
    return small, large


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


def scale_table(scale):
    small, large = sizes(scale)
    rows = []
    for name, page in large["probe"]["pages"].items():
        before, after = small["cache_off"][name], large["cache_off"][name]
        rows.append(
            [
                name,
                statuses(small["probe"]["pages"][name]) + " / " + statuses(page),
                query_counts(small["probe"]["pages"][name]),
                query_counts(page),
                ms(small["probe"]["pages"][name]["sql_ms"]),
                ms(page["sql_ms"]),
                f"{before['rps']:.0f}",
                f"{after['rps']:.0f}",
                ms(before["p50_ms"]),
                ms(after["p50_ms"]),
                f"{after['p50_ms'] / before['p50_ms']:.2f}×",
            ]
        )
    n1, n2 = f"{small['articles'] // 1000}k", f"{large['articles'] // 1000}k"
    header = [
        "page", "status", f"queries {n1} warm / cold", f"queries {n2} warm / cold", f"SQL ms {n1}", f"SQL ms {n2}",
        f"req/s {n1}", f"req/s {n2}", f"p50 {n1}", f"p50 {n2}", "p50 ratio",
    ]  # fmt: skip
    return table(header, rows)


def scale_admin_table(scale):
    small, large = sizes(scale)
    rows = []
    for name, result in large["admin"].items():
        before = small["admin"][name]
        rows.append(
            [
                name,
                small["probe"]["admin"][name]["queries"],
                large["probe"]["admin"][name]["queries"],
                ms(small["probe"]["admin"][name]["sql_ms"]),
                ms(large["probe"]["admin"][name]["sql_ms"]),
                ms(before["p50_ms"]),
                ms(result["p50_ms"]),
                f"{result['p50_ms'] / before['p50_ms']:.2f}×",
            ]
        )
    n1, n2 = f"{small['articles'] // 1000}k", f"{large['articles'] // 1000}k"
    header = ["admin page", f"queries {n1}", f"queries {n2}", f"SQL ms {n1}", f"SQL ms {n2}", n1, n2, "ratio"]
    return table(header, rows)


def targets_table(main, scale):
    rows = []
    if main:
        off, on, pages = main["cache_off"], main["cache_on"], main["probe"]["pages"]
        floor, ceiling = off[FLOOR]["rps"], on[STATIC]["rps"]
        rows.append(
            check("uncached article ≥ 11 % of the trivial view", "article", off["article"]["rps"] / floor, 0.11)
        )
        for name in LISTS:
            rows.append(check("uncached lists ≥ 6 % of the trivial view", name, off[name]["rps"] / floor, 0.06))
        for name in pages:
            rows.append(check("cached pages ≥ 50 % of the static file", name, on[name]["rps"] / ceiling, 0.5))
        for name, page in pages.items():
            most = max(page["queries"], page.get("queries_cold", 0))
            rows.append(check(f"≤ {QUERY_BUDGET} SQL queries per page, warm or cold", name, most, QUERY_BUDGET, "max"))
    else:
        rows.append(["throughput and query targets", "–", "not measured: run `make bench`", "–"])
    if scale:
        small, large = sizes(scale)
        for name, page in large["probe"]["pages"].items():
            before, after = query_counts(small["probe"]["pages"][name]), query_counts(page)
            status = "PASS" if before == after else "MISS"
            rows.append([f"same query count at {small['articles']:,} and {large['articles']:,}", name,
                         f"{before} / {after}", status])  # fmt: skip
        for name in large["probe"]["pages"]:
            ratio = large["cache_off"][name]["p50_ms"] / small["cache_off"][name]["p50_ms"]
            rows.append(check("p50 at 100k ≤ 1.3 × p50 at 1k", name, ratio, 1.3, "max"))
        for name in large["admin"]:
            ratio = large["admin"][name]["p50_ms"] / small["admin"][name]["p50_ms"]
            rows.append(check("admin at 100k ≤ 1.5 × at 1k", name, ratio, 1.5, "max"))
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
