"""Uncertain historical dates, stored as archivists do.

A date is stored as an EDTF string (the Library of Congress Extended Date/Time
Format, parsed by the ``edtf`` package) together with two derived real dates,
its earliest and latest possible day, which sort and filter in SQL.

Why not ``edtf.fields.EDTFField``: it pickles the parsed object into the
database column, which makes the stored value unreadable to SQL, to
``dumpdata`` and to any other program, and unpickling database content is a
security risk. Here the column holds the EDTF text itself; the package is used
for parsing and for the bounds.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from edtf import parse_edtf
from edtf.convert import struct_time_to_date
from edtf.parser import edtf_exceptions

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SEASONS = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}


_PLAIN_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class Bounds:
    earliest: datetime.date
    latest: datetime.date


def _message(value: str, reason: str) -> str:
    return _("“%(value)s” is not a valid EDTF date: %(reason)s") % {
        "value": value,
        "reason": reason,
    }


_DAY_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MONTH_RE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})(?![\d-])")


def _calendar_problem(text: str) -> str | None:
    """Why a well-formed date cannot exist (30 February, month 13), or None.

    The parser reports these as format errors (or, for 29 February of a common
    year, accepts them and fails later), which would tell the curator to change
    a format that is already right.
    """
    for year, month, day in _DAY_RE.findall(text):
        if not 1 <= int(month) <= 12:
            return _("there is no month %(month)s (write 01 to 12).") % {"month": month}
        if not 1 <= int(day) <= calendar.monthrange(int(year), int(month))[1]:
            return _("%(month)s %(year)s has no day %(day)s.") % {
                "month": MONTHS[int(month) - 1],
                "year": int(year),
                "day": int(day),
            }
    for _year, month in _MONTH_RE.findall(text):
        if not (1 <= int(month) <= 12 or 21 <= int(month) <= 41):
            return _("there is no month %(month)s (write 01 to 12).") % {"month": month}
    return None


@lru_cache(maxsize=4096)
def parse(value: str):
    """Parse an EDTF string; raise ``ValidationError`` with a clear reason."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("A date is required here."), code="required")
    if len(text) > 100:
        raise ValidationError(_message(text[:40] + "…", _("it is too long.")), code="invalid_edtf")
    problem = _calendar_problem(text)
    if problem:
        raise ValidationError(_message(text, problem), code="invalid_edtf")
    try:
        parsed = parse_edtf(text)
    except edtf_exceptions.EDTFParseException:
        raise ValidationError(
            _message(
                text,
                _(
                    "write a day as 1926-04-24, a month as 1926-06, a year as 1926, "
                    "add ~ for approximate or ? for uncertain, or give a range as 1926/1927."
                ),
            ),
            code="invalid_edtf",
        ) from None
    except Exception:  # the parser raises plain errors for impossible calendar dates
        raise ValidationError(
            _message(
                text,
                _("the day does not exist in that month, or the year is out of range."),
            ),
            code="invalid_edtf",
        ) from None
    return parsed


def _plain_bounds(text: str) -> Bounds | None:
    """Bounds of a plain calendar date (YYYY, YYYY-MM, YYYY-MM-DD) that exists; None for anything else."""
    plain = _PLAIN_DATE.fullmatch(text)
    if plain:
        year, month, day = plain.groups()
        y = int(year)
        if 2 <= y <= 9998:
            if month is None:
                return Bounds(datetime.date(y, 1, 1), datetime.date(y, 12, 31))
            mo = int(month)
            if 1 <= mo <= 12:
                last = calendar.monthrange(y, mo)[1]
                if day is None:
                    return Bounds(datetime.date(y, mo, 1), datetime.date(y, mo, last))
                if 1 <= int(day) <= last:
                    d = datetime.date(y, mo, int(day))
                    return Bounds(d, d)
    return None


@lru_cache(maxsize=65536)
def bounds(value: str) -> Bounds:
    """Earliest and latest day an EDTF string can mean (its strict bounds).

    Plain calendar dates (YYYY, YYYY-MM, YYYY-MM-DD), the great majority, and
    intervals of two of them in order (1815/1871-01-17, as states' ``existed``)
    are computed directly: the general EDTF parser costs about 3 ms a date
    (50 ms for an interval), which was half the import's time. Everything else
    goes through ``edtf``.
    """
    text = (value or "").strip()
    plain = _plain_bounds(text)
    if plain:
        return plain
    if text.count("/") == 1:
        start, end = (_plain_bounds(part) for part in text.split("/"))
        if start and end and start.earliest <= end.latest:
            return Bounds(start.earliest, end.latest)
    parsed = parse(value)
    try:
        earliest = struct_time_to_date(parsed.lower_strict())
        latest = struct_time_to_date(parsed.upper_strict())
    except Exception:
        raise ValidationError(
            _message(
                value,
                _("open-ended or unknown ends cannot be placed on a time line; give both ends."),
            ),
            code="invalid_edtf",
        ) from None
    if not (datetime.date(1, 1, 1) < earliest <= latest < datetime.date(9999, 12, 31)):
        raise ValidationError(_message(value, _("the year is out of range.")), code="invalid_edtf")
    return Bounds(earliest, latest)


def validate_edtf(value: str) -> None:
    if value:
        bounds(value)


