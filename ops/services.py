"""Real servers on local ports, in a folder of their own: PostgreSQL primary and streaming replica,
PgBouncer, Redis, gunicorn and HAProxy. Used by ``./dev cluster`` and by the tests.

Why one module for both: the tests of the replica router, the Redis fallback, the
503 during an outage and the backup drill start the same servers, configured
the same way, as the local cluster an operator tries the site on; nothing is
mocked, and a missing program is an error naming the Debian package, never a
skipped test.

Every server listens on 127.0.0.1 only, keeps its files under the given folder,
and is stopped by its pid (never by name): other PostgreSQL or Redis servers on
the machine are left alone.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

# Programs and the Debian package that brings each.
PACKAGES = {
    "initdb": "postgresql",
    "pg_basebackup": "postgresql",
    "pgbouncer": "pgbouncer",
    "redis-server": "redis-server",
    "haproxy": "haproxy",
}


class MissingProgram(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not happen within {timeout} s")


def pg_bindir() -> Path:
    """PostgreSQL's server programs: PG_BINDIR, else the newest /usr/lib/postgresql/N/bin, else the PATH."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise MissingProgram("initdb not found: install Debian's 'postgresql' package (or set PG_BINDIR).")


def program(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")
    if not path:
        raise MissingProgram(f"{name} not found: install Debian's '{PACKAGES.get(name, name)}' package.")
    return path


def _as_service_user(command: list[str]) -> list[str]:
    """PostgreSQL and PgBouncer refuse to run as root: run them as the 'postgres' user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def _make_dir(path: Path, private: bool = False) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700 if private else 0o755)
    _own(path)
    return path


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_pid(pid_file: Path, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    if not pid_file.exists():
        return
    try:
        pid = int(pid_file.read_text().split()[0])
    except (ValueError, IndexError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(FileNotFoundError):
        pid_file.unlink()


class PostgresServer:
    """One PostgreSQL cluster (data folder) on one port: a primary, or a streaming standby of one."""

    def __init__(self, root: Path, port: int, name: str = "primary"):
        self.root, self.port, self.name = Path(root), port, name
        self.data = self.root / name
        self.log = self.root / f"{name}.log"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _settings(self) -> str:
        return "\n".join(
            [
                f"port = {self.port}",
                "listen_addresses = '127.0.0.1'",
                f"unix_socket_directories = '{self.root}'",
                "wal_level = replica",
                "max_wal_senders = 5",
                "hot_standby = on",
                "max_connections = 200",
                "shared_buffers = 128MB",
                # Test and local data only: no fsync, so tests and the cluster start fast.
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "log_min_messages = warning",
                "",
            ]
        )

    def init_primary(self) -> None:
        _make_dir(self.root)
        bindir = pg_bindir()
        _run(
            _as_service_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-instructions",
                ]
            )
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(self._settings())
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")

    def init_replica_of(self, primary: PostgresServer) -> None:
        """A streaming standby: a base backup of the running primary with standby.signal (``-R``)."""
        _make_dir(self.root)
        bindir = pg_bindir()
        _run(
            _as_service_user(
                [
                    str(bindir / "pg_basebackup"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(primary.port),
                    "-U",
                    "postgres",
                    "-D",
                    str(self.data),
                    "-R",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                ]
            )
        )
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"port = {self.port}\nunix_socket_directories = '{self.root}'\n")

    def start(self, timeout: float = 60) -> None:
        bindir = pg_bindir()
        _run(
            _as_service_user(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-w",
                    "-t",
                    str(int(timeout)),
                    "start",
                ]
            )
        )
        wait_for(lambda: self.ready(), timeout, f"PostgreSQL {self.name} accepting connections")

    def stop(self, mode: str = "fast") -> None:
        if not (self.data / "postmaster.pid").exists():
            return
        bindir = pg_bindir()
        subprocess.run(
            _as_service_user([str(bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
            capture_output=True,
        )

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists() and port_open(self.port)

    def ready(self) -> bool:
        result = subprocess.run([str(pg_bindir() / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"])
        return result.returncode == 0

    def psql(self, database: str, sql: str) -> str:
        result = _run(
            [
                str(pg_bindir() / "psql"),
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-c",
                sql,
            ]
        )
        return result.stdout.strip()


class PgBouncer:
    """PgBouncer in transaction mode, one pool per (server, database) given."""

    def __init__(self, root: Path, port: int):
        self.root, self.port = Path(root), port
        self.folder = self.root / "pgbouncer"
        self.pid_file = self.folder / "pgbouncer.pid"
        self.log = self.root / "pgbouncer.log"

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def configure(self, databases: dict[str, tuple[int, str]], pool_size: int = 20) -> None:
        """``databases``: the name clients use -> (the server's port, its database name)."""
        program("pgbouncer")
        _make_dir(self.folder)
        lines = ["[databases]"]
        lines += [f"{name} = host=127.0.0.1 port={port} dbname={db}" for name, (port, db) in databases.items()]
        lines += [
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            f"listen_port = {self.port}",
            "unix_socket_dir =",
            "auth_type = trust",
            f"auth_file = {self.folder / 'users.txt'}",
            "pool_mode = transaction",
            f"default_pool_size = {pool_size}",
            "max_client_conn = 500",
            "ignore_startup_parameters = extra_float_digits,options",
            "server_connect_timeout = 2",
            # A server that is down answers queries with an error after this, rather than
            # holding them two minutes (the default): the site then falls back or answers 503.
            "query_wait_timeout = 3",
            "server_login_retry = 1",
            f"logfile = {self.log}",
            f"pidfile = {self.pid_file}",
            "",
        ]
        (self.folder / "pgbouncer.ini").write_text("\n".join(lines))
        (self.folder / "users.txt").write_text('"postgres" ""\n')
        self.log.touch()
        for path in (self.folder / "pgbouncer.ini", self.folder / "users.txt", self.log):
            _own(path)

    def start(self) -> None:
        _run(_as_service_user([program("pgbouncer"), "-d", str(self.folder / "pgbouncer.ini")]))
        wait_for(lambda: port_open(self.port), 20, "PgBouncer listening")

    def stop(self) -> None:
        _stop_pid(self.pid_file, signal.SIGINT)


class RedisServer:
    def __init__(self, root: Path, port: int):
        self.root, self.port = Path(root), port
        self.pid_file = self.root / f"redis-{port}.pid"
        self.log = self.root / "redis.log"

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        _run(
            [
                program("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pid_file),
                "--logfile",
                str(self.log),
                "--dir",
                str(self.root),
            ]
        )
        wait_for(lambda: port_open(self.port), 20, "Redis listening")

    def stop(self) -> None:
        _stop_pid(self.pid_file)
        wait_for(lambda: not port_open(self.port), 20, "Redis stopped")

    def running(self) -> bool:
        return port_open(self.port)


class Gunicorn:
    """One application server (gunicorn) with the given environment, its log in a file."""

    def __init__(
        self, root: Path, port: int, env: dict[str, str], name: str = "app", workers: int = 2, threads: int = 4
    ):
        self.root, self.port, self.env, self.name = Path(root), port, env, name
        self.workers, self.threads = workers, threads
        self.pid_file = self.root / f"{name}.pid"
        self.log = self.root / f"{name}.log"

    def start(self, daemon: bool = True) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "archive_site.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--pid",
            str(self.pid_file),
            "--error-logfile",
            str(self.log),
            "--capture-output",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ]
        if daemon:
            command.append("--daemon")
        env = {**os.environ, **self.env}
        subprocess.run(command, cwd=PROJECT, env=env, check=True)
        wait_for(lambda: port_open(self.port), 60, f"gunicorn {self.name} listening")

    def stop(self) -> None:
        _stop_pid(self.pid_file)
        wait_for(lambda: not port_open(self.port), 20, f"gunicorn {self.name} stopped")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class HAProxy:
    """A round-robin HTTP load balancer over the application servers, each checked by ``/healthz``."""

    def __init__(self, root: Path, port: int, backends: list[int]):
        self.root, self.port, self.backends = Path(root), port, backends
        self.pid_file = self.root / "haproxy.pid"
        self.config = self.root / "haproxy.cfg"

    def start(self) -> None:
        servers = "\n".join(
            f"    server app{number} 127.0.0.1:{port} check inter 2s fall 3 rise 1"
            for number, port in enumerate(self.backends, start=1)
        )
        self.config.write_text(
            f"""global
    maxconn 1000

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A busy server answers /healthz after the requests queued before it: give it time,
    # or every server of a loaded cluster is marked down at once (HAProxy's own 503s).
    timeout check 10s
    retries 2
    option redispatch

frontend site
    bind 127.0.0.1:{self.port}
    default_backend apps

backend apps
    balance roundrobin
    option httpchk GET /healthz
{servers}
"""
        )
        _run([program("haproxy"), "-D", "-p", str(self.pid_file), "-f", str(self.config)])
        wait_for(lambda: port_open(self.port), 20, "HAProxy listening")

    def stop(self) -> None:
        _stop_pid(self.pid_file)
