"""The Markdown tables of the benchmark's results (bench.report puts them together)."""

STATIC = "static file (ceiling)"
FLOOR = "trivial view (floor)"
WARM = "article"
COLD = "article, cold"
# A cold line rotates over at least this many stories when the archive holds them (bench/probe.py takes them all
# when it holds fewer).
COLD_MINIMUM = 1000


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


def query_counts(page):
    """Queries of a page in a warm process and on its first request (its cached blocks missing)."""
    return f"{page['queries']} / {page.get('queries_cold', '–')}"


def sizes(scale):
    """The smallest and the largest size of the scale run."""
    ordered = sorted(scale["sizes"].values(), key=lambda size: size["articles"])
    return ordered[0], ordered[-1]


def pages_table(main):
    off, on, pages = main["cache_off"], main["cache_on"], main["probe"]["pages"]
    rows = []
    for name in [STATIC, FLOOR, *pages]:
        if name not in off or name not in on:
            continue  # results from before the line existed
        page = pages.get(name)
        hits = on[name].get("hits_after")
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
                percent(hits) if hits is not None and name != STATIC else "–",
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


def scale_table(scale):
    small, large = sizes(scale)
    rows = []
    for name, page in large["probe"]["pages"].items():
        if name not in small["cache_off"] or name not in large["cache_off"]:
            continue  # results from before the line existed
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


def runs(main, scale):
    """Every measured size with a floor, as (articles, page cache off results, page cache on results)."""
    found = [(main["articles"], main["cache_off"], main["cache_on"])] if main else []
    if scale:
        for size in sorted(scale["sizes"].values(), key=lambda size: size["articles"]):
            found.append((size["articles"], size["cache_off"], size.get("cache_on", {})))
    return [(articles, off, on) for articles, off, on in found if FLOOR in off and COLD in off]


def coverage(result):
    """`sent / distinct` requests of a cold line, marked when the rotation wrapped."""
    text = f"{result['sent']:,} / {result['distinct_paths']:,}"
    return text if result["first_requests"] else f"**{text} wrapped**"


def cold_table(main, scale):
    """The warm and the cold article line at each size, page cache off and on, against the same run's floor."""
    rows = []
    for articles, off, on in runs(main, scale):
        floor = off[FLOOR]["rps"]
        for name in [WARM, COLD]:
            row = [f"{articles:,}", name, off[name]["paths"], f"{floor:.0f}"]
            for results in (off, on):
                result = results.get(name)
                if result is None:
                    row += ["–"] * 5
                    continue
                shown = coverage(result) if name == COLD else "–"
                row += [
                    f"{result['rps']:.0f}",
                    percent(result["rps"] / floor),
                    ms(result["p50_ms"]),
                    ms(result["p99_ms"]),
                ]
                row.append(shown)
            rows.append(row)
    header = [
        "N", "line", "paths", "floor req/s",
        "off req/s", "off % of floor", "off p50", "off p99", "off sent / distinct",
        "on req/s", "on % of floor", "on p50", "on p99", "on sent / distinct",
    ]  # fmt: skip
    return table(header, rows)


def cold_notes(main, scale):
    """One line for each cold line that wrapped or had fewer than COLD_MINIMUM stories: nothing said silently."""
    notes = []
    for articles, off, on in runs(main, scale):
        for label, results in (("page cache off", off), ("page cache on", on)):
            result = results.get(COLD)
            if result is None:
                continue
            if not result["first_requests"]:
                notes.append(
                    f"- N = {articles:,}, {label}: {result['sent']:,} requests went to {result['distinct_paths']:,} "
                    f"of {result['paths']:,} stories; the rotation wrapped, so "
                    f"{result['sent'] - result['distinct_paths']:,} requests were not the first for their story."
                )
        if off[COLD]["paths"] < COLD_MINIMUM:
            notes.append(
                f"- N = {articles:,}: the archive holds only {off[COLD]['paths']:,} published Russian stories "
                f"outside the warm line's (fewer than {COLD_MINIMUM:,})."
            )
    return notes or ["- Every request of every cold line was the first for its story."]