def _format_single(text: str) -> str:
    """Human form of a single EDTF date (no interval)."""
    approx = "~" in text or "%" in text
    uncertain = "?" in text or "%" in text
    core = text.replace("~", "").replace("?", "").replace("%", "")
    parts = core.split("-")
    negative = core.startswith("-")
    if negative:
        parts = core[1:].split("-")
    year = parts[0]
    if "X" in year.upper():
        digits = year.upper().rstrip("X")
        pad = len(year) - len(digits)
        if pad == 1:
            human = f"{digits}0s"
        elif pad == 2:
            human = f"{digits}00s"
        else:
            human = _("unknown year")
        label = str(human)
    else:
        label = str(int(year))
        if negative:
            label = f"{label} BCE"
        if len(parts) >= 2 and parts[1] and "X" not in parts[1].upper():
            month = int(parts[1])
            if month in SEASONS:
                label = f"{SEASONS[month]} {label}"
            elif 1 <= month <= 12:
                if len(parts) >= 3 and parts[2] and "X" not in parts[2].upper():
                    label = f"{int(parts[2])} {MONTHS[month - 1]} {label}"
                else:
                    label = f"{MONTHS[month - 1]} {label}"
    if approx:
        label = f"c. {label}"
    if uncertain:
        label = f"{label}?"
    return label


def humanize(value: str) -> str:
    """Display an EDTF date as known: "24 April 1926", "June 1926", "c. 1887"."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        parse(text)
    except ValidationError:
        return text
    if text.startswith("[") or text.startswith("{"):
        inner = text.strip("[]{}").split(",")
        joiner = " or " if text.startswith("[") else " and "
        return joiner.join(_format_single(item.strip()) for item in inner if ".." not in item)
    if "/" in text:
        start, end = text.split("/", 1)
        start_label = _format_single(start) if start not in ("", "..") else "…"
        end_label = _format_single(end) if end not in ("", "..") else "…"
        return f"{start_label} – {end_label}"
    return _format_single(text)


def precision(value: str) -> str:
    """'day', 'month', 'year' or 'range': how precisely a date is known."""
    b = bounds(value)
    if b.earliest == b.latest:
        return "day"
    if b.earliest.year == b.latest.year and b.earliest.month == b.latest.month:
        return "month"
    if b.earliest.year == b.latest.year:
        return "year"
    return "range"


class EDTFField(models.CharField):
    """An EDTF date string that keeps two sibling ``DateField`` s up to date.

    Declare the siblings on the model as ``<name>_earliest`` and
    ``<name>_latest`` (nullable ``DateField`` s, ``editable=False``). They are
    filled in ``pre_save``, which ``save()`` and ``bulk_create()`` both call,
    and for raw saves (``loaddata``), which skip it, by a ``pre_save`` signal,
    so the derived bounds can never disagree with the text.
    """

    description = _("A date in the Extended Date/Time Format (EDTF)")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("blank", True)
        kwargs.setdefault(
            "help_text",
            _("EDTF: 1926-04-24, 1926-06 (month), 1926 (year), ~1887 (approximate), 1926/1927 (range)."),
        )
        super().__init__(*args, **kwargs)
        self.validators.append(validate_edtf)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 100:
            del kwargs["max_length"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        kwargs.pop("help_text", None)
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip() if isinstance(value, str) else value

    @property
    def earliest_attname(self) -> str:
        return f"{self.attname}_earliest"

    @property
    def latest_attname(self) -> str:
        return f"{self.attname}_latest"

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        if not cls._meta.abstract:
            # Raw saves (loaddata, deserialised objects) skip Field.pre_save, so the
            # bounds are filled from the text here too: a fixture cannot carry stale bounds.
            models.signals.pre_save.connect(self._fill_bounds_on_raw_save, sender=cls, weak=False)

    def _fill_bounds_on_raw_save(self, sender, instance, raw=False, **kwargs):
        if raw:
            self.pre_save(instance, add=False)

    def pre_save(self, model_instance, add):
        value = (getattr(model_instance, self.attname) or "").strip()
        setattr(model_instance, self.attname, value)
        if value:
            b = bounds(value)
            setattr(model_instance, self.earliest_attname, b.earliest)
            setattr(model_instance, self.latest_attname, b.latest)
        else:
            setattr(model_instance, self.earliest_attname, None)
            setattr(model_instance, self.latest_attname, None)
        return value

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        from django.core import checks

        opts = self.model._meta
        for sibling in (self.earliest_attname, self.latest_attname):
            try:
                field = opts.get_field(sibling)
            except Exception:
                errors.append(
                    checks.Error(
                        f"EDTFField {self.name!r} needs a DateField named {sibling!r}.",
                        obj=self,
                        id="catalogue.E001",
                    )
                )
                continue
            if not isinstance(field, models.DateField):
                errors.append(
                    checks.Error(
                        f"{sibling!r} must be a DateField.",
                        obj=self,
                        id="catalogue.E002",
                    )
                )
        return errors


def bounds_or_none(value: str) -> Bounds | None:
    """Bounds of a date, or None when it is blank or invalid (its own field reports that)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return bounds(value)
    except ValidationError:
        return None


def out_of_order(before: str, after: str) -> bool:
    """True when the date ``after`` must be earlier than the date ``before``.

    Uncertain dates are compared by their bounds: the rule is broken only if even
    the latest possible ``after`` day is before the earliest possible ``before``
    day, so "1926-06" is not out of order after "1926-06-29".
    """
    b, a = bounds_or_none(before), bounds_or_none(after)
    return bool(b and a and a.latest < b.earliest)
