"""The cluster load test: ``./dev cluster bench`` (or ``python -m benchmarks.cluster``).

Starts the local cluster (ops/cluster.py: PostgreSQL primary and streaming replica,
PgBouncer, Redis, three gunicorn servers behind HAProxy) if it is not running,
loads a generated catalogue (25,000 treaties), then runs wrk with
``cluster.lua`` (random filter states, searches and detail pages; 32
connections, 60 s) while a curator process saves a treaty through the primary
every 2 s:

* ``single``: one gunicorn server straight on the primary (no replica, no
  pooler, local-memory cache), the reference;
* ``cluster``: the same load through HAProxy;
* ``replica-stop``, ``redis-stop``: the cluster, with the replica (Redis)
  stopped a third of the way through the run and started again at two thirds;
* ``primary-restart``: the primary restarted (``pg_ctl restart``) a third of
  the way through, on the cluster and on the single server.

After each run every application server's list page is compared with the
primary's count of published treaties. Figures go to
``benchmarks/results/cluster.json`` and to the "Scale-out" section of
``benchmarks/results.md``, with the machine's load average before and after
each run (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from ops import cluster
from ops.services import PROJECT, Gunicorn, port_open, wait_for

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SINGLE_PORT = 8410
START, END = "<!-- scale-out: start -->", "<!-- scale-out: end -->"

CURATOR = """
import random, sys, time
from django.db import DatabaseError, close_old_connections
from catalogue.models import Treaty
ids = list(Treaty.objects.published().values_list("pk", flat=True)[:2000])
end = time.monotonic() + float(sys.argv[-1])
saved = failed = 0
while time.monotonic() < end:
    try:
        treaty = Treaty.objects.get(pk=random.choice(ids))
        treaty.summary = (treaty.summary or "").rstrip(" .") + "."
        treaty._change_reason = "load test: a curator's edit"
        treaty.save()
        saved += 1
    except DatabaseError:
        failed += 1
        close_old_connections()
    time.sleep(2)
print(f"CURATOR saved={saved} failed={failed}")
"""


def values_file(folder: Path) -> Path:
    """The values the Lua script picks from: the primary's parties, kinds, subjects, decades, slugs, words."""
    primary = cluster.servers(folder)["primary"]
    queries = {
        "party": "SELECT s.code FROM catalogue_state s JOIN catalogue_participation p ON p.state_id = s.id "
        "GROUP BY s.code ORDER BY count(*) DESC LIMIT 80",
        "kind": "SELECT slug FROM catalogue_treatykind",
        "subject": "SELECT slug FROM catalogue_subject",
        "decade": "SELECT DISTINCT (extract(year FROM signed_earliest)::int / 10) * 10 FROM catalogue_treaty "
        "WHERE signed_earliest IS NOT NULL",
        "slug": "SELECT slug FROM catalogue_treaty WHERE status = 'published' ORDER BY random() LIMIT 3000",
    }
    lines = []
    for kind, sql in queries.items():
        lines += [f"{kind}\t{value}" for value in primary.psql(cluster.DATABASE, sql).split()]
    words = ["trade", "peace", "boundary", "commerce", "navigation", "friendship", "treaty", "convention", "protocol"]
    lines += [f"word\t{word}" for word in words]
    path = folder / "bench-values.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def curator(folder: Path, seconds: float) -> subprocess.Popen:
    env = {**os.environ, **cluster.direct_env(folder)}
    code = CURATOR.replace("sys.argv[-1]", repr(str(seconds)))
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=PROJECT, env=env, stdout=subprocess.PIPE, text=True
    )


