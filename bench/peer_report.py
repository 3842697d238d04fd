"""The table of bench.peer: Newsroom and the Wagtail peer line by line, the ratios and each side's floor."""

from bench.tables import percent, table

# The lines in the order they are measured, with the names.
LABELS = {
    "floor": "trivial view through the whole middleware (floor)",
    "article": "one article, again and again (page cache off)",
    "cold_off": "1,000+ different articles in turn, fresh workers (page cache off)",
    "cold_on": "1,000+ different articles in turn, fresh workers (page cache on)",
    "news": "`/news/` (page cache off)",
    "region": "region page (page cache off)",
}
# The peer has no page cache: both cold lines are compared with its one cold line.
PEER_LINE = {"cold_on": "cold_off"}
# Issue 15's targets: (Newsroom / Wagtail, Newsroom's share of its own floor).
TARGETS = {
    "floor": (0.9, None),
    "article": (4, 0.16),
    "cold_off": (3, 0.12),
    "cold_on": (3, 0.12),
    "news": (3, 0.06),
    "region": (3, 0.06),
}


def rows(results):
    """(key, Newsroom's result, the peer's result) for every line measured."""
    lines = results["lines"]
    return [(key, lines[key]["newsroom"], lines[PEER_LINE.get(key, key)]["wagtail"]) for key in LABELS if key in lines]


def target_cell(key, ratio, share):
    least_ratio, least_share = TARGETS[key]
    wanted = [f"≥ {least_ratio:g}×"] + ([f"≥ {least_share * 100:g} %"] if least_share else [])
    met = ratio >= least_ratio and (least_share is None or share >= least_share)
    return f"{', '.join(wanted)}: {'met' if met else '**missed**'}"


def render(results):
    """Return the markdown of one side-by-side run: the settings, the table, the floors and the notes."""
    settings, machine, peer = results["settings"], results["machine"], results["peer"]
    floor_ours = results["lines"]["floor"]["newsroom"]["rps"]
    floor_theirs = results["lines"]["floor"]["wagtail"]["rps"]
    body = []
    for key, ours, theirs in rows(results):
        ratio = ours["rps"] / theirs["rps"] if theirs["rps"] else 0.0
        share_ours, share_theirs = ours["rps"] / floor_ours, theirs["rps"] / floor_theirs
        same = " (same line)" if key in PEER_LINE else ""
        body.append(
            [
                LABELS[key],
                f"{ours['rps']:,.0f}",
                f"{theirs['rps']:,.0f}{same}",
                f"{ratio:.2f}×",
                percent(share_ours),
                percent(share_theirs),
                target_cell(key, ratio, share_ours),
                f"{kilobytes(ours)} / {kilobytes(theirs)}",
            ]
        )
    headers = ["page", "Newsroom req/s", "Wagtail req/s", "ratio", "Newsroom % of floor", "Wagtail % of floor"]
    load_before, load_after = results["load_average_before"], results["load_average_after"]
    lines = [
        f"Side by side with the Wagtail peer, N = {settings['articles']:,} articles each — {results['date']}",
        "",
        f"- Command: `{results['command']}`",
        f"- Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['ram_gib']} GiB RAM, {machine['os']}; "
        f"Python {machine['python']}, PostgreSQL {machine['postgres']} (Newsroom, embedded), {machine['gunicorn']}",
        f"- Peer: {peer['dir']} ({', '.join(peer['versions']) or 'versions unknown'}), PostgreSQL port "
        f"{peer['db_port']}",
        f"- {machine['loadgen']} -t{settings['threads']} -c{settings['connections']}, {settings['duration']} s per "
        f"line after {settings['warmup']} s of warm-up (the cold lines: none, on freshly started workers); "
        f"{settings['workers']} gunicorn sync workers on each side, one server right after the other",
        *path_lines(results),
        f"- Load average (1, 5, 15 min): {fmt_load(load_before)} before, {fmt_load(load_after)} after",
        "",
        table([*headers, "issue 15's target", "KB a response (N / W)"], body),
        "",
        f"Floor (trivial view): Newsroom {floor_ours:,.0f} req/s, Wagtail {floor_theirs:,.0f} req/s: "
        f"Newsroom / Wagtail = {floor_ours / floor_theirs:.2f}×.",
    ]
    notes = list(cold_notes(results)) + list(error_notes(results))
    return "\n".join(lines + ([""] + notes if notes else []))


def path_lines(results):
    ours, peer = results.get("newsroom_paths"), results["peer"]
    if not ours:
        return []
    theirs = peer["paths"]
    return [
        f"- Paths: Newsroom {ours['article']}, {ours['news']}, {ours['region']} and {ours['cold paths']:,} cold "
        f"stories; Wagtail {theirs['ARTICLE_PATH']}, {theirs['LISTING_PATH']}, {theirs['REGION_PATH']} and "
        f"{peer.get('cold paths', 1000):,} cold stories"
    ]


def kilobytes(result):
    """The mean size of an answer, headers included (wrk's bytes over its requests)."""
    return f"{result['bytes'] / result['requests'] / 1000:.1f}" if result.get("requests") else "–"


def fmt_load(load):
    return " / ".join(f"{value:.2f}" for value in load)


def cold_notes(results):
    lines = results["lines"]
    for side, key in [("Newsroom", "cold_off"), ("Newsroom", "cold_on"), ("Wagtail", "cold_off")]:
        result = lines.get(key, {}).get(side.lower())
        if result and not result.get("first_requests"):
            yield (
                f"- {side}, {LABELS[key]}: {result['sent']:,} requests over {result['paths']:,} paths "
                f"({result['distinct_paths']:,} distinct): the list wrapped, some requests met a story again."
            )


def error_notes(results):
    for key, ours, theirs in rows(results):
        for side, result in [("Newsroom", ours), ("Wagtail", None if key in PEER_LINE else theirs)]:
            if result and (result["errors"] or result["non_2xx_3xx"]):
                yield (
                    f"- {side}, {LABELS[key]}: {result['errors']} errors ({result['non_2xx_3xx']} non-2xx/3xx "
                    "answers): the line's figure is not a page's."
                )
