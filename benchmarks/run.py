"""The scale benchmarks of issue 6 in one command: ``python -m benchmarks.run``.

For each catalogue size on PostgreSQL (2,500 / 25,000 / 250,000; and 25,000 on
SQLite) it makes (or reuses) a database ``bench_<size>`` filled by
``generate_catalogue --seed 1``, then measures in a fresh process with
production-like settings (``benchmarks.settings``: DEBUG off) the public list
cases, the detail page, the admin changelist with facets (the peer) and the
SQL floor (``benchmarks.measure``). It then times the import of a generated
CSV against ``loaddata`` of the same records as a JSON fixture, each as a
subprocess with its peak memory (``benchmarks.rss``), and load-tests the
production settings under gunicorn with wrk (``benchmarks.load``). Every part
writes JSON under ``benchmarks/results/``; the report (``results.md`` and
``page_time_vs_size.png``) is rebuilt from all JSON present, so partial runs
(``--sizes``, ``--only``) add up.

Examples::

    python -m benchmarks.run --quick --sizes 2500            # a few minutes
    python -m benchmarks.run --sizes 2500,25000 --sqlite 25000 --only pages
    python -m benchmarks.run                                  # everything (hours at 250,000)
    python -m benchmarks.run --report                        # rebuild results.md and the plot only

``--here`` measures the database Django is already configured with, in this
process (the test suite uses it on a tiny catalogue).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
DEFAULT_SIZES = (2500, 25000, 250000)
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
PARTS = ("pages", "import", "load")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="PostgreSQL catalogue sizes.")
    parser.add_argument("--sqlite", default="25000", help="SQLite catalogue sizes (comma-separated; 0 for none).")
    parser.add_argument("--quick", action="store_true", help="Fewer repetitions, smaller import and load test.")
    parser.add_argument("--only", default=",".join(PARTS), help=f"Parts to run, of {', '.join(PARTS)}.")
    parser.add_argument("--repeat", type=int, help="Timed requests per case (default 15; quick 5).")
    parser.add_argument("--warmup", type=int, help="Warm-up requests per case (default 3; quick 1).")
    parser.add_argument("--no-admin", action="store_true", help="Skip the admin changelist (the peer).")
    parser.add_argument("--import-size", type=int, help="Treaties in the import benchmark (default 250000).")
    parser.add_argument("--load-size", type=int, help="Catalogue size for the load test (default: largest size).")
    parser.add_argument("--load-seconds", type=int, help="Duration of the load test (default 30; quick 10).")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", DEFAULT_PG), help="PostgreSQL server URL.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--regenerate", action="store_true", help="Drop and refill the benchmark databases.")
    parser.add_argument("--report", action="store_true", help="Only rebuild results.md and the plot.")
    parser.add_argument("--here", action="store_true", help="Measure the configured database, in this process.")
    parser.add_argument("--treaties", type=int, default=50, help="With --here: fill an empty database to this size.")
    parser.add_argument("--output-dir", default=str(HERE), help="Where results.md and the plot go.")
    args = parser.parse_args(argv)
    try:
        args.size_list = [int(s) for s in args.sizes.split(",") if s.strip() and int(s)]
        args.sqlite_list = [int(s) for s in args.sqlite.split(",") if s.strip() and int(s)]
    except ValueError:
        parser.error("--sizes and --sqlite take whole numbers separated by commas, e.g. 2500,25000")
    args.parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in args.parts if p not in PARTS]
    if unknown:
        parser.error(f"--only: unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    args.repeat = args.repeat or (5 if args.quick else 15)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 3)
    args.import_size = args.import_size or (2500 if args.quick else 250000)
    args.load_seconds = args.load_seconds or (10 if args.quick else 30)
    return args


# -- databases --------------------------------------------------------------------------------


def pg_url(server: str, name: str) -> str:
    return f"{server.rstrip('/')}/{name}"


def sqlite_url(size: int) -> str:
    return f"sqlite:///{Path(tempfile.gettempdir()) / f'bench_{size}.sqlite3'}"


def manage(url: str, *args, settings: str = "archive_site.settings.dev", nice: bool = True, capture=False, **kw):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": settings}
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    if nice and shutil.which("nice"):
        command = ["nice", "-n", "10", *command]
    return subprocess.run(command, env=env, check=True, cwd=ROOT, text=True, capture_output=capture, **kw)


def psql(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_url(server, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def treaty_count(url: str) -> int:
    code = "from catalogue.models import Treaty; print(Treaty.objects.count())"
    try:
        out = manage(url, "shell", "-c", code, capture=True, nice=False).stdout
    except subprocess.CalledProcessError:
        return -1
    return int(out.strip().splitlines()[-1])


def fresh_database(url: str, server: str | None, name: str | None) -> None:
    if server:
        psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        psql(server, f'CREATE DATABASE "{name}"')
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    manage(url, "migrate", "--verbosity", "0")


def ensure_catalogue(url: str, size: int, *, seed: int, regenerate: bool, server=None, name=None) -> None:
    """A database holding exactly ``size`` generated treaties (kept between runs)."""
    if not regenerate and treaty_count(url) == size:
        print(f"  reusing {name or url} ({size} treaties)", flush=True)
        return
    print(f"  generating {size} treaties into {name or url}...", flush=True)
    fresh_database(url, server, name)
    manage(url, "generate_catalogue", "--treaties", str(size), "--seed", str(seed))
    if server:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")


# -- parts ------------------------------------------------------------------------------------


def run_pages(args, vendor: str, size: int, url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    command = [
        sys.executable,
        "-m",
        "benchmarks.worker",
        "--size",
        str(size),
        "--repeat",
        str(args.repeat),
        "--warmup",
        str(args.warmup),
        "--out",
        str(RESULTS / f"pages-{vendor}-{size}.json"),
    ]
    if args.no_admin:
        command.append("--no-admin")
    subprocess.run(command, env=env, check=True, cwd=ROOT)


def run_import(args) -> None:
    from . import importbench

    result = importbench.run(args.import_size, server=args.pg, seed=args.seed)
    (RESULTS / f"import-{args.import_size}.json").write_text(json.dumps(result, indent=1))


def run_load(args, size: int, url: str) -> None:
    from . import load

    result = load.run(url, seconds=args.load_seconds)
    result["size"] = size
    (RESULTS / f"load-{size}.json").write_text(json.dumps(result, indent=1))


def run_here(args) -> None:
    """Measure the configured database in this process (the test suite's end-to-end run)."""
    from django.core.management import call_command

    from catalogue.models import Treaty

    from . import measure, report

    if not Treaty.objects.exists():
        call_command("generate_catalogue", "--treaties", str(args.treaties), "--seed", str(args.seed), verbosity=0)
    size = Treaty.objects.count()
    result = measure.measure(size=size, warmup=args.warmup, repeat=args.repeat, admin=not args.no_admin)
    out = Path(args.output_dir)
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "results" / f"pages-{result.vendor}-{size}.json").write_text(json.dumps(result.as_json(), indent=1))
    report.write(out / "results", out)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.here:
        run_here(args)
        return 0
    from . import report

    RESULTS.mkdir(exist_ok=True)
    if not args.report:
        for size in args.size_list:
            name = f"bench_{size}"
            url = pg_url(args.pg, name)
            if "pages" in args.parts:
                print(f"PostgreSQL, {size} treaties", flush=True)
                ensure_catalogue(url, size, seed=args.seed, regenerate=args.regenerate, server=args.pg, name=name)
                run_pages(args, "postgresql", size, url)
        if "pages" in args.parts:
            for size in args.sqlite_list:
                url = sqlite_url(size)
                print(f"SQLite, {size} treaties", flush=True)
                ensure_catalogue(url, size, seed=args.seed, regenerate=args.regenerate)
                run_pages(args, "sqlite", size, url)
        if "import" in args.parts:
            print(f"Import of {args.import_size} treaties vs loaddata", flush=True)
            run_import(args)
        if "load" in args.parts:
            size = args.load_size or max(args.size_list or [2500])
            name = f"bench_{size}"
            url = pg_url(args.pg, name)
            print(f"Load test on {size} treaties", flush=True)
            ensure_catalogue(url, size, seed=args.seed, regenerate=False, server=args.pg, name=name)
            run_load(args, size, url)
    path = report.write(RESULTS, Path(args.output_dir))
    print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
