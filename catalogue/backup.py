"""A consistent backup of the catalogue's database and its scans' files, and its restore into an empty database.

Why: a backup is only known to be good once it has been restored. The backup is
a folder an operator can copy anywhere and check by eye:

* ``database.dump``: ``pg_dump`` in its custom format (PostgreSQL), or a copy
  made by SQLite's online backup API (``database.sqlite3``);
* ``media/``: the files of every scan the dumped rows name (masters and their
  derived images), under their paths in ``MEDIA_ROOT``;
* ``manifest.json``: what was backed up (every table's row count, each file's
  size and SHA-256), so that a restore checks the copy before writing anything
  and compares the restored tables with the original's counts.

Consistency: on PostgreSQL the dump and the list of scan files come from one
snapshot (``pg_export_snapshot`` shared with ``pg_dump --snapshot``), so the
files copied are exactly those the dumped rows name, while curators go on
writing. Scan files are never rewritten under the same name, so copying them
after the snapshot copies what the rows name.

The dump is of the whole database (the catalogue, its history, users and
groups), taken from the server itself: ``pg_dump`` needs a session of its own,
which PgBouncer in transaction mode does not give (``BACKUP_DATABASE_URL``
names the server when ``DATABASE_URL`` is the pooler).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections

MANIFEST = "manifest.json"
FORMAT = 1


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def database_settings() -> dict:
    """The database to back up or restore: BACKUP_DATABASE_URL (the server behind a pooler), else the primary."""
    url = os.environ.get("BACKUP_DATABASE_URL")
    if url:
        return dj_database_url.parse(url)
    return connections[DEFAULT_DB_ALIAS].settings_dict


def _pg_env(db: dict) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise CommandError(f"{name} was not found: install PostgreSQL's client programs (Debian: postgresql-client).")
    return found


def table_counts(connection) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _scan_files(connection) -> list[str]:
    """The media paths every scan row names (master, thumbnail, preview)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT image, thumbnail, preview FROM catalogue_scan")
        return sorted({name for row in cursor.fetchall() for name in row if name})


def _copy_media(names: list[str], target: Path) -> list[dict]:
    files, missing = [], []
    for name in names:
        source = Path(settings.MEDIA_ROOT) / name
        if not source.is_file():
            missing.append(name)
            continue
        destination = target / "media" / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
        files.append({"path": name, "bytes": destination.stat().st_size, "sha256": sha256(destination)})
    if missing:
        raise CommandError(
            f"{len(missing)} scan file(s) named by the database are missing from MEDIA_ROOT, e.g. {missing[0]}; "
            "the backup would not restore them."
        )
    return files


def backup(target: Path) -> dict:
    """Write the backup folder ``target`` (which must not exist or be empty); return its manifest."""
    if target.exists() and any(target.iterdir()):
        raise CommandError(f"{target} is not empty: give a new folder for the backup.")
    target.mkdir(parents=True, exist_ok=True)
    connection = connections[DEFAULT_DB_ALIAS]
    db = database_settings()
    vendor = connection.vendor
    if vendor == "postgresql":
        dump_name = "database.dump"
        connection.set_autocommit(False)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            args, env = _pg_env(db)
            result = subprocess.run(
                [_program("pg_dump"), *args, "--format=custom", f"--snapshot={snapshot}", "--no-owner",
                 f"--file={target / dump_name}", db["NAME"]],
                env=env, capture_output=True, text=True,
            )  # fmt: skip
            if result.returncode != 0:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
            counts = table_counts(connection)
            names = _scan_files(connection)
        finally:
            connection.rollback()
            connection.set_autocommit(True)
    elif vendor == "sqlite":
        dump_name = "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target / dump_name)
        try:
            connection.connection.backup(copy)  # the online backup API: one consistent copy
        finally:
            copy.close()
        copied = sqlite3.connect(target / dump_name)
        try:
            tables = [row[0] for row in copied.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            counts = {t: copied.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}
            counts.pop("sqlite_sequence", None)
            names = sorted(
                {n for row in copied.execute("SELECT image, thumbnail, preview FROM catalogue_scan") for n in row if n}
            )
        finally:
            copied.close()
    else:
        raise CommandError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    files = _copy_media(names, target)
    manifest = {
        "format": FORMAT,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "vendor": vendor,
        "database": {
            "file": dump_name,
            "bytes": (target / dump_name).stat().st_size,
            "sha256": sha256(target / dump_name),
        },
        "tables": counts,
        "media": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def verify(source: Path) -> dict:
    """The backup's manifest, once every file in it is found with its size and checksum."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise CommandError(f"{source} has no {MANIFEST}: it is not a backup made by backup_catalogue.") from None
    except json.JSONDecodeError as error:
        raise CommandError(f"{source / MANIFEST} is not valid JSON (line {error.lineno}).") from None
    if manifest.get("format") != FORMAT:
        raise CommandError(f"{source / MANIFEST}: unknown backup format {manifest.get('format')!r}.")
    entries = [(manifest["database"]["file"], manifest["database"])]
    entries += [(str(Path("media") / entry["path"]), entry) for entry in manifest["media"]]
    for name, entry in entries:
        path = source / name
        if not path.is_file():
            raise CommandError(f"The backup is incomplete: {name} is missing.")
        if sha256(path) != entry["sha256"]:
            raise CommandError(f"The backup is damaged: {name} does not match its checksum in {MANIFEST}.")
    return manifest


def restore(source: Path) -> dict:
    """Restore the backup folder ``source`` into the configured database, which must be empty; return the counts."""
    manifest = verify(source)
    connection = connections[DEFAULT_DB_ALIAS]
    if manifest["vendor"] != connection.vendor:
        raise CommandError(f"This is a {manifest['vendor']} backup; the configured database is {connection.vendor}.")
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
    if existing:
        raise CommandError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(existing)} tables): "
            "a backup is restored only into an empty database. "
            "Create a new one (createdb) and point DATABASE_URL at it."
        )
    clashes = [
        entry["path"]
        for entry in manifest["media"]
        if (Path(settings.MEDIA_ROOT) / entry["path"]).exists()
        and sha256(Path(settings.MEDIA_ROOT) / entry["path"]) != entry["sha256"]
    ]
    if clashes:
        raise CommandError(f"MEDIA_ROOT already holds other files under the backup's names, e.g. {clashes[0]}.")
    dump = source / manifest["database"]["file"]
    if connection.vendor == "postgresql":
        db = database_settings()
        args, env = _pg_env(db)
        connection.close()
        command = [_program("pg_restore"), *args, "--no-owner", "--no-privileges", "--exit-on-error"]
        result = subprocess.run([*command, "--dbname", db["NAME"], str(dump)], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
    else:
        connection.ensure_connection()
        backup_copy = sqlite3.connect(dump)
        try:
            backup_copy.backup(connection.connection)
        finally:
            backup_copy.close()
        connection.close()
    for entry in manifest["media"]:
        destination = Path(settings.MEDIA_ROOT) / entry["path"]
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / "media" / entry["path"], destination)
    restored = table_counts(connections[DEFAULT_DB_ALIAS])
    differences = {t: (n, restored.get(t)) for t, n in manifest["tables"].items() if restored.get(t) != n}
    if differences:
        table, (expected, found) = next(iter(differences.items()))
        raise CommandError(f"The restored database differs from the backup: {table} has {found} rows, not {expected}.")
    return restored
