"""``results.md`` (markdown tables) and ``page_time_vs_size.png`` from the JSON under ``benchmarks/results/``."""

from __future__ import annotations

import json
from pathlib import Path

# The targets (PostgreSQL, 250,000 treaties).
LIST_MEDIAN_MS = 100
FIRST_REQUEST_MS = 400
SEARCH_P95_MS = 200
DETAIL_MEDIAN_MS = 30
ADMIN_SPEEDUP = 15
PAGE_OVER_SQL = 2


def _load(results: Path, prefix: str) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(results.glob(f"{prefix}-*.json"))]


def _ms(value) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def page_table(runs: list[dict]) -> list[str]:
    lines = [
        "| DB | treaties | case | median ms | p95 ms | first ms | queries | SQL ms | index ms | first/floor | "
        "admin median ms | admin queries | admin/median | admin/first |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in sorted(runs, key=lambda r: (r["vendor"] != "postgresql", r["size"])):
        for case in run["cases"]:
            public, admin = case["public"], case.get("admin")
            lines.append(
                f"| {run['vendor']} | {run['treaties']:,} | {case['name']} | {_ms(public['median_ms'])} | "
                f"{_ms(public['p95_ms'])} | {_ms(public['first_ms'])} | {public['queries']} | "
                f"{_ms(public['sql_ms'])} | {_ms(public.get('index_ms', 0))} | {public['ratio']:.1f} | "
                + (
                    f"{_ms(admin['median_ms'])} | {admin['queries']} | {case['speedup']:.1f}× | "
                    f"{admin['median_ms'] / public['first_ms']:.1f}× |"
                    if admin
                    else "– | – | – | – |"
                )
            )
    lines.append("")
    for run in sorted(runs, key=lambda r: (r["vendor"] != "postgresql", r["size"])):
        if run.get("index_build_ms"):
            lines.append(
                f"- {run['vendor']}, {run['treaties']:,} treaties: facet index built in "
                f"{_ms(run['index_build_ms'])} ms, {run['index_mb']:.1f} MB of arrays "
                "(paid by the first request after a change to the catalogue)."
            )
    return lines


def checks(runs: list[dict]) -> list[str]:
    """The issue's targets against the largest PostgreSQL run."""
    pg = sorted((r for r in runs if r["vendor"] == "postgresql"), key=lambda r: r["size"])
    if not pg:
        return []
    big, small = pg[-1], pg[0]
    cases = {c["name"]: c for c in big["cases"]}
    lists = [c for c in big["cases"] if c["name"].startswith("list:")]
    lines = [f"Targets, measured on PostgreSQL at {big['treaties']:,} treaties (the issue sets them at 250,000):", ""]

    def row(what, ok, figure):
        lines.append(f"- {'met' if ok else '**not met**'}: {what} — {figure}")

    worst = max(lists, key=lambda c: c["public"]["median_ms"])
    row(
        f"list median ≤ {LIST_MEDIAN_MS} ms in every case",
        worst["public"]["median_ms"] <= LIST_MEDIAN_MS,
        f"worst {worst['name']} {_ms(worst['public']['median_ms'])} ms",
    )
    worst_first = max(lists, key=lambda c: c["public"]["first_ms"])
    row(
        f"first request ≤ {FIRST_REQUEST_MS} ms",
        worst_first["public"]["first_ms"] <= FIRST_REQUEST_MS,
        f"worst {worst_first['name']} {_ms(worst_first['public']['first_ms'])} ms",
    )
    with_admin = [c for c in lists if c.get("admin")]
    if with_admin:
        slowest = min(with_admin, key=lambda c: c["speedup"])
        row(
            f"≥ {ADMIN_SPEEDUP}× faster than the admin changelist with facets (repeated requests)",
            slowest["speedup"] >= ADMIN_SPEEDUP,
            f"least {slowest['name']} {slowest['speedup']:.1f}×",
        )
        cold = min(with_admin, key=lambda c: c["admin"]["median_ms"] / c["public"]["first_ms"])
        cold_ratio = cold["admin"]["median_ms"] / cold["public"]["first_ms"]
        row(
            f"≥ {ADMIN_SPEEDUP}× faster than the admin changelist, uncached",
            cold_ratio >= ADMIN_SPEEDUP,
            f"least {cold['name']} {cold_ratio:.1f}×",
        )
    if len(pg) > 1:
        small_cases = {c["name"]: c for c in small["cases"]}
        growth = max(
            (c["public"]["median_ms"] / small_cases[c["name"]]["public"]["median_ms"], c["name"])
            for c in lists
            if c["name"] in small_cases and small_cases[c["name"]]["public"]["median_ms"]
        )
        row(
            f"list time at {big['treaties']:,} ≤ 3× its time at {small['treaties']:,}",
            growth[0] <= 3,
            f"largest growth {growth[1]} {growth[0]:.1f}×",
        )
        cold_growth = max(
            (c["public"]["first_ms"] / small_cases[c["name"]]["public"]["first_ms"], c["name"])
            for c in lists
            if c["name"] in small_cases and small_cases[c["name"]]["public"]["first_ms"]
        )
        row(
            f"uncached list time at {big['treaties']:,} ≤ 3× its time at {small['treaties']:,}",
            cold_growth[0] <= 3,
            f"largest growth {cold_growth[1]} {cold_growth[0]:.1f}×",
        )
    ratio = max(lists, key=lambda c: c["public"]["ratio"])
    row(
        f"uncached page time ≤ {PAGE_OVER_SQL}× its floor (SQL + facet index)",
        ratio["public"]["ratio"] <= PAGE_OVER_SQL,
        f"largest {ratio['name']} {ratio['public']['ratio']:.1f}×",
    )
    if "list: text search" in cases:
        p95 = cases["list: text search"]["public"]["p95_ms"]
        row(f"text search p95 ≤ {SEARCH_P95_MS} ms", p95 <= SEARCH_P95_MS, f"{_ms(p95)} ms")
    if "detail: many parties" in cases:
        median = cases["detail: many parties"]["public"]["median_ms"]
        row(f"detail median ≤ {DETAIL_MEDIAN_MS} ms", median <= DETAIL_MEDIAN_MS, f"{_ms(median)} ms")
    if "list: deep page" in cases and "list: page 1" in cases:
        deep, first = cases["list: deep page"]["public"]["median_ms"], cases["list: page 1"]["public"]["median_ms"]
        row("deep page ≤ 2× page 1", deep <= 2 * first, f"{_ms(deep)} vs {_ms(first)} ms")
    return lines


def _peak(measured: dict) -> float:
    """Peak memory of a measured command: summed over its processes where sampled (it may fork), else max RSS."""
    return measured.get("tree_pss_mb") or measured["max_rss_mb"]


def import_table(runs: list[dict]) -> list[str]:
    if not runs:
        return []
    lines = [
        "| treaties | CSV MB | import s | import peak MB | fixture MB | loaddata s | loaddata peak MB "
        "| loaddata/import |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in sorted(runs, key=lambda r: r["size"]):
        imp, peer = run["import"], run["loaddata"]
        lines.append(
            f"| {run['size']:,} | {run['csv_mb']} | {imp['seconds']:,.1f} | {_peak(imp):,.0f} | "
            f"{run['fixture_mb']} | {peer['seconds']:,.1f} | {_peak(peer):,.0f} | {run['speedup']}× |"
        )
    return lines


def load_table(runs: list[dict]) -> list[str]:
    if not runs:
        return []
    lines = [
        "| treaties | workers | connections | seconds | requests | rps | p50 ms | p95 ms | p99 ms | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in sorted(runs, key=lambda r: r["size"]):
        lines.append(
            f"| {run['size']:,} | {run['workers']} | {run['connections']} | {run['seconds']:.0f} | "
            f"{run['requests']:,} | {run['rps']} | {_ms(run['p50_ms'])} | {_ms(run['p95_ms'])} | "
            f"{_ms(run['p99_ms'])} | {run['errors']} |"
        )
    return lines


def plans(runs: list[dict]) -> list[str]:
    """The plan of the slowest query of each list case over the median target, at the largest size."""
    pg = sorted((r for r in runs if r["vendor"] == "postgresql"), key=lambda r: r["size"])
    if not pg:
        return []
    lines = []
    for case in pg[-1]["cases"]:
        public = case["public"]
        if public["median_ms"] <= LIST_MEDIAN_MS or not public["plan"]:
            continue
        lines += [
            f"### {case['name']} ({_ms(public['median_ms'])} ms; slowest query {_ms(public['slowest_sql_ms'])} ms)",
            "",
            "```",
            public["slowest_sql"][:1500],
            "",
            public["plan"],
            "```",
            "",
        ]
    return lines


def plot(runs: list[dict], path: Path) -> Path | None:
    """Two panels: repeated requests (cached) and uncached first requests, with the admin for scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
    for ax, key, title in ((axes[0], "median_ms", "repeated requests (median)"), (axes[1], "first_ms", "uncached")):
        for vendor, style in (("postgresql", "-o"), ("sqlite", "--s")):
            chosen = sorted((r for r in runs if r["vendor"] == vendor), key=lambda r: r["size"])
            if not chosen:
                continue
            for name in [c["name"] for c in chosen[-1]["cases"]]:
                points = [(r["treaties"], c["public"][key]) for r in chosen for c in r["cases"] if c["name"] == name]
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, style, label=f"{name} ({vendor})", markersize=4)
            admin = [
                (r["treaties"], c["admin"]["median_ms"])
                for r in chosen
                for c in r["cases"]
                if c["name"] == "list: no filter" and c.get("admin")
            ]
            if admin:
                xs, ys = zip(*admin, strict=True)
                ax.plot(xs, ys, ":x", color="black", label=f"admin changelist, facets on ({vendor})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.axhline(LIST_MEDIAN_MS, color="red", linewidth=0.8, linestyle=":")
        ax.set_xlabel("treaties in the catalogue")
        ax.set_title(title)
    axes[0].set_ylabel("page time (ms)")
    axes[1].legend(fontsize=6, ncol=2)
    fig.suptitle("Page time against catalogue size")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write(results: Path, out: Path) -> Path:
    pages = _load(results, "pages")
    imports = _load(results, "import")
    loads = _load(results, "load")
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m benchmarks.run` (see benchmarks/run.py). Times in milliseconds over in-process "
        "requests (Django test client, DEBUG off). *median*/*p95*: repeated requests after a warm-up (the page "
        "cache of catalogue/pagecache.py serves them); *first*: median of requests each made with the cache "
        "cleared, i.e. the first request of a filter combination not seen before; *queries* and *SQL*: the "
        "queries of such an uncached request and the sum of their execution times (EXPLAIN ANALYZE on "
        "PostgreSQL, timed directly on SQLite); *index*: the time the in-memory facet index "
        "(catalogue/facetindex.py) takes to count and order that list; the *floor* is SQL + index, so "
        "*first/floor* is what Django and the templates add (the page and facet caches are cleared for a "
        "first request, the index is not: it is rebuilt only when the catalogue changes); *admin*: "
        "the Django admin treaty changelist with facet counts (`?_facets=True`, superuser) for the same filter "
        "where the admin can express it (it has no party filter), median of repeated requests.",
        "",
        "## Pages",
        "",
        *page_table(pages),
        "",
        *checks(pages),
        "",
    ]
    if imports:
        lines += [
            "## Import vs loaddata",
            "",
            "Each command runs alone under `benchmarks.rss`; *peak MB* is the peak of the memory of all its "
            "processes (summed PSS, sampled ten times a second: the import checks records in a second process).",
            "",
            *import_table(imports),
            "",
        ]
    if loads:
        lines += ["## Served load test (gunicorn, wrk, mixed list/search/detail URLs)", "", *load_table(loads), ""]
    slow = plans(pages)
    if slow:
        lines += ["## Query plans of the cases over target", "", *slow]
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.md"
    if (results / "cluster.md").exists():  # the scale-out section, written by benchmarks/cluster.py
        lines += ["", (results / "cluster.md").read_text().rstrip("\n")]
    path.write_text("\n".join(lines) + "\n")
    if pages:
        plot(pages, out / "page_time_vs_size.png")
    return path
