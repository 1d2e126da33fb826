"""Fixtures that start real servers for the scale-out tests: a PostgreSQL primary with a streaming
replica, PgBouncer in transaction mode, Redis, and the site served by gunicorn with the production
settings (ops/services.py starts them all).

Each is started once per test session (per xdist worker), in a temporary folder on free ports, and
stopped at its end. A test that stops a server starts it again before it returns. A missing
program fails the test that needs it, naming the Debian package (nothing here is skipped).
"""

from __future__ import annotations

import html.parser
import http.cookiejar
import json
import os
import secrets
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from ops.services import PROJECT, Gunicorn, PgBouncer, PostgresServer, RedisServer, free_port, wait_for

DATABASE = "treaty"
SUPERUSER = ("cluster-admin", "a-test-password-for-the-cluster")
#: The primary's URL carries this password (trust authentication ignores it): no response may show it.
SECRET_PASSWORD = "pw-" + secrets.token_hex(8)
PIN_SECONDS = 4


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@dataclass
class Cluster:
    root: Path
    primary: PostgresServer
    replica: PostgresServer
    bouncer: PgBouncer
    redis: RedisServer

    def primary_url(self, database: str = DATABASE) -> str:
        return self.primary.url(database)

    def wait_for_replay(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written."""
        target = self.primary.psql("postgres", "SELECT pg_current_wal_lsn()")

        def replayed():
            return self.replica.psql("postgres", f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t"

        wait_for(replayed, timeout, "the replica replaying the primary's changes")

    def pause_replay(self) -> None:
        self.replica.psql("postgres", "SELECT pg_wal_replay_pause()")
        wait_for(
            lambda: self.replica.psql("postgres", "SELECT pg_get_wal_replay_pause_state()") == "paused",
            30,
            "the replica pausing its replay",
        )

    def resume_replay(self) -> None:
        self.replica.psql("postgres", "SELECT pg_wal_replay_resume()")


def _start_cluster(root: Path, started: list) -> Cluster:
    """Start every server, appending each to ``started`` as it comes up (to be stopped whatever happens)."""
    primary = PostgresServer(root, free_port(), "primary")
    primary.init_primary()
    started.append(primary)
    primary.start()
    primary.psql("postgres", f"CREATE DATABASE {DATABASE}")
    env = {"DJANGO_SETTINGS_MODULE": "archive_site.settings.dev", "DATABASE_URL": primary.url(DATABASE)}
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo")
    manage(
        {**env, "DJANGO_SUPERUSER_PASSWORD": SUPERUSER[1]},
        "createsuperuser",
        "--noinput",
        "--username",
        SUPERUSER[0],
        "--email",
        "admin@example.org",
    )
    replica = PostgresServer(root, free_port(), "replica")
    replica.init_replica_of(primary)
    started.append(replica)
    replica.start()
    bouncer = PgBouncer(root, free_port())
    bouncer.configure({DATABASE: (primary.port, DATABASE), f"{DATABASE}_replica": (replica.port, DATABASE)})
    started.append(bouncer)
    bouncer.start()
    redis = RedisServer(root, free_port())
    started.append(redis)
    redis.start()
    return Cluster(root, primary, replica, bouncer, redis)


@pytest.fixture(scope="session")
def cluster():
    """A PostgreSQL primary with the demo catalogue and a superuser, its streaming replica, PgBouncer, Redis."""
    root = Path(tempfile.mkdtemp(prefix="treaty-cluster-"))
    root.chmod(0o755)
    started: list = []
    try:
        yield _start_cluster(root, started)
    finally:
        for server in reversed(started):
            server.stop()
        subprocess.run(["rm", "-rf", str(root)], check=False)


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """The collected static files the production settings serve (whitenoise's manifest)."""
    folder = tmp_path_factory.mktemp("static")
    manage(_prod_env({"STATIC_ROOT": str(folder)}), "collectstatic", "--noinput", "-v0")
    return folder


def _prod_env(extra: dict[str, str]) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "archive_site.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL": "false",
        "DATABASE_URL": "postgres://unused@127.0.0.1:1/unused",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@pytest.fixture(scope="session")
def served(cluster, static_root, tmp_path_factory):
    """The site on gunicorn (production settings): primary and replica each behind PgBouncer, Redis cache."""
    folder = tmp_path_factory.mktemp("served")
    env = _prod_env(
        {
            "STATIC_ROOT": str(static_root),
            "MEDIA_ROOT": str(folder / "media"),
            "DATABASE_URL": f"postgres://postgres:{SECRET_PASSWORD}@127.0.0.1:{cluster.bouncer.port}/{DATABASE}",
            "DATABASE_REPLICA_URLS": cluster.bouncer.url(f"{DATABASE}_replica"),
            "DATABASE_TRANSACTION_POOLING": "true",
            "REDIS_URL": cluster.redis.url(0),
            "REPLICA_PIN_SECONDS": str(PIN_SECONDS),
            "REPLICA_RETRY_SECONDS": "1",
        }
    )
    server = Gunicorn(folder, free_port(), env, name="served", workers=1, threads=4)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def single_server(cluster, static_root, tmp_path_factory):
    """The site on one gunicorn straight on the primary: no replica, no pooler, local-memory cache."""
    folder = tmp_path_factory.mktemp("single")
    env = _prod_env(
        {
            "STATIC_ROOT": str(static_root),
            "MEDIA_ROOT": str(folder / "media"),
            "DATABASE_URL": f"postgres://postgres:{SECRET_PASSWORD}@127.0.0.1:{cluster.primary.port}/{DATABASE}",
            "OUTAGE_RETRY_AFTER_SECONDS": "7",
        }
    )
    server = Gunicorn(folder, free_port(), env, name="single", workers=1, threads=4)
    server.start()
    yield server
    server.stop()


# -- an HTTP client with cookies ----------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    def json(self):
        return json.loads(self.text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A browser's requests to one server: keeps its cookies, does not follow redirects."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        if data is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=60) as answer:
                return Response(answer.status, dict(answer.headers), answer.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read().decode("utf-8", "replace"))

    def get(self, path: str, **kwargs) -> Response:
        return self.request(path, **kwargs)

    def post(self, path: str, data: dict) -> Response:
        return self.request(path, data=data)

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.cookies if cookie.name == name), None)

    def login(self, username: str, password: str) -> None:
        form = FormFields.of(self.get("/admin/login/").text)
        answer = self.post("/admin/login/", {**form.values, "username": username, "password": password})
        assert answer.status == 302, answer.text[:500]


class FormFields(html.parser.HTMLParser):
    """The fields a browser would submit from a page's first POST form (or the one with ``form_id``)."""

    def __init__(self, form_id: str | None = None):
        super().__init__()
        self.form_id = form_id
        self.values: dict[str, list[str]] = {}
        self._in_form = self._done = False
        self._textarea: str | None = None
        self._select: str | None = None

    @classmethod
    def of(cls, page: str, form_id: str | None = None) -> FormFields:
        parser = cls(form_id)
        parser.feed(page)
        return parser

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._done:
            return
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self._in_form = self.form_id is None or attrs.get("id") == self.form_id
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image") or (
                kind in ("checkbox", "radio") and "checked" not in attrs
            ):
                return
            self.values.setdefault(name, []).append(attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.setdefault(self._select, []).append(attrs.get("value", ""))

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._in_form and self.values:
            self._in_form, self._done = False, True
