"""Facet counts and the date histogram of a treaty query, as faceted search engines compute them.

Values within one facet are OR-ed and facets are AND-ed, so each facet's counts
are computed over the treaties matching every filter *except its own*: with
Germany chosen, the party facet still says how many treaties each other party
would add. Each facet costs one grouped query over that set (no query per
value), so the number of queries is constant, whatever the number of results or
of facet values. The public list page and the API both call ``facet_counts``,
so their numbers agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from .filters import TreatyFilterSet, sanitize
from .models import Participation, Registration, Scan, Treaty

#: Values shown before "more" (the rest are in a disclosure, so the page works without JavaScript).
FACET_TOP = 10
#: A histogram of more years than this is drawn by decade.
MAX_YEAR_BARS = 60

FACET_LABELS = {
    "party": _("Party"),
    "kind": _("Kind"),
    "subject": _("Subject"),
    "place": _("Place of signature"),
    "series": _("Treaty series"),
    "decade": _("Decade signed"),
    "year": _("Year signed"),
    "has_scans": _("Scans"),
}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)

    @property
    def selected_values(self):
        return [v for v in self.values if v.selected]

    @property
    def top(self):
        return self.values[:FACET_TOP]

    @property
    def rest(self):
        return self.values[FACET_TOP:]

    @property
    def has_selection(self) -> bool:
        return any(v.selected for v in self.values)

    def as_dict(self):
        return {
            "name": self.name,
            "label": str(self.label),
            "values": [
                {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected} for v in self.values
            ],
        }


@dataclass
class Bar:
    value: int
    label: str
    count: int


@dataclass
class Histogram:
    unit: str  # "year" or "decade": also the parameter a bar's link sets
    bars: list[Bar]

    @property
    def max_count(self) -> int:
        return max((b.count for b in self.bars), default=0)

    def as_dict(self):
        return {"unit": self.unit, "bars": [{"value": b.value, "label": b.label, "count": b.count} for b in self.bars]}


@dataclass
class FacetResult:
    total: int
    facets: dict[str, Facet]
    histogram: Histogram
    messages: list[str] = field(default_factory=list)

    def as_dict(self):
        return {
            "total": self.total,
            "facets": {name: facet.as_dict() for name, facet in self.facets.items()},
            "histogram": self.histogram.as_dict(),
            "ignored": self.messages,
        }


def _year():
    return ExtractYear("signed_earliest")


def _grouped(qs, key, label):
    """``[(value, label, count)]`` of one grouped query, largest counts first."""
    rows = qs.values(key, label).annotate(n=Count("pk", distinct=False)).order_by("-n", label)
    return [(row[key], row[label], row["n"]) for row in rows if row[key] is not None]


def _through_counts(model, treaties, key, label, **extra):
    """Counts over a table that points at treaties (participations, registrations, subjects)."""
    rows = (
        model.objects.filter(treaty_id__in=treaties.values("pk"), **extra)
        .values(key, label)
        # Each table holds a treaty at most once per value (unique constraints), so no DISTINCT is needed.
        .annotate(n=Count("pk"))
        .order_by("-n", label)
    )
    return [(row[key], row[label], row["n"]) for row in rows if row[key] is not None]


def _year_counts(qs):
    rows = qs.annotate(y=_year()).values("y").annotate(n=Count("pk")).order_by("y")
    return [(row["y"], row["n"]) for row in rows if row["y"] is not None]


def _decade_counts(qs):
    """Decades summed from one grouped query by year (portable: no integer-division SQL)."""
    return _by_decade(_year_counts(qs))


def _by_decade(year_counts):
    by_decade: dict[int, int] = {}
    for year, n in year_counts:
        by_decade[year // 10 * 10] = by_decade.get(year // 10 * 10, 0) + n
    return sorted(by_decade.items())


def compute(filterset: TreatyFilterSet) -> FacetResult:
    """Facet counts, total and histogram of a validated filterset (``sanitize`` first)."""
    chosen = filterset.selected()
    facets: dict[str, Facet] = {}

    def add(name, rows):
        selected = chosen.get(name, {})
        values = [
            FacetValue(str(value), str(label), count, value in selected)
            for value, label, count in rows
            if count or value in selected  # values with no results are not offered
        ]
        seen = {v.value for v in values}
        for value, label in selected.items():  # a chosen value with no results still shows, checked
            if str(value) not in seen:
                values.append(FacetValue(str(value), str(label), 0, True))
        facets[name] = Facet(name, FACET_LABELS[name], values)

    add("party", _through_counts(Participation, filterset.filtered(exclude=("party",)), "state__code", "state__name"))
    add("kind", _grouped(filterset.filtered(exclude=("kind",)), "kind__slug", "kind__name"))
    add(
        "subject",
        _through_counts(
            Treaty.subjects.through, filterset.filtered(exclude=("subject",)), "subject__slug", "subject__name"
        ),
    )
    add("place", _grouped(filterset.filtered(exclude=("place",)), "place_signed__slug", "place_signed__name"))
    add(
        "series",
        _through_counts(Registration, filterset.filtered(exclude=("series",)), "series__slug", "series__abbreviation"),
    )
    everything = filterset.filtered()
    years_here = _year_counts(everything)
    # Without a chosen decade, the decade facet's set is the whole result: sum its years (one query fewer).
    decades = _decade_counts(filterset.filtered(exclude=("decade",))) if "decade" in chosen else _by_decade(years_here)
    add("decade", [(d, f"{d}s", n) for d, n in decades])
    if "year" in chosen:
        add("year", [(y, str(y), n) for y, n in _year_counts(filterset.filtered(exclude=("year",)))])
    else:
        add("year", [(y, str(y), n) for y, n in years_here])
    facets["year"].values.sort(key=lambda v: int(v.value))
    facets["decade"].values.sort(key=lambda v: int(v.value))

    total = everything.count()
    # Treaties with scans are few: count them from the scans table and the rest by difference
    # (an EXISTS per treaty over the whole result would visit every row).
    scan_base = filterset.filtered(exclude=("has_scans",)) if "has_scans" in chosen else everything
    scan_total = scan_base.count() if "has_scans" in chosen else total
    with_scans = Scan.objects.filter(treaty_id__in=scan_base.values("pk")).values("treaty_id").distinct().count()
    add(
        "has_scans",
        [("yes", _("with scans"), with_scans), ("no", _("without scans"), scan_total - with_scans)],
    )
    return FacetResult(total=total, facets=facets, histogram=histogram(years_here))


def histogram(year_counts) -> Histogram:
    """Bars per year, or per decade when the years span more than ``MAX_YEAR_BARS``; gaps are zero bars."""
    if not year_counts:
        return Histogram("year", [])
    first, last = year_counts[0][0], year_counts[-1][0]
    counts = dict(year_counts)
    if last - first + 1 <= MAX_YEAR_BARS:
        return Histogram("year", [Bar(y, str(y), counts.get(y, 0)) for y in range(first, last + 1)])
    by_decade: dict[int, int] = {}
    for year, n in year_counts:
        by_decade[year // 10 * 10] = by_decade.get(year // 10 * 10, 0) + n
    start, end = first // 10 * 10, last // 10 * 10
    return Histogram("decade", [Bar(d, f"{d}s", by_decade.get(d, 0)) for d in range(start, end + 1, 10)])


def facet_counts(params) -> dict:
    """Every facet's value counts, the total and the histogram for a query (a QueryDict or dict).

    Bad parameters are ignored and listed under ``"ignored"``, as the page does.
    """
    clean, messages = sanitize(params)
    result = compute(TreatyFilterSet(clean))
    result.messages = messages
    return result.as_dict()
