"""Writes that touch many models at once (house style: multi-model writes live here).

``import_records`` is the bulk import behind ``manage.py import_catalogue``:
all or nothing, streamed and batched. See ``docs/import-format.md`` for the
record format and ``catalogue.importing`` for its parts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, reset_queries, transaction
from django.utils.translation import gettext as _

from .importing import bulkload
from .importing.errors import ImportFailed, Problem, Problems
from .importing.pipeline import checked_batches
from .importing.plan import RecordChecker
from .importing.resolve import Resolver
from .importing.writer import BatchWriter

__all__ = ["ImportFailed", "ImportReport", "Problem", "import_records"]


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    created_references: dict[str, list[str]] = field(default_factory=dict)  # kind -> names made by --create-missing


def _items(records, origin: str):
    """(origin, line, record) from (line, record) or (origin, line, record) items."""
    for item in records:
        if len(item) == 3:
            yield item
        else:
            yield (origin, *item)


def import_records(
    records: Iterable,
    *,
    origin: str,
    create_missing: bool = False,
    dry_run: bool = False,
    user=None,
    reason: str = "",
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    parallel: bool = False,
    bulk_load: bool = False,
) -> ImportReport:
    """Import treaty records; all or nothing.

    ``records`` yields ``(line, record)`` pairs (or ``(origin, line, record)``
    to import several files as one) and is read one batch at a time. Every
    record is checked; once a problem is found nothing more is written, but
    checking goes on to the end so that every problem is reported together in
    ``ImportFailed``, and everything written is rolled back. ``dry_run``
    checks and writes everything inside the transaction, then rolls it back:
    it finds exactly the problems a real import would.

    ``progress(n)`` is called after each batch with the number of records read.

    ``parallel`` reads and checks the records in a second process while this
    one writes (``importing.pipeline``), for large imports on a machine with
    two cores or more; it changes the time taken, nothing else. It is ignored
    with ``create_missing``, whose checking writes new references.

    ``bulk_load`` loads a catalogue that has no treaties yet as ``pg_restore``
    would: foreign keys are set aside during the load and validated once at
    the end (``importing.bulkload``; PostgreSQL only, ignored otherwise).
    """
    reason = reason or _("Imported from %(origin)s") % {"origin": origin}
    problems = Problems()
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        resolver = Resolver(create_missing=create_missing, user=user, reason=reason)
        checker = RecordChecker(resolver, problems)
        writer = BatchWriter(resolver, problems, user=user, reason=reason, batch_size=batch_size)
        batches = checked_batches(
            _items(records, origin), checker, batch_size, parallel=parallel and not create_missing
        )
        loading = bulkload.first_load() if bulk_load and bulkload.applies() else nullcontext()
        try:
            with loading as after_batch:
                _write(batches, writer, problems, report, progress, after_batch)
                if problems:
                    raise ImportFailed(problems.items, problems.total)
        except DatabaseError as error:  # validating the foreign keys set aside failed
            raise ImportFailed(
                [Problem(origin, 0, "", _("the database refused the loaded records: %(error)s") % {"error": error})]
            ) from error
        report.created_references = {kind: list(names) for kind, names in resolver.created.items()}
        if dry_run:
            transaction.set_rollback(True)
    return report


def _write(batches, writer: BatchWriter, problems: Problems, report: ImportReport, progress, after_batch) -> None:
    """Write each checked batch (each in a savepoint) until a problem is found; count what was done."""
    for rows, plans in batches:
        report.rows += rows
        if plans and not problems:
            try:
                with transaction.atomic():
                    counts = writer.write(plans)
            except DatabaseError as error:  # a rule the checks above missed: report, never half-write
                first, last = plans[0], plans[-1]
                problems.add(
                    first.origin,
                    first.line,
                    "",
                    _("the database refused the records on lines %(first)s–%(last)s: %(error)s")
                    % {"first": first.line, "last": last.line, "error": error},
                )
            else:
                report.created += counts["created"]
                report.updated += counts["updated"]
                report.unchanged += counts["unchanged"]
                if after_batch is not None:
                    after_batch(report.created)
        if not connection.force_debug_cursor:  # unless a caller captures the queries (tests):
            reset_queries()  # with DEBUG on, Django logs every query, and an import's batch lookups would pile up
        if progress is not None:
            progress(rows)
