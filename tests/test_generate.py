"""The synthetic catalogue: reproducible, skewed like the real series, and valid for the import."""

from __future__ import annotations

import statistics
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from catalogue import generate
from catalogue.models import Participation, Registration, State, StateName, Treaty, TreatyKind

SAMPLE = 3000


@pytest.fixture(scope="module")
def sample():
    return list(generate.generate_records(SAMPLE, seed=7))


def _year(text: str) -> int:
    return int(text[:4])


def test_the_same_seed_gives_the_same_records():
    assert list(generate.generate_records(200, seed=11)) == list(generate.generate_records(200, seed=11))


def test_another_seed_gives_other_records():
    first = [r["title"] for r in generate.generate_records(50, seed=1)]
    second = [r["title"] for r in generate.generate_records(50, seed=2)]
    assert first != second


def test_a_prefix_of_a_larger_catalogue_is_the_smaller_catalogue():
    assert list(generate.generate_records(100, seed=5)) == list(generate.generate_records(300, seed=5))[:100]


@pytest.fixture(scope="module")
def calibration_sample():
    """The sample the module docstring's participation shares were measured on."""
    return list(generate.generate_records(20_000, seed=1))


def test_participation_is_skewed_a_few_great_powers_in_many_treaties_most_states_in_few(calibration_sample):
    treaties = len(calibration_sample)
    counts = Counter(party["state"] for record in calibration_sample for party in record["parties"])
    shares = sorted((counts[info.code] / treaties for info in generate.state_infos()), reverse=True)
    assert 0.08 <= shares[0] <= 0.12  # the most active state is in about a tenth of all treaties, not most
    assert all(share >= 0.02 for share in shares[:10])  # the ten most active each in at least 2%
    median = statistics.median(shares)
    assert median < 0.01  # the median state is in well under 1%
    assert shares[0] > 10 * median
    assert sum(share < 0.01 for share in shares) > len(shares) / 2  # most states are in few treaties
    assert counts.most_common(1)[0][0] in generate.GREAT_POWERS


def test_mostly_bilateral_and_multilateral_up_to_one_hundred_parties(sample):
    sizes = [len(record["parties"]) for record in sample]
    assert 0.65 < sizes.count(2) / len(sizes) < 0.85
    assert max(sizes) <= 100
    assert max(sizes) >= 20
    assert all(len({p["state"] for p in record["parties"]}) == len(record["parties"]) for record in sample)


def test_parties_existed_when_the_treaty_was_signed(sample):
    years = {info.code: (info.start, info.end) for info in generate.state_infos()}
    for record in sample:
        year = _year(record["signed"])
        for party in record["parties"]:
            start, end = years[party["state"]]
            assert start <= year <= end, (record["id"], party["state"], year)


def test_dates_span_1815_to_2000_with_month_and_year_precision(sample):
    years = [_year(record["signed"]) for record in sample]
    assert generate.FIRST_YEAR <= min(years) < 1850
    assert 1980 < max(years) <= generate.LAST_YEAR
    assert sum(year >= 1946 for year in years) > len(years) / 2  # most are from the UN era, as in the series
    precision = Counter(len(record["signed"]) for record in sample)  # 10 = day, 7 = month, 4 = year
    assert precision[10] > precision[7] > precision[4] > 0.05 * len(sample)


def test_kinds_and_subjects_are_skewed(sample):
    kinds = Counter(record["kind"] for record in sample).most_common()
    assert kinds[0][1] > 5 * kinds[-1][1]
    subjects = Counter(s for record in sample for s in record["subjects"]).most_common()
    assert subjects[0][1] > 5 * subjects[-1][1]


