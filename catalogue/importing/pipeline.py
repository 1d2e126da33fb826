"""Records in, checked batches out: in this process, or in a second one while this one writes.

Why a second process: a bulk import spends more than half of its Python time
reading and checking records, which is computation on values alone, and the
rest writing batches, where it mostly waits for the database. With two cores
the two overlap: a forked process reads and checks batch n+1 while this one
writes batch n (``parallel=True``). Checking has no shared state with writing
(the writer keeps its own record of the slugs it derives), so the batches,
plans and problems are exactly those of checking in this process, in the same
order; only the time differs.

The forked process must never use the database: it shares this process's
connection (the same socket, inside the import's transaction). Checking needs
none once the ``Resolver`` has read the reference tables, which it does before
the fork; a reference made by ``--create-missing`` would be a write, so such
imports check in this process. A guard makes any query in the checking process
fail loudly instead of talking over the writer's session.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue as queue_module
import time
import traceback
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connections

from .errors import Problems
from .plan import RecordChecker, TreatyPlan

logger = logging.getLogger("catalogue.import")

# Batches checked ahead of the writer: enough to keep both busy, few enough to bound memory.
AHEAD = 3
POLL_SECONDS = 1.0


class CheckingFailed(RuntimeError):
    """The checking process raised or died; the import is abandoned (and rolled back by the caller)."""


# An import at least this large (in records) checks in parallel unless told otherwise: below it the fork and
# the transfer of plans cost more than they overlap.
PARALLEL_FROM = 5000


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def choose_parallel(asked: bool | None, records: int | None) -> bool:
    """``--parallel`` / ``--no-parallel`` as asked; by default parallel for large imports on two cores or more."""
    if asked is not None:
        return asked
    return (os.cpu_count() or 1) >= 2 and records is not None and records >= PARALLEL_FROM


def checked_batches(
    stream: Iterable[tuple[str, int, object]], checker: RecordChecker, batch_size: int, *, parallel: bool = False
) -> Iterator[tuple[int, list[TreatyPlan]]]:
    """(records read, plans of the records without problems) per batch; problems go to ``checker.problems``."""
    if parallel and can_fork():
        yield from _forked(stream, checker, batch_size)
    else:
        yield from _check(stream, checker, batch_size)


def _check(stream, checker: RecordChecker, batch_size: int):
    stream = iter(stream)
    while True:
        batch = list(islice(stream, batch_size))
        if not batch:
            return
        plans = []
        for origin, line, record in batch:
            plan = checker.check(origin, line, record)
            if plan is not None:
                plans.append(plan)
        yield len(batch), plans


def _forbid_queries(execute, sql, params, many, context):
    raise CheckingFailed("the import's checking process must not query the database (it shares the writer's session)")


def _run_checker(stream, checker: RecordChecker, batch_size: int, out) -> None:
    """In the forked process: check every batch and send it, with the problems it found, then a last message."""
    for connection in connections.all(initialized_only=True):
        connection.execute_wrappers.append(_forbid_queries)
    problems: Problems = checker.problems
    sent_items = sent_total = 0
    try:
        for rows, plans in _check(stream, checker, batch_size):
            found = problems.items[sent_items:]
            out.put(("batch", rows, plans, found, problems.total - sent_total))
            sent_items, sent_total = len(problems.items), problems.total
        out.put(("done",))
    except BaseException:  # noqa: BLE001 - every failure must reach the writer, which rolls back
        out.put(("failed", traceback.format_exc()))


def _forked(stream, checker: RecordChecker, batch_size: int):
    context = multiprocessing.get_context("fork")
    out = context.Queue(maxsize=AHEAD)
    process = context.Process(
        target=_run_checker, args=(stream, checker, batch_size, out), name="import-checker", daemon=True
    )
    problems: Problems = checker.problems
    process.start()
    started, waited = time.monotonic(), 0.0
    try:
        while True:
            try:
                asked = time.monotonic()
                message = out.get(timeout=POLL_SECONDS)
                waited += time.monotonic() - asked
            except queue_module.Empty:
                if not process.is_alive():
                    raise CheckingFailed(
                        f"the import's checking process stopped unexpectedly (exit code {process.exitcode})"
                    ) from None
                continue
            if message[0] == "done":
                # Which side sets the pace: a writer that waits long for batches is faster than the checks.
                logger.info(
                    "import: the writer waited %.1f s of %.1f s for checked batches", waited, time.monotonic() - started
                )
                break
            if message[0] == "failed":
                raise CheckingFailed(f"the import's checking process failed:\n{message[1]}")
            _tag, rows, plans, found, count = message
            problems.merge(found, count)
            yield rows, plans
        process.join()
    finally:
        if process.is_alive():
            process.terminate()
            process.join()
        out.close()
