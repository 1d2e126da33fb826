"""Uncertain dates (catalogue.dates): display as known, sort and filter by their bounds, clear errors."""

from __future__ import annotations

import datetime

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from edtf.convert import struct_time_to_date
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue import dates
from catalogue import models as m
from tests import factories as f

D = datetime.date


# --------------------------------------------------------------------------
# Display
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1926-04-24", "24 April 1926"),
        ("1926-06", "June 1926"),
        ("1926", "1926"),
        ("~1887", "c. 1887"),
        ("1887?", "1887?"),
        ("1887%", "c. 1887?"),
        ("1926-21", "Spring 1926"),
        ("192X", "1920s"),
        ("19XX", "1900s"),
        ("1926/1927", "1926 – 1927"),
        ("1926-04-24/1926-06-29", "24 April 1926 – 29 June 1926"),
        ("[1926-06, 1926-07]", "June 1926 or July 1926"),
        ("", ""),
    ],
)
def test_humanize(value, shown):
    assert dates.humanize(value) == shown


def test_humanize_shows_an_invalid_string_as_typed_rather_than_failing():
    assert dates.humanize("24 April 1926") == "24 April 1926"


# --------------------------------------------------------------------------
# Bounds
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "earliest", "latest"),
    [
        ("1926-04-24", D(1926, 4, 24), D(1926, 4, 24)),
        ("1926-06", D(1926, 6, 1), D(1926, 6, 30)),
        ("1928-02", D(1928, 2, 1), D(1928, 2, 29)),
        ("1926", D(1926, 1, 1), D(1926, 12, 31)),
        ("~1887", D(1887, 1, 1), D(1887, 12, 31)),
        ("1926/1927", D(1926, 1, 1), D(1927, 12, 31)),
        ("1926-04-24/1926-06", D(1926, 4, 24), D(1926, 6, 30)),
        ("192X", D(1920, 1, 1), D(1929, 12, 31)),
    ],
)
def test_bounds(value, earliest, latest):
    assert dates.bounds(value) == dates.Bounds(earliest, latest)


@pytest.mark.parametrize(
    ("value", "precision"),
    [("1926-04-24", "day"), ("1926-06", "month"), ("1926", "year"), ("1926/1927", "range")],
)
def test_precision(value, precision):
    assert dates.precision(value) == precision


@given(st.dates(min_value=D(1000, 1, 1), max_value=D(2100, 12, 31)))
def test_a_day_is_its_own_bounds_and_its_month_contains_it(day):
    assert dates.bounds(day.isoformat()) == dates.Bounds(day, day)
    month = dates.bounds(day.strftime("%Y-%m"))
    assert month.earliest <= day <= month.latest
    assert month.earliest.day == 1 and (month.latest + datetime.timedelta(days=1)).day == 1


_PRECISIONS = st.sampled_from(("%Y", "%Y-%m", "%Y-%m-%d"))


@settings(max_examples=40)  # the parser is slow on intervals
@given(
    st.dates(min_value=D(1000, 1, 1), max_value=D(2100, 12, 31)),
    st.dates(min_value=D(1000, 1, 1), max_value=D(2100, 12, 31)),
    _PRECISIONS,
    _PRECISIONS,
)
def test_an_interval_of_plain_dates_has_the_bounds_the_edtf_parser_gives(start, end, start_format, end_format):
    # bounds() computes these directly (the parser costs ~50 ms an interval): it must agree with the parser.
    text = f"{start.strftime(start_format)}/{end.strftime(end_format)}"
    parsed = dates.parse(text)
    try:
        expected = dates.Bounds(struct_time_to_date(parsed.lower_strict()), struct_time_to_date(parsed.upper_strict()))
    except Exception:
        expected = None
    if expected is None or expected.earliest > expected.latest:
        with pytest.raises(ValidationError):
            dates.bounds(text)
    else:
        assert dates.bounds(text) == expected


# --------------------------------------------------------------------------
# Invalid strings: clear messages
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("24 April 1926", "write a day as 1926-04-24"),
        ("1926-02-30", "February 1926 has no day 30"),
        ("1926-02-29", "February 1926 has no day 29"),
        ("1926-13-01", "there is no month 13"),
        ("1926-00", "there is no month 00"),
        ("1926/..", "give both ends"),
        ("x" * 101, "it is too long"),
    ],
)
def test_invalid_strings_give_clear_messages(value, reason):
    with pytest.raises(ValidationError) as caught:
        dates.bounds(value)
    message = caught.value.messages[0]
    assert "is not a valid EDTF date" in message
    assert reason in message
    assert caught.value.code == "invalid_edtf"


def test_a_blank_date_is_required_where_one_is_parsed():
    with pytest.raises(ValidationError, match="A date is required"):
        dates.parse("  ")


