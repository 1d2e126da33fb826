"""``./dev cluster [start|stop|status|load]``: the site as it runs on several machines, on this one.

Started on local ports, each from Debian's packages or the project's virtual environment:

====================  =========================================================
PostgreSQL primary    127.0.0.1:55432, data in .cluster/primary
streaming replica     127.0.0.1:55433 (pg_basebackup -R of the primary)
PgBouncer             127.0.0.1:56432, transaction mode: ``treaty`` (primary) and
                      ``treaty_replica`` (replica)
Redis                 127.0.0.1:56379, the shared page cache
gunicorn × 3          127.0.0.1:8401-8403, production settings
HAProxy               http://127.0.0.1:8400/, round robin, checks /healthz
====================  =========================================================

``load`` generates a catalogue on the primary (``generate_catalogue``, 25,000
treaties by default) and waits for the replica to replay it. ``stop`` stops
every server, each by its pid; the data stays in ``.cluster/`` (delete the
folder to start afresh). ``CLUSTER_DIR`` moves the folder; ports are fixed so
that the printed addresses stay true.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ops.services import PROJECT, Gunicorn, HAProxy, PgBouncer, PostgresServer, RedisServer, port_open, wait_for

DATABASE = "treaty"
PORTS = {"primary": 55432, "replica": 55433, "pgbouncer": 56432, "redis": 56379, "haproxy": 8400}
APP_PORTS = [8401, 8402, 8403]


def root() -> Path:
    folder = Path(os.environ.get("CLUSTER_DIR") or PROJECT / ".cluster").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    return folder


def servers(folder: Path) -> dict:
    return {
        "primary": PostgresServer(folder, PORTS["primary"], "primary"),
        "replica": PostgresServer(folder, PORTS["replica"], "replica"),
        "pgbouncer": PgBouncer(folder, PORTS["pgbouncer"]),
        "redis": RedisServer(folder, PORTS["redis"]),
    }


def app_env(folder: Path) -> dict[str, str]:
    """The production settings of every application server (the secret key is made once and kept)."""
    secret = folder / "secret_key"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(60))
        secret.chmod(0o600)
    bouncer = f"postgres://postgres@127.0.0.1:{PORTS['pgbouncer']}"
    return {
        "DJANGO_SETTINGS_MODULE": "archive_site.settings.prod",
        "SECRET_KEY": secret.read_text().strip(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL": "false",  # plain HTTP on the loopback; a real front proxy terminates HTTPS
        "SITE_BASE_URL": f"http://127.0.0.1:{PORTS['haproxy']}",
        "DATABASE_URL": f"{bouncer}/{DATABASE}",
        "DATABASE_REPLICA_URLS": f"{bouncer}/{DATABASE}_replica",
        "DATABASE_TRANSACTION_POOLING": "true",
        "REDIS_URL": f"redis://127.0.0.1:{PORTS['redis']}/0",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "LOG_LEVEL": "WARNING",
    }


def direct_env(folder: Path) -> dict[str, str]:
    """For management commands: straight to the primary (migrations and bulk loads need a session of their own)."""
    return {
        **app_env(folder),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PORTS['primary']}/{DATABASE}",
        "DATABASE_REPLICA_URLS": "",
        "DATABASE_TRANSACTION_POOLING": "false",
        "REDIS_URL": "",  # cache keys carry the catalogue version: a write needs no invalidation
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env={**os.environ, **env}, check=True)


def apps(folder: Path, workers: int) -> list[Gunicorn]:
    return [
        Gunicorn(folder, port, app_env(folder), name=f"app{number}", workers=workers)
        for number, port in enumerate(APP_PORTS, start=1)
    ]


def start(workers: int) -> None:
    folder = root()
    s = servers(folder)
    primary, replica = s["primary"], s["replica"]
    if not primary.data.exists():
        print("initialising the primary...")
        primary.init_primary()
    if not primary.running():
        primary.start()
    if primary.psql("postgres", f"SELECT count(*) FROM pg_database WHERE datname = '{DATABASE}'") == "0":
        primary.psql("postgres", f"CREATE DATABASE {DATABASE}")
    print("migrating, collecting static files...")
    manage(direct_env(folder), "migrate", "--noinput", "-v0")
    manage(direct_env(folder), "collectstatic", "--noinput", "-v0")
    if not replica.data.exists():
        print("base backup for the replica...")
        replica.init_replica_of(primary)
    if not replica.running():
        replica.start()
    if not port_open(PORTS["pgbouncer"]):
        s["pgbouncer"].configure(
            {DATABASE: (PORTS["primary"], DATABASE), f"{DATABASE}_replica": (PORTS["replica"], DATABASE)}, pool_size=30
        )
        s["pgbouncer"].start()
    if not s["redis"].running():
        s["redis"].start()
    for app in apps(folder, workers):
        if not port_open(app.port):
            app.start()
    if not port_open(PORTS["haproxy"]):
        HAProxy(folder, PORTS["haproxy"], APP_PORTS).start()
    print(f"The cluster answers on http://127.0.0.1:{PORTS['haproxy']}/ (logs in {folder}).")


def stop() -> None:
    folder = root()
    s = servers(folder)
    HAProxy(folder, PORTS["haproxy"], APP_PORTS).stop()
    for app in apps(folder, 1):
        app.stop()
    s["redis"].stop()
    s["pgbouncer"].stop()
    s["replica"].stop()
    s["primary"].stop()
    print("The cluster is stopped.")


def readiness(port: int) -> dict | str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())
    except OSError as error:
        return f"not answering ({type(error).__name__})"


def status() -> int:
    folder = root()
    s = servers(folder)
    up = {
        "PostgreSQL primary": s["primary"].running(),
        "PostgreSQL replica": s["replica"].running(),
        "PgBouncer": port_open(PORTS["pgbouncer"]),
        "Redis": s["redis"].running(),
        "HAProxy": port_open(PORTS["haproxy"]),
    }
    for name, running in up.items():
        print(f"{name:20} {'running' if running else 'stopped'}")
    for number, port in enumerate(APP_PORTS, start=1):
        ready = readiness(port)
        summary = ready if isinstance(ready, str) else ready["status"]
        lag = "" if isinstance(ready, str) else f" replica lag {[r.get('lag_seconds') for r in ready['replicas']]} s"
        print(f"{'gunicorn app' + str(number):20} {summary}{lag}")
    return 0 if all(up.values()) else 1


def load(treaties: int, seed: int) -> None:
    folder = root()
    s = servers(folder)
    existing = s["primary"].psql(DATABASE, "SELECT count(*) FROM catalogue_treaty")
    if int(existing) >= treaties:
        print(f"The catalogue already holds {existing} treaties.")
    else:
        started = time.monotonic()
        manage(direct_env(folder), "generate_catalogue", "--treaties", str(treaties), "--seed", str(seed))
        print(f"generated {treaties} treaties in {time.monotonic() - started:.0f} s")
    target = s["primary"].psql("postgres", "SELECT pg_current_wal_lsn()")
    wait_for(
        lambda: s["replica"].psql("postgres", f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t",
        300,
        "the replica replaying the load",
    )
    print("The replica has replayed the load.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev cluster", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start", help="start every server (initialising them the first time)")
    start_parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (default 2)")
    commands.add_parser("stop", help="stop every server")
    commands.add_parser("status", help="which servers run; each application server's /readyz")
    load_parser = commands.add_parser("load", help="generate a catalogue on the primary")
    load_parser.add_argument("--treaties", type=int, default=25_000)
    load_parser.add_argument("--seed", type=int, default=1)
    commands.add_parser("bench", help="the cluster load test (benchmarks/cluster.py; --help there)", add_help=False)
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["bench"]:
        from benchmarks.cluster import main as bench

        return bench(argv[1:])
    options = parser.parse_args(argv)
    if options.command == "start":
        start(options.workers)
    elif options.command == "stop":
        stop()
    elif options.command == "status":
        return status()
    elif options.command == "load":
        load(options.treaties, options.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
