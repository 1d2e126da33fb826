"""The backup drill: back up the demo catalogue with a scan, restore it into a fresh database, compare.

Run as an operator would, with the management commands in their own processes, on a PostgreSQL
server of the test session's own (tests/served.py) and on SQLite files.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from pathlib import Path

import pytest

from tests.served import manage

pytestmark = pytest.mark.served

ADD_SCAN = """
from io import BytesIO
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from catalogue.models import Scan, Treaty
image = BytesIO()
Image.new("RGB", (900, 600), (122, 46, 29)).save(image, "PNG")
Scan.objects.create(
    treaty=Treaty.objects.get(slug="treaty-of-berlin-1926"),
    image=SimpleUploadedFile("berlin-page-1.png", image.getvalue()),
    caption="Page 1",
)
"""

PUBLISHED_CHECKSUM = """
SELECT md5(string_agg(r, '|' ORDER BY r)) FROM (
    SELECT t::text AS r FROM catalogue_treaty t WHERE status = 'published'
    UNION ALL SELECT p::text FROM catalogue_protocol p WHERE status = 'published'
) published
"""


def _files(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _pg_counts(cluster, database: str) -> dict[str, int]:
    tables = cluster.primary.psql(
        database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    ).splitlines()
    return {table: int(cluster.primary.psql(database, f'SELECT count(*) FROM "{table}"')) for table in tables}


def _demo_with_a_scan(env: dict[str, str]) -> None:
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo")
    manage(env, "shell", "-c", ADD_SCAN)


def test_backup_restore_drill_on_postgresql(cluster, tmp_path):
    source, target = f"drill_{secrets.token_hex(4)}", f"restored_{secrets.token_hex(4)}"
    for database in (source, target):
        cluster.primary.psql("postgres", f"CREATE DATABASE {database}")
    try:
        env = {
            "DJANGO_SETTINGS_MODULE": "archive_site.settings.dev",
            "DATABASE_URL": cluster.primary_url(source),
            "MEDIA_ROOT": str(tmp_path / "media"),
        }
        _demo_with_a_scan(env)
        backed_up = manage(env, "backup_catalogue", str(tmp_path / "backup"))
        assert "3 scan files" in backed_up.stdout  # the master, its thumbnail and its preview

        restored_env = {**env, "DATABASE_URL": cluster.primary_url(target), "MEDIA_ROOT": str(tmp_path / "restored")}
        manage(restored_env, "restore_catalogue", str(tmp_path / "backup"))

        counts = _pg_counts(cluster, source)
        assert counts["catalogue_treaty"] == 6 and counts["catalogue_scan"] == 1
        assert _pg_counts(cluster, target) == counts, "every table has its rows back"
        checksum = cluster.primary.psql(source, PUBLISHED_CHECKSUM)
        assert checksum and cluster.primary.psql(target, PUBLISHED_CHECKSUM) == checksum
        scans = _files(tmp_path / "media")
        assert len(scans) == 3
        assert _files(tmp_path / "restored") == scans, "the scans' files are back, byte for byte"

        again = manage(restored_env, "restore_catalogue", str(tmp_path / "backup"), check=False)
        assert again.returncode == 1
        assert f"The database {target} is not empty" in again.stderr
        assert "Traceback" not in again.stderr
    finally:
        for database in (source, target):
            cluster.primary.psql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")]
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def test_backup_restore_drill_on_sqlite_uses_the_online_backup_api(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "archive_site.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'source.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    _demo_with_a_scan(env)
    manage(env, "backup_catalogue", str(tmp_path / "backup"))
    assert (tmp_path / "backup" / "database.sqlite3").is_file()
    restored_env = {
        **env,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "restored"),
    }
    manage(restored_env, "restore_catalogue", str(tmp_path / "backup"))
    counts = _sqlite_counts(tmp_path / "source.sqlite3")
    assert counts["catalogue_scan"] == 1
    assert _sqlite_counts(tmp_path / "restored.sqlite3") == counts
    assert _files(tmp_path / "restored") == _files(tmp_path / "media")

    refused = manage(restored_env, "restore_catalogue", str(tmp_path / "backup"), check=False)
    assert refused.returncode == 1 and "is not empty" in refused.stderr


def test_a_damaged_backup_is_refused_before_anything_is_written(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "archive_site.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'source.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    _demo_with_a_scan(env)
    manage(env, "backup_catalogue", str(tmp_path / "backup"))
    master = next(path for path in (tmp_path / "backup" / "media").rglob("*.png") if "derived" not in str(path))
    master.write_bytes(master.read_bytes()[:-1] + b"\0")
    target = tmp_path / "restored.sqlite3"
    refused = manage(
        {**env, "DATABASE_URL": f"sqlite:///{target}"}, "restore_catalogue", str(tmp_path / "backup"), check=False
    )
    assert refused.returncode == 1
    assert "The backup is damaged" in refused.stderr and "does not match its checksum" in refused.stderr
    assert not target.exists() or _sqlite_counts(target) == {}

    occupied = manage(env, "backup_catalogue", str(tmp_path / "backup"), check=False)
    assert occupied.returncode == 1 and "is not empty: give a new folder" in occupied.stderr
