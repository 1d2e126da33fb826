"""What a data loader meets first: derived slugs, unknown names by the hundred, summaries, source keys, notes."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from catalogue import models as m
from catalogue.services import ImportFailed, import_records
from tests import factories as f
from tests.test_import import DATA, reference_data  # noqa: F401  (a fixture)

HUNDRED = DATA / "treaties_100.csv"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalogue", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args) -> tuple[str, str]:
    """stderr and the CommandError's message of a refused import."""
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_catalogue", *map(str, args), stdout=io.StringIO(), stderr=err)
    return err.getvalue(), str(failure.value)


def record(**values) -> dict:
    base = {"id": "t:1", "title": "Treaty", "kind": "Treaty", "signed": "1926-04-24"}
    return {**base, **values}


@pytest.fixture
def basics(db):
    f.TreatyKindFactory(name="Treaty", slug="treaty")
    return f.SourceFactory(key="atop-5")


# --------------------------------------------------------------------------
# Derived slugs
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Treaty of Alliance Germany–Russia", "treaty-of-alliance-germany-russia-1926"),  # en dash
        ("Pact Poland—Romania", "pact-poland-romania-1926"),  # em dash
        ("Accord France‒Italy", "accord-france-italy-1926"),  # figure dash
        ("Treaty of Berlin 1926", "treaty-of-berlin-1926"),  # the year is in the title already
        ("Convention (1926) on trade", "convention-1926-on-trade"),
        ("Treaty of 1925", "treaty-of-1925-1926"),  # another year is not this one
    ],
)
def test_a_derived_slug_keeps_word_boundaries_at_dashes_and_does_not_repeat_the_year(basics, title, slug):
    import_records([(1, record(title=title))], origin="test")
    assert m.Treaty.objects.get().slug == slug


def test_an_event_slug_does_not_repeat_the_year_either(basics):
    rec = record(title="Treaty of Berlin 1926", events=[{"title": "Debate – Reichstag", "date": "1926-06-10"}])
    import_records([(1, rec)], origin="test")
    assert m.Event.objects.get().slug == "treaty-of-berlin-1926-debate-reichstag"


def test_create_missing_keeps_word_boundaries_in_the_slugs_it_makes(basics):
    rec = record(place_signed="Brest–Litovsk", subjects=["Trade—Credit"])
    import_records([(1, rec)], origin="test", create_missing=True)
    assert m.Place.objects.get().slug == "brest-litovsk"
    assert m.Subject.objects.get().slug == "trade-credit"


# --------------------------------------------------------------------------
# Unknown names by the hundred
# --------------------------------------------------------------------------


def test_unknown_names_repeated_on_every_row_are_grouped_with_their_lines_and_a_hint(db):
    f.SourceFactory(key="source-a")
    f.SourceFactory(key="source-b")
    err, message = refused(HUNDRED)
    lines = err.splitlines()
    # One line per unknown name, not one per row and column: 4 kinds, 8 states, 8 places, 5 subjects, 2 series.
    kinds = [line for line in lines if "kind of instrument" in line]
    assert len(kinds) == 4
    convention = next(line for line in kinds if "“Convention”" in line)
    assert re.fullmatch(
        r"treaties_100\.csv: no kind of instrument \(by name or slug\) is called “Convention”: "
        r"25 rows \(lines 2, 6, 10, .*, 98\), column kind",
        convention,
    ), convention
    germany = next(line for line in lines if "“Germany”" in line and "state" in line)
    assert re.search(r"\d+ rows \(lines .*\), columns parties\[\d\]\.state, parties\[\d\]\.state", germany), germany
    assert len(lines) <= 4 + 8 + 8 + 5 + 2 + 2
    assert lines[-1] == (
        "27 names are not in the catalogue (4 kinds of instrument, 8 places, 8 states, 5 subjects, 2 treaty series): "
        "add them first, or import again with --create-missing to create them."
    )
    # The count is still every problem, each still available on its own to code (ImportFailed.errors).
    assert re.search(r"Import refused: (\d+) error\(s\)", message)
    assert int(re.search(r"(\d+) error", message).group(1)) > 300