def wrk(port: int, values: Path, seconds: int, connections: int, events: list[tuple[float, callable]]) -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("The load test needs wrk: apt-get install wrk")
    timers = [threading.Timer(at, action) for at, action in events]
    load_before = os.getloadavg()
    process = subprocess.Popen(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s", "--latency",
         "-s", str(HERE / "cluster.lua"), f"http://127.0.0.1:{port}"],
        env={**os.environ, "CLUSTER_VALUES": str(values)}, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    for timer in timers:
        timer.start()
    out, _ = process.communicate()
    for timer in timers:
        timer.join()
    line = next((line for line in out.splitlines() if line.startswith("CLUSTER_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{out}")
    result = json.loads(line.removeprefix("CLUSTER_JSON "))
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    result["load_before"] = [round(x, 2) for x in load_before]
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    statuses = {int(k): v for k, v in result["statuses"].items()}
    result["errors"] = sum(v for k, v in statuses.items() if k != 200) + sum(
        result[f"errors_{kind}"] for kind in ("connect", "read", "write", "timeout")
    )
    result["500s"] = sum(v for k, v in statuses.items() if k >= 500 and k != 503)
    return result


def list_count(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/treaties/", timeout=30) as answer:
            page = answer.read().decode()
    except OSError:
        return None
    found = re.search(r'data-result-count="(\d+)"', page)
    return int(found.group(1)) if found else None


def consistency(folder: Path, ports: list[int]) -> dict:
    """Every server's list count against the primary's published treaties, once the replica has replayed."""
    servers = cluster.servers(folder)
    target = servers["primary"].psql("postgres", "SELECT pg_current_wal_lsn()")
    wait_for(
        lambda: servers["replica"].psql("postgres", f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t",
        60,
        "the replica replaying",
    )
    primary = int(
        servers["primary"].psql(cluster.DATABASE, "SELECT count(*) FROM catalogue_treaty WHERE status = 'published'")
    )
    pages = {str(port): list_count(port) for port in ports}
    return {"primary": primary, "pages": pages, "same": all(count == primary for count in pages.values())}


def single_server(folder: Path, workers: int) -> Gunicorn:
    """One server straight on the primary: no replica, no pooler, the local-memory cache."""
    return Gunicorn(folder, SINGLE_PORT, cluster.direct_env(folder), name="single", workers=workers)


def run(options) -> dict:
    folder = cluster.root()
    cluster.start(options.workers)
    cluster.load(options.treaties, 1)
    values = values_file(folder)
    servers = cluster.servers(folder)
    third, two_thirds = options.seconds / 3, 2 * options.seconds / 3
    report: dict = {
        "treaties": options.treaties,
        "seconds": options.seconds,
        "connections": options.connections,
        "workers_per_server": options.workers,
        "cpus": os.cpu_count(),
        "runs": {},
    }

    def restart_primary():
        servers["primary"].stop()
        servers["primary"].start()

    scenarios = {
        "single": (SINGLE_PORT, []),
        "cluster": (cluster.PORTS["haproxy"], []),
        "replica-stop": (
            cluster.PORTS["haproxy"],
            [(third, servers["replica"].stop), (two_thirds, servers["replica"].start)],
        ),
        "redis-stop": (
            cluster.PORTS["haproxy"],
            [(third, servers["redis"].stop), (two_thirds, servers["redis"].start)],
        ),
        "primary-restart": (cluster.PORTS["haproxy"], [(third, restart_primary)]),
        "single-primary-restart": (SINGLE_PORT, [(third, restart_primary)]),
    }
    wanted = options.only.split(",") if options.only else list(scenarios)
    if options.only and (RESULTS / "cluster.json").exists():  # re-run some: keep the others' figures
        report["runs"] = {
            name: run
            for name, run in json.loads((RESULTS / "cluster.json").read_text())["runs"].items()
            if name not in wanted
        }
    single = single_server(folder, options.workers)
    for name in wanted:
        port, events = scenarios[name]
        if port == SINGLE_PORT and not port_open(SINGLE_PORT):
            single.start()
        elif port != SINGLE_PORT and port_open(SINGLE_PORT):
            single.stop()
        for app_port in [*cluster.APP_PORTS, SINGLE_PORT]:  # warm each server: facet index, caches
            if port_open(app_port):
                list_count(app_port)
        print(f"== {name}: {options.connections} connections, {options.seconds} s", flush=True)
        writer = curator(folder, options.seconds)
        result = wrk(port, values, options.seconds, options.connections, events)
        result["curator"] = writer.communicate()[0].strip().splitlines()[-1:]
        time.sleep(1)
        ports = [SINGLE_PORT] if port == SINGLE_PORT else [*cluster.APP_PORTS, port]
        result["consistency"] = consistency(folder, ports)
        report["runs"][name] = result
        report["runs"] = {key: report["runs"][key] for key in scenarios if key in report["runs"]}
        print(json.dumps(result), flush=True)
    if port_open(SINGLE_PORT):
        single.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cluster.json").write_text(json.dumps(report, indent=1))
    write_section(report)
    return report


def busy_note(report: dict) -> list[str]:
    loads = [run["load_before"][0] for run in report["runs"].values()]
    if not loads or max(loads) <= 2 * (report["cpus"] or 1):
        return []
    return [
        "",
        f"The machine's load average was {min(loads):.0f}–{max(loads):.0f} on {report['cpus']} cores during these "
        "runs (other work on the same cores): the figures measure that contention more than the site, and wrk's "
        "30 s client time-outs count as errors. Re-run `./dev cluster bench` on a quiet machine for the figures "
        "that compare the cluster with one server.",
    ]


def write_section(report: dict) -> None:
    rows = [
        "| run | rps | p50 / p95 / p99 ms | responses | errors (non-200 + socket) | 500s | 503s with Retry-After "
        "| last non-200 at | curator | list counts = primary | load avg before → after |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in report["runs"].items():
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
        last = "—" if r["last_non_200_s"] < 0 else f"{r['last_non_200_s']} s"
        writer = " ".join(r["curator"]).removeprefix("CURATOR ")
        rows.append(
            f"| {name} | {r['rps']:,} | {r['p50_ms']:.1f} / {r['p95_ms']:.1f} / {r['p99_ms']:.1f} | {statuses} "
            f"| {r['errors']} | {r['500s']} | {r['503_with_retry_after']} | {last} | {writer} "
            f"| {'yes' if r['consistency']['same'] else 'NO'} ({r['consistency']['primary']}) "
            f"| {r['load_before'][0]} → {r['load_after'][0]} |"
        )
    section = "\n".join(
        [
            START,
            "## Scale-out: the cluster against one server",
            "",
            f"`./dev cluster bench`: {report['treaties']:,} generated treaties, wrk with `benchmarks/cluster.lua` "
            f"(random filter states, searches, detail pages), {report['connections']} connections for "
            f"{report['seconds']} s, a curator saving a treaty through the primary every 2 s. `single`: one gunicorn "
            f"({report['workers_per_server']} workers × 4 threads) on the primary, local-memory cache; "
            "`cluster`: three "
            "such servers behind HAProxy, reading a streaming replica through PgBouncer (transaction mode), Redis "
            "cache. Failure runs stop the replica (Redis) at a third of the run and start it at two thirds, or "
            "restart the primary at a third. Measured on this machine "
            f"({report['cpus']} cores, shared with other work: see the load averages).",
            "",
            *rows,
            *busy_note(report),
            END,
        ]
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cluster.md").write_text(section + "\n")  # report.py keeps it when it rewrites results.md
    path = HERE / "results.md"
    text = path.read_text() if path.exists() else ""
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev cluster bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--treaties", type=int, default=25_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--only", help="comma-separated runs: single,cluster,replica-stop,redis-stop,primary-restart,"
                        "single-primary-restart")  # fmt: skip
    run(parser.parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
