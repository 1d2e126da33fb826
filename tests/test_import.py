"""The import service (catalogue.services.import_records) and its record format."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from catalogue import models as m
from catalogue import search
from catalogue.importing.csvformat import COLUMNS, record_to_row, row_to_record
from catalogue.importing.plan import _FastCheck
from catalogue.importing.readers import read_csv, read_json, read_json_lines, read_path
from catalogue.importing.records import record_queryset, treaty_to_record
from catalogue.services import ImportFailed, import_records
from tests import factories as f
from tests.data.make_treaties import KINDS, PLACES, SERIES, SOURCES, STATES, SUBJECTS, generate

DATA = Path(__file__).parent / "data"


@pytest.fixture
def reference_data(db):
    """The states, places, kinds, subjects, series and sources the synthetic files name."""
    for n, name in enumerate(STATES):
        f.StateFactory(name=name, code=f"S{n}", slug=f"state-{n}")
    for name in PLACES:
        f.PlaceFactory(name=name, slug=name.lower())
    for name in KINDS:
        f.TreatyKindFactory(name=name, slug=name.lower())
    for name in SUBJECTS:
        f.SubjectFactory(name=name, slug=name.lower())
    for abbreviation in SERIES:
        f.TreatySeriesFactory(name=f"Series {abbreviation}", abbreviation=abbreviation, slug=abbreviation.lower())
    for key in SOURCES:
        f.SourceFactory(key=key)


def numbered(records):
    return [(n, r) for n, r in enumerate(records, start=1)]


def snapshot() -> list[dict]:
    return [treaty_to_record(t) for t in record_queryset().order_by("identifier")]


def test_records_import_and_read_back(reference_data):
    records = list(generate(30))
    report = import_records(numbered(records), origin="test")
    assert (report.created, report.updated, report.unchanged) == (30, 0, 0)
    assert m.Treaty.objects.count() == 30
    back = {r["id"]: r for r in snapshot()}
    for record in records:
        got = back[record["id"]]
        assert got["title"] == record["title"]
        assert got["signed"] == record["signed"]
        assert [p["state"] for p in got["parties"]] == [p["state"] for p in record["parties"]]
        assert sorted(got["subjects"]) == sorted(record["subjects"])
        assert len(got["protocols"]) == len(record["protocols"])
        assert [c["locator"] for c in got["citations"]] == [c["locator"] for c in record["citations"]]


def test_reimport_is_unchanged_and_writes_no_history(reference_data):
    records = list(generate(20))
    import_records(numbered(records), origin="test")
    versions = m.Treaty.history.count(), m.Participation.history.count()
    before = snapshot()
    report = import_records(numbered(records), origin="test")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 20)
    assert snapshot() == before
    assert (m.Treaty.history.count(), m.Participation.history.count()) == versions


def test_changed_record_updates_with_history(reference_data):
    user = f.UserFactory(username="loader")
    records = list(generate(5))
    import_records(numbered(records), origin="test", user=user)
    changed = copy.deepcopy(records)
    changed[2]["title"] = "A corrected title"
    changed[2]["parties"] = changed[2]["parties"][:1]
    report = import_records(numbered(changed), origin="test", user=user, reason="corrections 2026-11")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    treaty = m.Treaty.objects.get(identifier=records[2]["id"])
    assert treaty.title == "A corrected title"
    assert treaty.participations.count() == 1
    latest = treaty.history.order_by("-history_id").first()
    assert latest.history_type == "~"
    assert latest.title == "A corrected title"
    assert latest.history_user == user
    assert latest.history_change_reason == "corrections 2026-11"
    assert treaty.history.count() == 2
    # the dropped party's deletion is in its history too
    assert (
        m.Participation.history.filter(treaty_id=treaty.pk, history_type="-").count() == len(records[2]["parties"]) - 1
    )


def test_errors_roll_back_everything_and_name_line_and_column(reference_data):
    records = list(generate(10))
    bad = copy.deepcopy(records)
    bad[1]["signed"] = "1926-13-45"
    bad[4]["parties"][1]["state"] = "Atlantis"
    bad[7]["title"] = ""
    with pytest.raises(ImportFailed) as failure:
        import_records(numbered(bad), origin="bad.json", batch_size=3)
    errors = failure.value.errors
    assert [(e.line, e.column) for e in errors] == [(2, "signed"), (5, "parties[2].state"), (8, "title")]
    assert all(e.origin == "bad.json" for e in errors)
    assert "not a valid EDTF date" in errors[0].reason
    assert "Atlantis" in errors[1].reason and "--create-missing" in errors[1].reason
    assert m.Treaty.objects.count() == 0
    assert m.Treaty.history.count() == 0


def test_dry_run_writes_nothing(reference_data):
    report = import_records(numbered(generate(10)), origin="test", dry_run=True)
    assert report.created == 10 and report.dry_run
    assert m.Treaty.objects.count() == 0
    assert m.Participation.objects.count() == 0
    assert m.Treaty.history.count() == 0


def test_unknown_references_without_and_with_create_missing(db):
    f.SourceFactory(key="source-a")
    f.SourceFactory(key="source-b")
    records = list(generate(6))
    with pytest.raises(ImportFailed) as failure:
        import_records(numbered(records), origin="test")
    columns = {e.column.split("[")[0].split(".")[0] for e in failure.value.errors}
    assert {"kind", "place_signed", "parties"} <= columns
    assert m.State.objects.count() == 0

    report = import_records(numbered(records), origin="test", create_missing=True)
    assert report.created == 6
    assert set(m.State.objects.values_list("name", flat=True)) == {p["state"] for r in records for p in r["parties"]}
    assert set(report.created_references) >= {"state", "place", "kind"}
    assert m.State.history.count() == m.State.objects.count()


def test_unknown_source_is_an_error_or_a_stub(reference_data):
    records = list(generate(1))
    records[0]["citations"] = [{"source": "nowhere-1999", "locator": "p. 3"}]
    with pytest.raises(ImportFailed) as failure:
        import_records(numbered(records), origin="test")
    assert [(e.line, e.column) for e in failure.value.errors] == [(1, "citations[1].source")]
    import_records(numbered(records), origin="test", create_missing=True)
    stub = m.Source.objects.get(key="nowhere-1999")
    assert (stub.title, stub.kind) == ("nowhere-1999", m.Source.Kind.OTHER)


def test_state_name_variants_match_other_names(reference_data):
    soviet = m.State.objects.get(name="Soviet Union")
    m.StateName.objects.create(state=soviet, name="USSR", language="en")
    m.StateName.objects.create(state=soviet, name="Союз Советских Социалистических Республик", language="ru")
    record = next(generate(1))
    record["parties"] = [{"state": "ussr"}, {"state": "S0"}, {"state": "союз советских социалистических республик"}]
    with pytest.raises(ImportFailed) as failure:
        import_records([(1, record)], origin="test")
    # the Russian name and "USSR" are the same state: the second mention is a duplicate party
    assert [e.column for e in failure.value.errors] == ["parties[3].state"]
    record["parties"] = record["parties"][:2]
    import_records([(1, record)], origin="test")
    treaty = m.Treaty.objects.get(identifier=record["id"])
    assert list(treaty.participations.order_by("position").values_list("state__name", flat=True)) == [
        "Soviet Union",
        "Germany",
    ]


def test_ambiguous_name_asks_for_the_code(reference_data):
    f.StateFactory(name="Germany", code="DEU-FRG", slug="germany-frg")
    record = next(generate(1))
    record["parties"] = [{"state": "Germany"}]
    with pytest.raises(ImportFailed) as failure:
        import_records([(1, record)], origin="test")
    assert "give the code" in failure.value.errors[0].reason


def test_date_order_rules_name_the_column(reference_data):
    record = next(generate(1))
    record.update(signed="1926-04-24", entry_into_force="1925", ended="", end_kind="")
    record["parties"] = [{"state": "Germany", "signed": "1926-04-24", "ratified": "1926-01-01"}]
    record["protocols"] = [{"title": "Early protocol", "signed": "1920"}]
    with pytest.raises(ImportFailed) as failure:
        import_records([(7, record)], origin="test")
    columns = {(e.line, e.column) for e in failure.value.errors}
    assert columns == {(7, "entry_into_force"), (7, "parties[1].ratified"), (7, "protocols[1].signed")}


def test_id_from_dataset_and_derived_slugs(reference_data):
    record = next(generate(1))
    del record["id"]
    record.update(dataset="atop", dataset_id="1234", title="Treaty of Berlin", signed="1926-04-24", entry_into_force="")
    twin = dict(record, dataset_id="1235")
    report = import_records([(1, record), (2, twin)], origin="test")
    assert report.created == 2
    slugs = dict(m.Treaty.objects.values_list("identifier", "slug"))
    assert slugs == {"atop:1234": "treaty-of-berlin-1926", "atop:1235": "treaty-of-berlin-1926-2"}
    again = import_records([(1, record), (2, twin)], origin="test")
    assert again.unchanged == 2


def test_duplicate_ids_in_one_import(reference_data):
    record = next(generate(1))
    with pytest.raises(ImportFailed) as failure:
        import_records([(1, record), (2, dict(record))], origin="test")
    assert [(e.line, e.column) for e in failure.value.errors] == [(2, "id")]


def test_search_document_matches_the_search_module(reference_data):
    records = list(generate(12))
    import_records(numbered(records), origin="test")
    for treaty in m.Treaty.objects.all():
        assert sorted(treaty.search_document.splitlines()) == sorted(search.document_for(treaty).splitlines())
    assert search.filter_queryset(m.Treaty.objects.all(), "Synthetic").count() == 12


def test_search_vector_is_the_search_modules_for_new_and_changed_treaties(reference_data):
    records = list(generate(6))
    import_records(numbered(records), origin="test")
    changed = copy.deepcopy(records)
    changed[0]["title"] = "A renamed convention"
    import_records(numbered(changed), origin="test")
    assert search.filter_queryset(m.Treaty.objects.all(), "renamed").count() == 1
    if connection.vendor != "postgresql":  # no vectors outside PostgreSQL
        assert set(m.Treaty.objects.values_list("search_vector", flat=True)) == {None}
        return
    rows = list(m.Treaty.objects.annotate(expected=search.vector_expression()).values_list("search_vector", "expected"))
    assert len(rows) == 6
    assert all(vector and vector == expected for vector, expected in rows)


FAST_CHECK_CASES = [
    (m.Participation, ("treaty", "state"), {"role": "party", "position": 0, "signed": "1920-05-01"}),
    (m.Participation, ("treaty", "state"), {"role": "emperor", "position": 0}),
    (m.Participation, ("treaty", "state"), {"role": "party", "position": -1}),
    (m.Participation, ("treaty", "state"), {"role": "party", "position": "1"}),
    (m.Participation, ("treaty", "state"), {"role": "party", "ratified": "1920-02-30"}),
    (m.Participation, ("treaty", "state"), {"role": "party", "ratified": "sometime"}),
    (m.Participation, ("treaty", "state"), {"role": "", "position": 0}),
    (m.TreatyTitle, ("treaty",), {"title": "Vertrag", "language": "de", "kind": "original"}),
    (m.TreatyTitle, ("treaty",), {"title": "Vertrag", "language": "", "kind": "original"}),
    (m.TreatyTitle, ("treaty",), {"title": "x" * 501, "language": "de", "kind": "original"}),
    (m.TreatyTitle, ("treaty",), {"title": "Ver\x00trag", "language": "de", "kind": "original"}),
    (m.Protocol, ("treaty", "place_signed"), {"title": "Protocol", "slug": "a-protocol", "status": "draft"}),
    (m.Protocol, ("treaty", "place_signed"), {"title": "Protocol", "slug": "not a slug", "status": "draft"}),
    (m.Protocol, ("treaty", "place_signed"), {"title": "Protocol", "slug": "a-protocol", "status": "lost"}),
    (m.Registration, ("series", "treaty", "protocol"), {"number": "I-12", "volume": 3, "first_page": 1}),
    (m.Registration, ("series", "treaty", "protocol"), {"number": "I-" + "1" * 30, "volume": 3}),
    (m.Registration, ("series", "treaty", "protocol"), {"number": "I-12", "volume": 2**40}),
    (m.Treaty, ("kind", "place_signed", "ratifications_place", "subjects", "search_document", "search_vector"),
     {"title": "A treaty", "slug": "a-treaty", "secret": False, "status": "published", "signed": "1926-04-24"}),
    (m.Treaty, ("kind", "place_signed", "ratifications_place", "subjects", "search_document", "search_vector"),
     {"title": "A treaty", "slug": "a-treaty", "secret": "no", "status": "published"}),
    (m.Treaty, ("kind", "place_signed", "ratifications_place", "subjects", "search_document", "search_vector"),
     {"title": "", "slug": "a-treaty", "secret": False, "status": "published"}),
]  # fmt: skip


@pytest.mark.parametrize(("model", "exclude", "values"), FAST_CHECK_CASES)
def test_the_fast_field_check_passes_only_what_clean_fields_passes(model, exclude, values):
    # The import tests item values without a model instance. Whatever it passes must pass the model's own
    # clean_fields; whatever clean_fields refuses goes to the full path, which gives the message. (It may send
    # a valid item to the full path too: a number given as text, a NUL character.)
    try:
        model(**values).clean_fields(exclude=list(exclude))
    except ValidationError:
        valid = False
    else:
        valid = True
    fast = _FastCheck(model, exclude).passes(values)
    assert valid or not fast


def test_the_fast_field_check_passes_ordinary_items():
    ordinary = [FAST_CHECK_CASES[n] for n in (0, 7, 11, 14, 17)]
    assert all(_FastCheck(model, exclude).passes(values) for model, exclude, values in ordinary)


def test_imported_dates_have_bounds(reference_data):
    record = next(generate(1))
    record.update(signed="1926-04~", entry_into_force="1926-06")
    import_records([(1, record)], origin="test")
    treaty = m.Treaty.objects.get()
    assert (str(treaty.signed_earliest), str(treaty.signed_latest)) == ("1926-04-01", "1926-04-30")


# --------------------------------------------------------------------------
# The CSV format and the readers
# --------------------------------------------------------------------------


def test_csv_row_round_trip():
    for record in generate(40):
        row = record_to_row(record)
        assert list(row) == list(COLUMNS)
        back = row_to_record(row)
        for key in ("title", "signed", "summary"):
            assert back[key] == record[key]
        assert back["subjects"] == record["subjects"]
        assert [p["state"] for p in back["parties"]] == [p["state"] for p in record["parties"]]
        assert back["protocols"] == record["protocols"]


def test_readers_give_line_numbers():
    text = "\n".join(
        [
            "[",
            '  {"id": "a:1",',
            '   "title": "One"},',
            "",
            '  {"id": "a:2", "title": "Two"},',
            "  [1, 2]",
            "]",
        ]
    )
    items = list(read_json(io.StringIO(text)))
    assert [line for line, _r in items] == [2, 5, 6]
    assert items[1][1]["title"] == "Two"
    assert "JSON object" in items[2][1].problems[0][1]

    lines = list(read_json_lines(io.StringIO('{"id": "a:1"}\n\n{"id": \n{"id": "a:3"}\n')))
    assert [line for line, _r in lines] == [1, 3, 4]
    assert lines[2][1] == {"id": "a:3"}

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["id", "title", "summary"])
    writer.writeheader()
    writer.writerow({"id": "a:1", "title": "One", "summary": "two\nlines"})
    writer.writerow({"id": "a:2", "title": "Two", "summary": ""})
    rows = list(read_csv(io.StringIO(buffer.getvalue())))
    assert [line for line, _r in rows] == [2, 4]


def test_csv_header_problems():
    rows = list(read_csv(io.StringIO("id,titel\na:1,One\n")))
    assert len(rows) == 1
    columns = [column for column, _reason in rows[0][1].problems]
    assert columns == ["titel", "title"]


def test_bad_json_cell_names_the_column(reference_data, tmp_path):
    path = tmp_path / "bad.csv"
    row = record_to_row(next(generate(1)))
    row["protocols"] = '[{"title": "x"'
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerow(row)
    with pytest.raises(ImportFailed) as failure:
        import_records(read_path(path), origin=path.name)
    assert [(e.line, e.column) for e in failure.value.errors] == [(2, "protocols")]
    assert "not valid JSON" in failure.value.errors[0].reason


def test_json_file_matches_csv_file(reference_data, tmp_path):
    records = list(generate(8))
    path = tmp_path / "t.json"
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    report = import_records(read_path(path), origin=path.name)
    assert report.created == 8
    from tests.data.make_treaties import write_csv

    csv_path = tmp_path / "t.csv"
    write_csv(csv_path, 8)
    again = import_records(read_path(csv_path), origin=csv_path.name)
    assert again.unchanged == 8


# --------------------------------------------------------------------------
# Export (treaty_to_record + csvformat) -> empty catalogue -> import
# --------------------------------------------------------------------------


def export_csv(path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        for treaty in record_queryset():
            writer.writerow(record_to_row(treaty_to_record(treaty)))


def by_slug(records) -> dict:
    return {r["slug"]: r for r in records}


def test_export_then_import_into_emptied_catalogue(db, tmp_path):
    from tests.world import build_world

    build_world()
    for n, pk in enumerate(m.Treaty.objects.order_by("pk").values_list("pk", flat=True)[:2]):
        m.Treaty.objects.filter(pk=pk).update(identifier=f"wp:{n}")  # some with an id, some known by slug
    exported = by_slug(snapshot())
    path = tmp_path / "export.csv"
    export_csv(path)
    m.Citation.objects.all().delete()
    m.Treaty.objects.all().delete()
    m.OldSlug.objects.all().delete()
    assert m.Treaty.objects.count() == 0
    report = import_records(read_path(path), origin=path.name)
    assert report.created == len(exported)
    assert by_slug(snapshot()) == exported
    assert import_records(read_path(path), origin=path.name).unchanged == len(exported)


def test_export_then_import_into_empty_database_with_create_missing(transactional_db, tmp_path):
    from django.core.management import call_command

    from tests.world import build_world

    build_world()
    exported = by_slug(snapshot())
    path = tmp_path / "export.csv"
    export_csv(path)
    call_command("flush", interactive=False, verbosity=0)
    assert m.State.objects.count() == m.Treaty.objects.count() == m.Source.objects.count() == 0
    report = import_records(read_path(path), origin=path.name, create_missing=True)
    assert report.created == len(exported)
    assert by_slug(snapshot()) == exported


def test_update_of_parts_slug_and_dates(reference_data):
    records = [r for r in generate(10) if r["protocols"] and r["events"]][:1]
    assert records, "the generator gives treaty 10 a protocol and an event"
    record = records[0]
    import_records([(1, record)], origin="test")
    treaty = m.Treaty.objects.get(identifier=record["id"])
    old_slug = treaty.slug
    protocol_slug = treaty.protocols.get().slug
    changed = copy.deepcopy(record)
    changed["slug"] = "a-new-address"
    changed["parties"][0]["ratified"] = f"{record['signed'][:4]}-12"
    changed["protocols"][0]["summary"] = "Prolonged for five more years."
    changed["protocols"][0]["registrations"][0]["volume"] = 99
    changed["events"] = []
    changed["subjects"] = ["Peace"]
    report = import_records([(1, changed)], origin="test")
    assert report.updated == 1
    treaty.refresh_from_db()
    assert treaty.slug == "a-new-address"
    assert m.OldSlug.objects.filter(slug=old_slug, treaty=treaty).exists()
    party = treaty.participations.get(position=0)
    assert str(party.ratified_earliest) == f"{record['signed'][:4]}-12-01"
    protocol = treaty.protocols.get()
    assert protocol.slug == protocol_slug  # matched by its title, kept its address
    assert protocol.summary == "Prolonged for five more years."
    assert protocol.registrations.get().volume == 99
    assert protocol.history.count() == 2
    assert not treaty.events.exists()
    assert list(treaty.subjects.values_list("name", flat=True)) == ["Peace"]
    latest = treaty.history.order_by("-history_id").first()
    assert [s.subject.name for s in latest.subjects.all()] == ["Peace"]
    assert import_records([(1, changed)], origin="test").unchanged == 1


def test_slug_of_another_treaty_is_refused(reference_data):
    first, second = list(generate(2))
    import_records([(1, first)], origin="test")
    taken = m.Treaty.objects.get().slug
    second["slug"] = taken
    with pytest.raises(ImportFailed) as failure:
        import_records([(1, second)], origin="test")
    assert [(e.line, e.column) for e in failure.value.errors] == [(1, "slug")]
    assert m.Treaty.objects.count() == 1


def test_new_records_history_rows_hold_what_was_inserted(reference_data):
    user = f.UserFactory(username="loader")
    import_records(numbered(generate(6)), origin="test", user=user, reason="first load")
    for treaty in m.Treaty.objects.all():
        [version] = treaty.history.all()
        assert (version.history_type, version.history_user, version.history_change_reason) == ("+", user, "first load")
        for field in m.Treaty.history.model.tracked_fields:
            if field.name != "search_vector":  # computed in the table only: the history holds none
                assert getattr(version, field.attname) == getattr(treaty, field.attname), field.name
        assert version.search_vector is None
    for model in (m.TreatyTitle, m.Participation, m.Registration, m.Protocol, m.Citation, m.Event):
        objects = list(model.objects.all())
        assert objects or model is m.Event, model.__name__  # the generated records may carry no event
        for obj in objects:  # one "+" version each, holding every tracked value of the row
            [version] = obj.history.all()
            assert (version.history_type, version.history_user, version.history_change_reason) == (
                "+",
                user,
                "first load",
            )
            for field in model.history.model.tracked_fields:
                assert getattr(version, field.attname) == getattr(obj, field.attname), (model.__name__, field.name)


def test_a_long_import_does_not_keep_its_query_log(reference_data, settings):
    """With DEBUG on Django logs every query; an import clears the log after each batch (unless captured)."""
    from django.db import reset_queries

    settings.DEBUG = True
    reset_queries()
    import_records(numbered(generate(12)), origin="test", batch_size=4)
    assert len(connection.queries) <= 3  # what follows the last batch (savepoints), not its lookups