def test_a_blank_field_is_valid_and_has_no_bounds():
    dates.validate_edtf("")
    assert dates.bounds_or_none("") is None
    assert dates.bounds_or_none("nonsense") is None


# --------------------------------------------------------------------------
# Order of uncertain dates
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "broken"),
    [
        ("1926-04-24", "1926-04-23", True),
        ("1926-04-24", "1926-04-24", False),
        ("1926-04-24", "1926-06-29", False),
        # Uncertain dates break the rule only if even the latest possible "after" is too early:
        ("1926-06-29", "1926-06", False),
        ("1926-06-29", "1926", False),
        ("1926-06-29", "1926-05", True),
        ("1926", "1925-12-31", True),
        ("~1926", "1926-01-01", False),
        # Blank or invalid dates are their own field's problem, not an order problem:
        ("", "1900", False),
        ("1926", "", False),
        ("nonsense", "1900", False),
    ],
)
def test_out_of_order(before, after, broken):
    assert dates.out_of_order(before, after) is broken


# --------------------------------------------------------------------------
# The field: bounds stored and used by the database
# --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_month_sorts_between_the_days_around_it_in_the_database():
    kind = f.TreatyKindFactory()
    f.TreatyFactory(title="A", slug="a", kind=kind, signed="1926-07-01")
    f.TreatyFactory(title="B", slug="b", kind=kind, signed="1926-06")
    f.TreatyFactory(title="C", slug="c", kind=kind, signed="1926-05-31")
    ordered = list(m.Treaty.objects.order_by("signed_earliest").values_list("signed", flat=True))
    assert ordered == ["1926-05-31", "1926-06", "1926-07-01"]
    june = m.Treaty.objects.get(slug="b")
    assert dates.humanize(june.signed) == june.signed_display == "June 1926"
    assert (june.signed_earliest, june.signed_latest) == (D(1926, 6, 1), D(1926, 6, 30))


@pytest.mark.django_db
def test_a_month_is_found_by_a_filter_on_a_day_inside_it():
    f.TreatyFactory(slug="june", signed="1926-06")
    f.TreatyFactory(slug="may", signed="1926-05-31")
    day = D(1926, 6, 15)
    found = m.Treaty.objects.filter(signed_earliest__lte=day, signed_latest__gte=day)
    assert list(found.values_list("slug", flat=True)) == ["june"]


@pytest.mark.django_db
def test_bounds_follow_the_text_on_every_save():
    treaty = f.TreatyFactory(signed=" 1926-04-24 ")
    assert treaty.signed == "1926-04-24"  # stored trimmed
    treaty.signed = "~1926"
    treaty.save()
    treaty.refresh_from_db()
    assert (treaty.signed_earliest, treaty.signed_latest) == (D(1926, 1, 1), D(1926, 12, 31))
    treaty.signed = ""
    treaty.save()
    treaty.refresh_from_db()
    assert (treaty.signed_earliest, treaty.signed_latest) == (None, None)


@pytest.mark.django_db
def test_bulk_create_fills_the_bounds():
    kind = f.TreatyKindFactory()
    m.Treaty.objects.bulk_create([m.Treaty(title="Bulk", slug="bulk", kind=kind, signed="1926-06")])
    assert m.Treaty.objects.values_list("signed_earliest", "signed_latest").get(slug="bulk") == (
        D(1926, 6, 1),
        D(1926, 6, 30),
    )


@pytest.mark.django_db
def test_a_raw_save_fills_the_bounds_from_the_text_ignoring_stale_ones():
    """loaddata saves with raw=True, which skips Field.pre_save: the bounds must still follow the text."""
    kind = f.TreatyKindFactory()
    data = (
        '[{"model": "catalogue.treaty", "fields": {"title": "Raw", "slug": "raw", "kind": ["treaty"], '
        '"signed": "1926-06", "signed_earliest": "1800-01-01", "signed_latest": null, "status": "published", '
        '"created": "2026-11-30T00:00:00Z", "updated": "2026-11-30T00:00:00Z"}}]'
    )
    for obj in serializers.deserialize("json", data, handle_forward_references=True):
        obj.save()
    treaty = m.Treaty.objects.get(slug="raw")
    assert treaty.kind == kind
    assert (treaty.signed_earliest, treaty.signed_latest) == (D(1926, 6, 1), D(1926, 6, 30))


def test_the_field_deconstructs_without_its_defaults():
    field = m.Treaty._meta.get_field("signed")
    _name, path, _args, kwargs = field.deconstruct()
    assert path == "catalogue.dates.EDTFField"
    assert "max_length" not in kwargs and "help_text" not in kwargs
