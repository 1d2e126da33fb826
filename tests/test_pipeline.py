"""catalogue.importing.pipeline: checking in a second process gives exactly the import checking here gives."""

from __future__ import annotations

import copy
import io
import os

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from catalogue import models as m
from catalogue.importing import pipeline
from catalogue.importing.errors import Problems
from catalogue.importing.plan import RecordChecker
from catalogue.importing.writer import BatchWriter
from catalogue.services import ImportFailed, import_records
from tests.data.make_treaties import generate
from tests.test_import import DATA, numbered, reference_data, snapshot  # noqa: F401  (reference_data is a fixture)


class Discard(Exception):
    pass


def imported(records, **options):
    """The catalogue, its history and the report after importing ``records``; then rolled back."""
    try:
        with transaction.atomic():
            report = import_records(numbered(records), origin="test", **options)
            result = (
                snapshot(),
                sorted(m.Treaty.objects.values_list("identifier", "slug")),
                sorted(m.Protocol.objects.values_list("slug", flat=True)),
                sorted(m.Event.objects.values_list("slug", flat=True)),
                m.Treaty.history.count(),
                m.Participation.history.count(),
                m.Citation.history.count(),
                (report.rows, report.created, report.updated, report.unchanged),
            )
            raise Discard
    except Discard:
        return result


def failure(records, **options) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        import_records(numbered(records), origin="bad.json", **options)
    return caught.value


def test_parallel_import_writes_what_the_serial_one_writes(reference_data):  # noqa: F811
    records = list(generate(45))
    for record in records[::4]:  # derived slugs: the writer settles them, batch after batch
        record.pop("slug", None)
        for protocol in record.get("protocols", []):
            protocol.pop("slug", None)
    serial = imported(records, batch_size=7)
    parallel = imported(records, batch_size=7, parallel=True)
    assert parallel == serial
    assert serial[-1] == (45, 45, 0, 0)
    assert m.Treaty.objects.count() == 0  # both rolled back


def test_records_are_checked_in_another_process(reference_data, monkeypatch):  # noqa: F811
    check, write = RecordChecker.check, BatchWriter.write
    checked_in, written = set(), []

    def check_noting_the_process(self, origin, line, record):
        plan = check(self, origin, line, record)
        if plan is not None:
            plan.checked_in = os.getpid()
        return plan

    def write_noting(self, plans):
        checked_in.update(plan.checked_in for plan in plans)
        written.append(len(plans))
        return write(self, plans)

    monkeypatch.setattr(RecordChecker, "check", check_noting_the_process)
    monkeypatch.setattr(BatchWriter, "write", write_noting)
    report = import_records(numbered(generate(12)), origin="test", batch_size=5, parallel=True)
    assert report.created == 12 and written == [5, 5, 2]
    assert len(checked_in) == 1 and os.getpid() not in checked_in
    checked_in.clear()
    import_records(numbered(generate(3)), origin="test", batch_size=5)  # serial by default: this process
    assert checked_in == {os.getpid()}


def test_problems_found_in_the_checking_process_are_reported_in_order_and_nothing_is_written(
    reference_data,  # noqa: F811
):
    records = list(generate(20))
    bad = copy.deepcopy(records)
    bad[1]["signed"] = "1926-13-45"
    bad[9]["parties"][1]["state"] = "Atlantis"
    bad[17]["title"] = ""
    bad[18]["id"] = bad[3]["id"]
    serial = failure(bad, batch_size=4)
    parallel = failure(bad, batch_size=4, parallel=True)
    assert parallel.errors == serial.errors and parallel.total == serial.total == 4
    assert [(e.line, e.column) for e in parallel.errors] == [
        (2, "signed"),
        (10, "parties[2].state"),
        (18, "title"),
        (19, "id"),
    ]
    assert m.Treaty.objects.count() == 0 and m.Treaty.history.count() == 0