def test_registrations_follow_the_series_of_the_era_with_unique_numbers(sample):
    numbers = Counter()
    for record in sample:
        registrations = record["registrations"]
        assert 1 <= len(registrations) <= 3
        assert len({r["series"] for r in registrations}) == len(registrations)  # once per series
        series = {r["series"] for r in registrations}
        year = _year(record["signed"])
        if 1921 <= year <= 1944:
            assert "LNTS" in series and "UNTS" not in series
        if year >= 1947:
            assert "UNTS" in series and "LNTS" not in series
        for protocol in record["protocols"]:
            registrations = registrations + protocol["registrations"]
        for registration in registrations:
            numbers[(registration["series"], registration["number"])] += 1
    assert max(numbers.values()) == 1
    assert any(s == "UNTS" and n.startswith("I-") for s, n in numbers)


def test_protocols_on_a_fifth_citations_two_to_five_and_events(sample):
    with_protocols = sum(bool(record["protocols"]) for record in sample)
    assert 0.15 < with_protocols / len(sample) < 0.25
    assert all(2 <= len(record["citations"]) <= 5 for record in sample)
    assert sum(bool(record["events"]) for record in sample) > len(sample) / 3


def test_dates_are_in_order_within_a_record(sample):
    for record in sample:
        signed_end = record["signed"]
        if record.get("entry_into_force"):
            assert record["entry_into_force"][: len(signed_end)] >= signed_end
        if record.get("ended"):
            assert record["ended"] > record["entry_into_force"]
            assert record["end_kind"]


@pytest.mark.django_db
def test_the_command_creates_reference_data_and_imports_the_records():
    call_command("generate_catalogue", "--treaties", "12", "--seed", "3", verbosity=0)
    records = list(generate.generate_records(12, seed=3))
    assert Treaty.objects.count() == 12
    assert Participation.objects.count() == sum(len(r["parties"]) for r in records)
    assert Registration.objects.filter(treaty__isnull=False).count() == sum(len(r["registrations"]) for r in records)
    treaty = Treaty.objects.get(identifier=records[0]["id"])
    assert treaty.signed == records[0]["signed"] and treaty.signed_earliest is not None
    assert treaty.history.exists()  # the import path writes history
    weimar = State.objects.get(code="DEU-WEIMAR")
    assert list(weimar.predecessors.values_list("code", flat=True)) == ["DEU-EMPIRE"]
    assert list(weimar.successors.values_list("code", flat=True)) == ["DEU-REICH"]
    assert StateName.objects.filter(state=weimar, name="Deutsches Reich").exists()
    assert 190 <= State.objects.count() <= 240


@pytest.mark.django_db
def test_reference_data_twice_adds_nothing():
    generate.create_reference_data()
    counts = (State.objects.count(), StateName.objects.count(), TreatyKind.objects.count())
    generate.create_reference_data()
    assert (State.objects.count(), StateName.objects.count(), TreatyKind.objects.count()) == counts


def test_output_writes_an_import_file(tmp_path):
    path = tmp_path / "catalogue.jsonl"
    call_command("generate_catalogue", "--treaties", "5", "--seed", "4", "--output", str(path), verbosity=0)
    from catalogue.importing.readers import read_path

    assert [record for _line, record in read_path(path)] == list(generate.generate_records(5, seed=4))


@pytest.mark.django_db
def test_the_csv_output_imports_back_to_the_same_treaties(tmp_path):
    path = tmp_path / "catalogue.csv"
    call_command("generate_catalogue", "--treaties", "4", "--seed", "4", "--output", str(path), verbosity=0)
    generate.create_reference_data()
    call_command("import_catalogue", str(path), "--no-progress", verbosity=0)
    assert sorted(Treaty.objects.values_list("identifier", flat=True)) == [f"synthetic:{n}" for n in range(1, 5)]


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(CommandError, match="must not be negative"):
        call_command("generate_catalogue", "--treaties", "-1", verbosity=0)
    with pytest.raises(CommandError, match="must end in"):
        call_command("generate_catalogue", "--treaties", "1", "--output", str(tmp_path / "x.txt"), verbosity=0)
