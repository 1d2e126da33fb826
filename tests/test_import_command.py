"""manage.py import_catalogue: files in, a summary out, every error with file, line and column."""

from __future__ import annotations

import io
import json
import re
import shutil

import pytest
from django.core.management import CommandError, call_command

from catalogue import models as m
from tests import factories as f
from tests.data.make_treaties import generate
from tests.test_import import DATA, reference_data, snapshot  # noqa: F401  (reference_data is a fixture)

HUNDRED = DATA / "treaties_100.csv"
THREE_BAD = DATA / "three_bad_rows.csv"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def run(*args, stdout=None):
    out, err = stdout or io.StringIO(), io.StringIO()
    call_command("import_catalogue", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_hundred_treaties_import_then_reimport_unchanged(reference_data):  # noqa: F811
    out, _err = run(HUNDRED)
    assert "created 100, updated 0, unchanged 0, errors 0" in out
    assert m.Treaty.objects.count() == 100
    assert m.Treaty.objects.filter(identifier="synth:1", status="published").exists()
    before = snapshot()
    versions = m.Treaty.history.count()
    out, _err = run(HUNDRED)
    assert "created 0, updated 0, unchanged 100, errors 0" in out
    assert snapshot() == before
    assert m.Treaty.history.count() == versions


def test_three_bad_rows_refused_whole(reference_data):  # noqa: F811
    run(HUNDRED)
    before = snapshot()
    versions = m.Treaty.history.count()
    with pytest.raises(CommandError, match="3 error"):
        run(THREE_BAD)
    assert snapshot() == before
    assert m.Treaty.history.count() == versions


def test_three_bad_rows_reported_with_line_and_column(reference_data):  # noqa: F811
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_catalogue", str(THREE_BAD), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("three_bad_rows.csv, line 3, column signed: ")
    assert "not a valid EDTF date" in lines[0]
    assert lines[1].startswith("three_bad_rows.csv, line 5, column parties[1].state: ")
    assert "Atlantis" in lines[1]
    assert lines[2].startswith("three_bad_rows.csv, line 7, column title: ")
    assert "errors 3" in str(failure.value)
    assert m.Treaty.objects.count() == 0


def test_dry_run_writes_nothing(reference_data):  # noqa: F811
    out, _err = run(HUNDRED, "--dry-run")
    assert out.startswith("Dry run (nothing written)")
    assert "created 100" in out
    assert m.Treaty.objects.count() == 0
    assert m.Treaty.history.count() == 0
    assert m.Participation.objects.count() == 0


def test_dry_run_finds_the_errors(reference_data):  # noqa: F811
    with pytest.raises(CommandError, match="3 error"):
        run(THREE_BAD, "--dry-run")


def test_create_missing(db):
    f.SourceFactory(key="source-a")
    f.SourceFactory(key="source-b")
    with pytest.raises(CommandError):
        run(HUNDRED)
    assert m.State.objects.count() == 0
    out, _err = run(HUNDRED, "--create-missing")
    assert "created 100" in out
    assert re.search(r"Created 8 missing state\(s\)", out)
    assert m.TreatyKind.objects.count() == 4


def test_user_and_reason_in_history(reference_data):  # noqa: F811
    user = f.UserFactory(username="loader")
    run(HUNDRED, "--user", "loader", "--reason", "Synthetic load")
    version = m.Treaty.objects.get(identifier="synth:5").history.get()
    assert version.history_user == user
    assert version.history_change_reason == "Synthetic load"
    assert m.Participation.history.filter(history_user=user).count() == m.Participation.objects.count()


def test_unknown_user_is_an_error(reference_data):  # noqa: F811
    with pytest.raises(CommandError, match="no user"):
        run(HUNDRED, "--user", "nobody")


def test_missing_file_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "absent.csv")


def test_json_and_json_lines(reference_data, tmp_path):  # noqa: F811
    records = list(generate(10))
    (tmp_path / "a.json").write_text(json.dumps(records[:5], indent=1), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r) for r in records[5:]), encoding="utf-8")
    out, _err = run(tmp_path / "a.json", tmp_path / "b.jsonl")
    assert "created 10" in out


def test_several_files_are_one_import(reference_data, tmp_path):  # noqa: F811
    good = tmp_path / "good.csv"
    shutil.copy(HUNDRED, good)
    with pytest.raises(CommandError):
        run(good, THREE_BAD)
    assert m.Treaty.objects.count() == 0


def test_progress_bar_only_on_a_terminal(reference_data):  # noqa: F811
    plain, _err = run(HUNDRED, "--dry-run")
    assert "rows/s" not in plain and "%" not in plain
    terminal = Terminal()
    out, _err = run(HUNDRED, "--dry-run", "--batch-size", "10", stdout=terminal)
    assert "100/100" in out  # rows done of the estimated total
    assert "rows/s" in out  # the rate
    assert "<00:00" in out  # time left


@pytest.fixture
def berlin_world(db):
    """What the worked example in docs/import-format.md names."""
    germany = f.StateFactory(name="Germany", code="DEU-WEIMAR", slug="germany-weimar")
    soviet = f.StateFactory(name="Soviet Union", code="SUN", slug="soviet-union")
    m.StateName.objects.create(state=soviet, name="USSR", language="en")
    f.PlaceFactory(name="Berlin", slug="berlin")
    f.PlaceFactory(name="Moscow", slug="moscow", country="Russia")
    f.TreatyKindFactory(name="Treaty", slug="treaty")
    f.SubjectFactory(name="Neutrality", slug="neutrality")
    f.TreatySeriesFactory(name="League of Nations Treaty Series", abbreviation="LNTS", slug="lnts")
    f.SourceFactory(key="lnts-53")
    return germany, soviet


@pytest.mark.parametrize("name", ["berlin_example.json", "berlin_example.csv"])
def test_worked_example_of_the_documentation(berlin_world, name):
    out, _err = run(DATA / name)
    assert "created 1, updated 0, unchanged 0, errors 0" in out
    treaty = m.Treaty.objects.get(identifier="example:berlin-1926")
    assert treaty.slug == "treaty-of-berlin-1926"
    assert list(treaty.participations.values_list("state__code", flat=True)) == ["DEU-WEIMAR", "SUN"]
    protocol = treaty.protocols.get()
    assert (protocol.slug, protocol.status) == ("protocol-prolonging-the-treaty-of-berlin-1931", "published")
    assert protocol.registrations.get().number == "3203"
    assert treaty.events.get().slug == "treaty-of-berlin-debate-in-the-reichstag-1926"
    assert "unchanged 1" in run(DATA / name)[0]
