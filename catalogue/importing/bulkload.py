"""A first load into an empty catalogue, as ``pg_restore`` does it: foreign keys validated once, at the end.

Why: PostgreSQL checks a foreign key row by row: each inserted row queues an
after-trigger event per constraint, and Django's constraints are deferred, so
they all run at commit. A load of 250,000 treaties with their parts and
history queues millions of them; at that size they cost about 45 s of a 230 s
load, while validating each constraint afterwards with one join
(``ALTER TABLE ... ADD CONSTRAINT``) costs 4.6 s for all of them. PostgreSQL's
advice for populating a database is exactly this ("Populating a Database").
Dropping the secondary indexes as well was measured and rejected: the load
saved 17 s and rebuilding the 231 indexes cost 20 s.

What is set aside: the foreign keys of the tables the import writes
(treaties, their parts and their history) that point into the catalogue.
Keys to other apps' tables (the history's user) stay, so that the users table
is never locked. Everything happens inside the import's transaction: if the
import fails, the rollback restores every constraint exactly as it was; if
it succeeds, every key is added back and validated before the import commits,
and a row that breaks one fails the whole import. The loaded tables are
analysed as they grow (see ``_Statistics``): without statistics the planner
scanned whole tables for each batch's lookups.

When: PostgreSQL only, and only when the catalogue has no treaty yet (the
default of ``import_catalogue`` and ``generate_catalogue`` for large loads).
Dropping a constraint locks both its tables (ACCESS EXCLUSIVE) until the
import commits: other sessions reading them wait for the load, so a catalogue
already in use is loaded with its constraints in place.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.apps import apps
from django.db import connection

from .. import models as m


def loaded_models() -> list:
    """The models a treaty import writes, and their history models."""
    from .writer import m2m_history_model

    plain = [m.Treaty, m.TreatyTitle, m.Participation, m.Registration, m.Protocol, m.Citation, m.Event]
    return [*plain, m.Treaty.subjects.through, *(model.history.model for model in plain), m2m_history_model()]


# An import at least this large (in records) into an empty catalogue is a bulk load unless told otherwise.
BULK_FROM = 5000


def choose(asked: bool | None, records: int | None) -> bool:
    """``--bulk-load`` / ``--no-bulk-load`` as asked; by default for large imports (``applies()`` decides the rest)."""
    if asked is not None:
        return asked
    return records is not None and records >= BULK_FROM


def applies() -> bool:
    """A bulk load is for PostgreSQL, into a catalogue without treaties."""
    return connection.vendor == "postgresql" and not m.Treaty.objects.exists()


def _foreign_keys(tables: list[str], targets: list[str]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of each foreign key from one of ``tables`` to one of ``targets``."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) AND c.confrelid = ANY(%s::regclass[])
            ORDER BY 1, 2
            """,
            [tables, targets],
        )
        return cursor.fetchall()


class _Statistics:
    """ANALYZE the loaded tables on the first batch and whenever the load has doubled since the last time.

    Why: tables that start empty have no statistics, and a transaction's own rows are invisible to autovacuum
    until it commits. Without them the planner takes a batch lookup such as ``slug = ANY(2,000 slugs)`` to match
    the whole table and scans it, batch after batch, over a table that keeps growing. ANALYZE inside the
    transaction counts its own new rows; doubling keeps it to about ten runs for 250,000 treaties.

    The sample is small (``SAMPLE_TARGET``: 3,000 rows a table instead of 30,000): the lookups need table
    sizes and the uniqueness of keys, not fine histograms, and full-size runs took 5.6 s each at 250,000
    treaties, 0.6 s with this one. Autovacuum analyses the tables in full once the load commits.
    """

    SAMPLE_TARGET = 10  # default_statistics_target: 300 x 10 rows sampled per table

    def __init__(self, tables: list[str]):
        self.sql = "ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables)
        self.last = 0

    def __call__(self, created: int) -> None:
        if created > 0 and created >= 2 * self.last:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL default_statistics_target = %s", [self.SAMPLE_TARGET])
                cursor.execute(self.sql)
                cursor.execute("SET LOCAL default_statistics_target TO DEFAULT")
            self.last = created


@contextmanager
def first_load(models=None):
    """Set aside the foreign keys of ``models``' tables into the catalogue; add them back, validated, on success.

    Yields ``after_batch(created)``, to call with the number of treaties created so far after each batch: it
    keeps the planner's statistics in step with the load. Must run inside a transaction (the import's): the
    drop and the validation commit or roll back with the load.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("first_load() must run inside the import's transaction")
    tables = sorted({model._meta.db_table for model in (models or loaded_models())})
    targets = sorted({model._meta.db_table for model in apps.get_app_config("catalogue").get_models()})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Checks still pending from earlier in the transaction run now: a table with pending trigger
        # events cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        keys = _foreign_keys(tables, targets)
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield _Statistics(tables)
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