def test_consecutive_lines_are_given_as_a_range():
    from catalogue.importing.errors import Problem, describe, line_ranges

    short = "no kind of instrument (by name or slug) is called “Alliance”"
    problems = [Problem("a.csv", n, "kind", f"{short}; add it…", ("kind", "Alliance", short)) for n in range(2, 88)]
    assert describe(problems) == [
        "a.csv: no kind of instrument (by name or slug) is called “Alliance”: 86 rows (lines 2–87), column kind",
        "1 name is not in the catalogue (1 kind of instrument): "
        "add them first, or import again with --create-missing to create them.",
    ]
    assert line_ranges([7, 2, 3, 4, 9, 10]) == "2–4, 7, 9–10"
    assert line_ranges(list(range(2, 100, 2))) == "2, 4, 6, 8, 10, 12, …, 98"


def test_a_single_problem_reads_as_before(reference_data):  # noqa: F811
    err, _message = refused(DATA / "three_bad_rows.csv")
    assert err.splitlines()[1] == (
        "three_bad_rows.csv, line 5, column parties[1].state: no state (by code, name or other name) is called "
        "“Atlantis”; add it first, or import with --create-missing"
    )


# --------------------------------------------------------------------------
# The --create-missing summary and the dry run
# --------------------------------------------------------------------------


def test_the_created_names_summary_says_how_many_more_it_does_not_list(basics, tmp_path):
    states = [f"State number {n:02d}" for n in range(25)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps([record(parties=[{"state": name} for name in states])]), encoding="utf-8")
    out, _err = run(path, "--create-missing")
    line = next(line for line in out.splitlines() if "state(s)" in line)
    assert line.startswith("Created 25 missing state(s): State number 00, ")
    assert line.endswith("State number 19 and 5 more.")


def test_a_dry_run_says_what_it_would_create(basics, tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps([record(place_signed="Rapallo")]), encoding="utf-8")
    out, _err = run(path, "--create-missing", "--dry-run")
    assert "Would create 1 missing place(s): Rapallo." in out
    assert "Created" not in out
    assert not m.Place.objects.exists()


# --------------------------------------------------------------------------
# Source keys are slugs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("create_missing", [False, True])
def test_a_source_key_that_is_not_a_slug_is_refused_saying_keys_are_slugs(basics, create_missing):
    rec = record(citations=[{"source": "Carr 1951", "locator": "p. 3"}])
    with pytest.raises(ImportFailed) as failure:
        import_records([(1, rec)], origin="test", create_missing=create_missing)
    (error,) = failure.value.errors
    assert error.column == "citations[1].source"
    assert error.reason == (
        "“Carr 1951” is not a source key: a key is a slug (letters, digits, hyphens and underscores, e.g. carr-1951)"
    )
    assert not m.Source.objects.filter(key="Carr 1951").exists()


def test_the_format_documentation_says_source_keys_are_slugs():
    text = (DATA.parents[1] / "docs" / "import-format.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `citations` |"))
    assert "slug" in row


# --------------------------------------------------------------------------
# A note for the public
# --------------------------------------------------------------------------


def test_a_note_for_the_public_is_a_citation_note_and_shows_on_the_page(basics, client):
    """The treaty's own ``note`` is the curators' (never public); a data set's note rides on a citation of it."""
    rec = record(status="published", citations=[{"source": "atop-5", "note": "Renewed in 1934 (codebook)."}])
    import_records([(1, rec)], origin="test")
    page = client.get(m.Treaty.objects.get().get_absolute_url()).content.decode()
    assert "Renewed in 1934 (codebook)." in page
    text = (DATA.parents[1] / "docs" / "import-format.md").read_text(encoding="utf-8")
    assert "A note for the public" in text
