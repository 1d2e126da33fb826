"""The served load test: production settings under gunicorn on 127.0.0.1, wrk at 16 connections.

The production settings refuse to start without a secret key, ALLOWED_HOSTS and
a database; they are given here, with SECURE_SSL=false so that plain HTTP on
127.0.0.1 is not redirected to HTTPS. Static files are collected first (the
production storage serves them from a manifest). The mix of URLs (list pages
with and without filters, searches, detail pages) is read by ``mix.lua``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .run import ROOT

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mix_paths(env: dict) -> list[str]:
    """The URLs of the mix, from the database (the heaviest party, a few detail pages)."""
    code = (
        "import json\n"
        "from benchmarks.measure import scenario_urls\n"
        "from catalogue.models import Treaty\n"
        "urls = [u for name, u, _a in scenario_urls()]\n"
        "urls += [t.get_absolute_url() for t in Treaty.objects.published().order_by('pk')[:: max(1, "
        "Treaty.objects.count() // 20)][:20]]\n"
        "urls += ['/treaties/?q=trade', '/treaties/?q=boundaries&page=2', '/treaties/?q=peace']\n"
        "print('BENCH_URLS ' + json.dumps(urls))\n"
    )
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        env=env,
        cwd=ROOT,
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_URLS "))
    return json.loads(line.removeprefix("BENCH_URLS "))


def run(database_url: str, *, seconds: int = 30, connections: int = 16, workers: int = 2) -> dict:
    if not shutil.which("wrk"):
        raise RuntimeError("The load test needs wrk: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive_site.settings.prod",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL": "false",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
    }
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "--verbosity", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    paths = mix_paths({**env, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"})
    paths_file = work / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "archive_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/treaties/", timeout=30).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.5)
        for path in paths:  # warm each worker's code paths once (not the cache: the mix is what it is)
            urllib.request.urlopen(base + path, timeout=120).read()
        wrk = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(HERE / "mix.lua"),
                base,
            ],
            env={**os.environ, "BENCH_PATHS": str(paths_file)},
            check=True,
            text=True,
            capture_output=True,
        ).stdout
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)
    line = next(line for line in wrk.splitlines() if line.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    result["errors"] = sum(v for k, v in result.items() if k.startswith("errors_"))
    result.update(connections=connections, workers=workers, urls=len(paths))
    return result
