"""catalogue.importing.bulkload: a first load validates foreign keys once, and leaves every constraint as it was."""

from __future__ import annotations

import copy
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue import models as m
from catalogue.importing import bulkload
from catalogue.importing.resolve import Resolver
from catalogue.importing.writer import BatchWriter
from catalogue.services import ImportFailed, import_records
from tests.data.make_treaties import STATES, generate
from tests.test_import import DATA, numbered, reference_data, snapshot  # noqa: F401  (reference_data is a fixture)

POSTGRES = connection.vendor == "postgresql"


def catalogue_keys() -> set[tuple[str, str, str]]:
    """(table, name, definition) of every foreign key on the tables an import loads (PostgreSQL)."""
    tables = sorted({model._meta.db_table for model in bulkload.loaded_models()})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [tables],
        )
        return set(cursor.fetchall())


@pytest.fixture
def keys_during_writes(monkeypatch):
    """The foreign keys in place while each batch is written (PostgreSQL)."""
    seen = []
    write = BatchWriter.write

    def write_noting_keys(self, plans):
        seen.append(catalogue_keys() if POSTGRES else None)
        return write(self, plans)

    monkeypatch.setattr(BatchWriter, "write", write_noting_keys)
    return seen


def test_a_first_load_sets_the_catalogues_keys_aside_and_adds_them_back(reference_data, keys_during_writes):  # noqa: F811
    records = list(generate(12))
    before = catalogue_keys() if POSTGRES else None
    report = import_records(numbered(records), origin="test", batch_size=5, bulk_load=True)
    assert report.created == 12 and len(keys_during_writes) == 3
    assert [r["id"] for r in snapshot()] == sorted(r["id"] for r in records)
    if POSTGRES:
        assert bulkload.applies() is False  # there are treaties now
        during = keys_during_writes[0]
        into_catalogue = {key for key in before if "REFERENCES catalogue_" in key[2]}
        assert into_catalogue and not (during & into_catalogue)
        assert before - into_catalogue <= during  # keys to other apps (the history's user) stay
        assert any("REFERENCES auth_user" in key[2] for key in during)
        assert catalogue_keys() == before  # same names, same definitions (deferrable, on delete)
    else:
        assert bulkload.applies() is False  # PostgreSQL only


def test_a_failed_first_load_leaves_every_key_in_place(reference_data):  # noqa: F811
    records = list(generate(9))
    bad = copy.deepcopy(records)
    bad[7]["signed"] = "1926-13-45"
    before = catalogue_keys() if POSTGRES else None
    with pytest.raises(ImportFailed) as failure:
        import_records(numbered(bad), origin="bad.json", batch_size=3, bulk_load=True)
    assert [(e.line, e.column) for e in failure.value.errors] == [(8, "signed")]
    assert m.Treaty.objects.count() == 0 and m.Participation.objects.count() == 0
    if POSTGRES:
        assert catalogue_keys() == before


def test_a_row_that_breaks_a_key_fails_the_whole_load(reference_data, monkeypatch):  # noqa: F811
    """A reference the checks let through (here a state id the resolver gets wrong) is caught by the validation."""
    resolve = Resolver.resolve
    ghost = m.State.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000

    def resolve_wrongly(self, kind, value):
        return ghost if (kind, value) == ("state", STATES[0]) else resolve(self, kind, value)

    monkeypatch.setattr(Resolver, "resolve", resolve_wrongly)
    records = [r for r in generate(40) if any(p["state"] == STATES[0] for p in r["parties"])][:6]
    assert records
    if POSTGRES:
        with pytest.raises(ImportFailed) as failure:
            import_records(numbered(records), origin="ghost.csv", batch_size=2, bulk_load=True)
        [problem] = failure.value.errors
        assert problem.origin == "ghost.csv"
        assert "the database refused the loaded records" in problem.reason and "foreign key" in problem.reason
        assert m.Treaty.objects.count() == 0 and m.Participation.objects.count() == 0
    else:
        assert bulkload.applies() is False


def test_a_catalogue_in_use_is_loaded_with_its_keys_in_place(reference_data, keys_during_writes):  # noqa: F811
    records = list(generate(8))
    import_records(numbered(records[:2]), origin="first")
    before = catalogue_keys() if POSTGRES else None
    keys_during_writes.clear()
    import_records(numbered(records[2:]), origin="second", batch_size=3, bulk_load=True)
    assert m.Treaty.objects.count() == 8
    if POSTGRES:
        assert keys_during_writes == [before, before]


@pytest.mark.parametrize(
    ("asked", "records", "expected"),
    [
        (None, bulkload.BULK_FROM, True),
        (None, bulkload.BULK_FROM - 1, False),
        (None, None, False),
        (True, 3, True),
        (False, 10**6, False),
    ],
)
def test_bulk_load_by_default_only_for_large_imports(asked, records, expected):
    assert bulkload.choose(asked, records) is expected


def test_import_command_with_bulk_load(reference_data, keys_during_writes):  # noqa: F811
    before = catalogue_keys() if POSTGRES else None
    out = io.StringIO()
    call_command("import_catalogue", str(DATA / "treaties_100.csv"), "--bulk-load", "--batch-size", "40", stdout=out)
    assert "created 100, updated 0, unchanged 0, errors 0" in out.getvalue()
    assert len(keys_during_writes) == 3
    if POSTGRES:
        assert all(keys != before for keys in keys_during_writes)
        assert catalogue_keys() == before


def test_statistics_follow_the_load_by_doublings(reference_data):  # noqa: F811
    """ANALYZE on the first batch and at each doubling: the planner knows the tables it loads (PostgreSQL)."""
    if not POSTGRES:
        assert bulkload.applies() is False
        return
    statistics = bulkload._Statistics(["catalogue_treaty", "catalogue_participation"])
    with CaptureQueriesContext(connection) as captured:
        for created in (0, 5, 8, 10, 19, 20, 41, 50):
            statistics(created)
    analyze = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("ANALYZE")]
    assert analyze == ['ANALYZE "catalogue_treaty", "catalogue_participation"'] * 4  # at 5, 10, 20 and 41
    sampled = [q["sql"] for q in captured.captured_queries if "default_statistics_target = " in q["sql"]]
    assert sampled == [f"SET LOCAL default_statistics_target = {bulkload._Statistics.SAMPLE_TARGET}"] * 4
    with connection.cursor() as cursor:  # the small sample is for those runs only
        cursor.execute("SHOW default_statistics_target")
        assert cursor.fetchone()[0] == "100"
    import_records(numbered(generate(30)), origin="test", batch_size=10, bulk_load=True)
    with connection.cursor() as cursor:  # the import's own rows are counted, inside its transaction
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'catalogue_treaty'")
        assert cursor.fetchone()[0] >= 20
