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

from . import facetindex
from .filters import TreatyFilterSet, sanitize
from .models import Participation, Registration, Scan, Treaty

#: Values a facet shows on the list page; all of them are on the facet's own page (``TreatyFacetView``).
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
    items_html: str = ""  # the list items of the values shown, rendered by querystrings.facet_urls

    @property
    def selected_values(self):
        return [v for v in self.values if v.selected]

    @property
    def top(self):
        """The values the list page shows: the first ``FACET_TOP``, and any chosen value after them."""
        return self.values[:FACET_TOP] + [v for v in self.values[FACET_TOP:] if v.selected]

    @property
    def rest(self):
        """The values only the facet's own page shows."""
        return [v for v in self.values[FACET_TOP:] if not v.selected]

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


def _by_decade(year_counts):
    by_decade: dict[int, int] = {}
    for year, n in year_counts:
        by_decade[year // 10 * 10] = by_decade.get(year // 10 * 10, 0) + n
    return sorted(by_decade.items())


class SqlCounts:
    """The counts of a filterset from the database: one grouped query per facet (the reference semantics)."""

    THROUGH = {
        "party": (Participation, "state__code", "state__name"),
        "subject": (Treaty.subjects.through, "subject__slug", "subject__name"),
        "series": (Registration, "series__slug", "series__abbreviation"),
    }
    COLUMNS = {"kind": ("kind__slug", "kind__name"), "place": ("place_signed__slug", "place_signed__name")}

    def __init__(self, filterset: TreatyFilterSet):
        self.filterset = filterset

    def _set(self, exclude: str | None):
        return self.filterset.filtered(exclude=(exclude,) if exclude else ())

    def values(self, name: str):
        if name in self.THROUGH:
            model, key, label = self.THROUGH[name]
            return _through_counts(model, self._set(name), key, label)
        return _grouped(self._set(name), *self.COLUMNS[name])

    def years(self, exclude: str | None = None):
        return _year_counts(self._set(exclude))

    def total(self, exclude: str | None = None) -> int:
        return self._set(exclude).count()

    def with_scans(self, exclude: str | None = None) -> int:
        # Treaties with scans are few: count them from the scans table (an EXISTS per treaty would visit every row).
        treaties = self._set(exclude).values("pk")
        return Scan.objects.filter(treaty_id__in=treaties).values("treaty_id").distinct().count()


def counts_for(filterset: TreatyFilterSet, version: str | None = None):
    """The fastest source of counts that may serve: this process's facet index, else the database."""
    index = facetindex.current(version)
    return index.counts(filterset) if index is not None else SqlCounts(filterset)


def compute(filterset: TreatyFilterSet, counts=None, *, version: str | None = None) -> FacetResult:
    """Facet counts, total and histogram of a validated filterset (``sanitize`` first).

    ``counts`` answers the counting (``SqlCounts`` or the facet index's, which
    agree); this function gives both the same shape, order and rules.
    """
    filterset.is_valid()  # the facet index reads the cleaned data (once validated, this is a lookup)
    counts = counts if counts is not None else counts_for(filterset, version)
    chosen = filterset.selected()
    facets: dict[str, Facet] = {}

    def add(name, rows):
        selected = chosen.get(name, {})
        values = [
            FacetValue(str(value), str(label), count, value in selected)
            for value, label, count in sorted(rows, key=lambda row: (-row[2], str(row[1]), str(row[0])))
            if count or value in selected  # values with no results are not offered
        ]
        seen = {v.value for v in values}
        for value, label in selected.items():  # a chosen value with no results still shows, checked
            if str(value) not in seen:
                values.append(FacetValue(str(value), str(label), 0, True))
        facets[name] = Facet(name, FACET_LABELS[name], values)

    for name in ("party", "kind", "subject", "place", "series"):
        add(name, counts.values(name))
    years_here = counts.years()
    # Without a chosen decade, the decade facet's set is the whole result: sum its years (one query fewer).
    decades = _by_decade(counts.years("decade")) if "decade" in chosen else _by_decade(years_here)
    add("decade", [(d, f"{d}s", n) for d, n in decades])
    if "year" in chosen:
        add("year", [(y, str(y), n) for y, n in counts.years("year")])
    else:
        add("year", [(y, str(y), n) for y, n in years_here])
    facets["year"].values.sort(key=lambda v: int(v.value))
    facets["decade"].values.sort(key=lambda v: int(v.value))

    total = counts.total()
    scans_exclude = "has_scans" if "has_scans" in chosen else None
    scan_total = counts.total("has_scans") if scans_exclude else total
    with_scans = counts.with_scans(scans_exclude)
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