def test_a_clash_the_writer_finds_is_reported_after_the_checks_of_its_batch(reference_data):  # noqa: F811
    records = list(generate(6))
    import_records(numbered(records[:1]), origin="first")
    clash = copy.deepcopy(records[1:])
    clash[2]["slug"] = m.Treaty.objects.get().slug  # another treaty's address: only the database knows
    serial = failure(clash, batch_size=2)
    parallel = failure(clash, batch_size=2, parallel=True)
    assert parallel.errors == serial.errors
    assert [(e.line, e.column) for e in parallel.errors] == [(3, "slug")]
    assert m.Treaty.objects.count() == 1


def test_a_failure_in_the_checking_process_stops_the_import_and_rolls_back(reference_data, monkeypatch):  # noqa: F811
    check = RecordChecker.check

    def check_failing_on_line_8(self, origin, line, record):
        if line == 8:
            raise ZeroDivisionError("a bug in checking")
        return check(self, origin, line, record)

    monkeypatch.setattr(RecordChecker, "check", check_failing_on_line_8)
    with pytest.raises(pipeline.CheckingFailed, match="ZeroDivisionError: a bug in checking"):
        import_records(numbered(generate(12)), origin="test", batch_size=3, parallel=True)
    assert m.Treaty.objects.count() == 0


def test_the_checking_process_may_not_query_the_database(reference_data, monkeypatch):  # noqa: F811
    check = RecordChecker.check

    def check_with_a_query(self, origin, line, record):
        if line == 4:
            m.State.objects.count()
        return check(self, origin, line, record)

    monkeypatch.setattr(RecordChecker, "check", check_with_a_query)
    with pytest.raises(pipeline.CheckingFailed, match="must not query the database"):
        import_records(numbered(generate(6)), origin="test", batch_size=3, parallel=True)
    # The writer's session is intact: it still answers, and the rollback left nothing.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert m.Treaty.objects.count() == 0


def test_create_missing_checks_in_this_process(db):
    """--create-missing writes references while checking: it must share the import's transaction."""
    records = list(generate(4))
    report = import_records(numbered(records), origin="test", create_missing=True, parallel=True)
    assert report.created == 4
    assert report.created_references["state"]
    assert m.State.objects.filter(name=records[0]["parties"][0]["state"]).exists()


def test_merged_problems_keep_the_limit_and_count_them_all():
    problems = Problems(limit=3)
    problems.add("a", 1, "x", "first")
    found = Problems()
    for line in (2, 3, 4):
        found.add("a", line, "y", "later")
    problems.merge(found.items, found.total)
    assert problems.total == 4
    assert [p.line for p in problems.items] == [1, 2, 3]


@pytest.mark.parametrize(
    ("asked", "records", "cores", "expected"),
    [
        (None, pipeline.PARALLEL_FROM, 2, True),
        (None, pipeline.PARALLEL_FROM - 1, 2, False),
        (None, pipeline.PARALLEL_FROM, 1, False),
        (None, None, 4, False),
        (True, 10, 1, True),
        (False, 10**6, 8, False),
    ],
)
def test_parallel_by_default_only_for_large_imports_on_two_cores(monkeypatch, asked, records, cores, expected):
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert pipeline.choose_parallel(asked, records) is expected


def test_import_command_with_parallel(reference_data):  # noqa: F811
    out = io.StringIO()
    call_command("import_catalogue", str(DATA / "treaties_100.csv"), "--parallel", stdout=out)
    assert "created 100, updated 0, unchanged 0, errors 0" in out.getvalue()
    assert m.Treaty.objects.count() == 100


def test_generate_command_with_parallel_is_the_serial_catalogue(db):
    call_command("generate_catalogue", "--treaties", "40", "--seed", "3", "--no-parallel", stdout=io.StringIO())
    serial = sorted(m.Treaty.objects.values_list("slug", "signed", "title"))
    m.Treaty.objects.all().delete()
    m.OldSlug.objects.all().delete()
    call_command("generate_catalogue", "--treaties", "40", "--seed", "3", "--parallel", stdout=io.StringIO())
    assert sorted(m.Treaty.objects.values_list("slug", "signed", "title")) == serial
    assert m.Treaty.objects.count() == 40
