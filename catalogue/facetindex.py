"""An in-memory column index of the published treaties' facets: counts for any filter in milliseconds.

Why: at 250,000 treaties the facet counts of a list page are one grouped query
per facet over the filtered set, and each must read the rows of a large table
(755,000 participations, 400,000 registrations...): 0.7 to 4.5 s of SQL for a
combination of filters not seen before, on two cores. Search engines answer the
same question from column stores kept in memory ("doc values"); this module does
that in the process, with numpy:

* one array per single-valued field of the published treaties (kind, place,
  year signed, the dates the filters read, whether it has scans), aligned on
  the sorted treaty ids;
* one pair of arrays per many-valued facet (party, subject, series): the
  treaty's position and the value's, one entry per row of the through table.

A filter becomes a boolean mask over the treaties; a facet's counts are one
``bincount`` of its values under the mask of every *other* filter, exactly the
semantics of ``catalogue.facets`` (whose SQL remains the reference: the tests
compare the two on every combination they can generate). The text search is
the one filter answered by the database (its ranking and stemming live there):
its matching ids become a mask. Counting is then a few milliseconds whatever
the filters; building the index reads five narrow tables once (about 1.5 s at
250,000 treaties, 60 MB of arrays).

Freshness: the index is labelled with the catalogue *version*
(``pagecache.catalogue_version``, which changes with every write) and rebuilt by
the first request that sees a newer version. It is never used inside a database
transaction (a test's, or a request's that is writing): there the SQL path
answers, as it always can. ``CATALOGUE_FACET_INDEX = False`` turns it off.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func, IntegerField, Value
from django.db.models.functions import Coalesce

from .models import Participation, Place, Registration, Scan, State, Subject, Treaty, TreatyKind, TreatySeries

# The database this request reads the catalogue from (a replica or the primary).
from .replicas import read_connection as connection

NO_VALUE = -1
NO_DAY = np.iinfo(np.int32).min  # a missing date: compares below every real day
EPOCH = datetime.date(1970, 1, 1)

#: Filters the index answers itself; any other filter with a value is asked of the database (see ``_sql_mask``).
FACET_FILTERS = ("party", "kind", "subject", "place", "series", "decade", "year", "has_scans")
DATE_FILTERS = ("signed_from", "signed_to", "in_force_on")


def enabled() -> bool:
    return bool(getattr(settings, "CATALOGUE_FACET_INDEX", True))


def _day(value: datetime.date | None) -> int:
    return NO_DAY if value is None else (value - EPOCH).days


class DaysSince1970(Func):
    """A date as a whole number of days since 1970-01-01, computed by the database (``NO_DAY`` for none)."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra):  # SQLite and the rest
        return super().as_sql(
            compiler,
            connection,
            template=f"COALESCE(CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER), {NO_DAY})",
        )

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template=f"COALESCE(%(expressions)s - DATE '1970-01-01', {NO_DAY})")


def _int_table(queryset, width: int) -> np.ndarray:
    """The rows of a ``values_list`` query of ``width`` whole numbers (none NULL), as an (n, width) array.

    On PostgreSQL the database packs the rows into one ``bytea`` (``int8send``
    per value), which numpy reads as it is: half the time of fetching 755,000
    rows as tuples. Elsewhere the rows come from the driver (no ORM per row).
    The order of the rows is not kept.
    """
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join(f"c{i}" for i in range(width))
            packed = " || ".join(f"int8send(q.c{i}::int8)" for i in range(width))
            cursor.execute(f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) AS q({columns})", params)
            data = cursor.fetchone()[0]
            return np.frombuffer(bytes(data or b""), dtype=">i8").astype(np.int64).reshape(-1, width)
        cursor.execute(sql, params)
        return np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, width)


@dataclass
class Vocabulary:
    """The values of one facet: primary keys (sorted), the value shown in URLs and the label."""

    pks: np.ndarray
    values: list[str]
    labels: list[str]

    @classmethod
    def of(cls, queryset, value_field: str, label_field: str) -> Vocabulary:
        rows = sorted(queryset.values_list("pk", value_field, label_field))
        return cls(
            np.array([r[0] for r in rows], dtype=np.int64),
            [str(r[1]) for r in rows],
            [str(r[2]) for r in rows],
        )

    def codes(self, pks) -> np.ndarray:
        """Positions of ``pks`` in the vocabulary (``NO_VALUE`` for None or unknown)."""
        if not isinstance(pks, np.ndarray):
            pks = np.asarray([NO_VALUE if pk is None else pk for pk in pks], dtype=np.int64)
        if not len(self.pks):
            return np.full(len(pks), NO_VALUE, dtype=np.int32)
        where = np.searchsorted(self.pks, pks)
        where = np.minimum(where, len(self.pks) - 1)
        return np.where(self.pks[where] == pks, where, NO_VALUE).astype(np.int32)

    def rows(self, counts: np.ndarray) -> list[tuple[str, str, int]]:
        """``[(value, label, count)]`` of the values with a count (the order is ``catalogue.facets``'s)."""
        return [(self.values[i], self.labels[i], int(counts[i])) for i in np.flatnonzero(counts)]


@dataclass
class Pairs:
    """A many-valued facet: ``treaty[i]`` (a position in the index) has the value ``value[i]``."""

    treaty: np.ndarray
    value: np.ndarray
    vocabulary: Vocabulary

    def __post_init__(self):
        self._all: np.ndarray | None = None
        # The treaties of each value, grouped: value v's are by_value[starts[v]:starts[v + 1]]. A filter then
        # visits only the rows of its values (np.isin over every row took 2.6 ms at 250,000 treaties).
        order = np.argsort(self.value, kind="stable")
        self.by_value = self.treaty[order]
        self.starts = np.searchsorted(self.value[order], np.arange(len(self.vocabulary.pks) + 1))

    def mask(self, size: int, pks) -> np.ndarray:
        chosen = self.vocabulary.codes(pks)
        mask = np.zeros(size, dtype=bool)
        for code in chosen[chosen != NO_VALUE]:
            mask[self.by_value[self.starts[code] : self.starts[code + 1]]] = True
        return mask

    def counts(self, where: np.ndarray | None) -> np.ndarray:
        """Each value's treaties among ``where`` (None: among all, counted once and kept)."""
        if where is None:
            if self._all is None:
                self._all = np.bincount(self.value, minlength=len(self.vocabulary.pks))
            return self._all
        # np.take and np.compress: the same gather and selection as where[...] and value[...], twice as fast.
        return np.bincount(np.compress(np.take(where, self.treaty), self.value), minlength=len(self.vocabulary.pks))


@dataclass
class Column:
    """A single-valued facet: ``code[t]`` is the value of treaty ``t`` (``NO_VALUE`` when it has none)."""

    code: np.ndarray
    vocabulary: Vocabulary

    def mask(self, size: int, pks) -> np.ndarray:
        mask = np.zeros(size, dtype=bool)
        for code in self.vocabulary.codes(pks):  # a few values: one comparison each beats np.isin's sort
            if code != NO_VALUE:
                mask |= self.code == code
        return mask

    def counts(self, where: np.ndarray | None) -> np.ndarray:
        """Each value's treaties among ``where`` (None: among all, counted once and kept)."""
        if where is None:
            if self._all is None:
                self._all = np.bincount(self.bins, minlength=len(self.vocabulary.pks) + 1)[1:]
            return self._all
        # Codes shifted by one, so that "no value" is bin 0, dropped after counting (no second selection).
        return np.bincount(np.compress(where, self.bins), minlength=len(self.vocabulary.pks) + 1)[1:]

    def __post_init__(self):
        self._all: np.ndarray | None = None
        self.bins = self.code + 1


class FacetIndex:
    """The published treaties' facet columns at one catalogue version (see the module docstring)."""

    def __init__(self, version: str):
        from .filters import Sort

        self.version = version
        self.database = _database_key()
        self._orders: dict[str, np.ndarray] = {}
        self._order_lock = threading.Lock()
        table = _int_table(
            Treaty.objects.published()
            .annotate(
                kind_code=Coalesce("kind_id", Value(NO_VALUE)),
                place_code=Coalesce("place_signed_id", Value(NO_VALUE)),
                signed_day=DaysSince1970("signed_earliest"),
                in_force_day=DaysSince1970("entry_into_force_earliest"),
                ended_day=DaysSince1970("ended_latest"),
            )
            .values_list("pk", "kind_code", "place_code", "signed_day", "in_force_day", "ended_day"),
            6,
        )
        by_id = np.argsort(table[:, 0], kind="stable")
        self.ids, self.size = table[by_id, 0], len(table)
        kinds, places = Vocabulary.of(TreatyKind.objects, "slug", "name"), Vocabulary.of(Place.objects, "slug", "name")
        self.columns = {
            "kind": Column(kinds.codes(table[by_id, 1]), kinds),
            "place": Column(places.codes(table[by_id, 2]), places),
        }
        self.signed, self.in_force_from, self.ended = (table[by_id, k].astype(np.int32) for k in (3, 4, 5))
        del table
        self.year = np.where(
            self.signed == NO_DAY,
            NO_VALUE,
            self.signed.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970,
        ).astype(np.int32)
        dated = self.year[self.year != NO_VALUE]
        self.first_year = int(dated.min()) if len(dated) else 0
        # Years as bins from the first, undated treaties in the last bin: counting them is one bincount.
        self.year_bins = (int(dated.max()) - self.first_year + 2) if len(dated) else 1
        undated = self.year == NO_VALUE
        self.year_bin = np.where(undated, self.year_bins - 1, self.year - self.first_year).astype(np.int32)
        self.pairs = {
            "party": self._pairs(Participation.objects.all(), "state_id", Vocabulary.of(State.objects, "code", "name")),
            "subject": self._pairs(
                Treaty.subjects.through.objects.all(), "subject_id", Vocabulary.of(Subject.objects, "slug", "name")
            ),
            "series": self._pairs(
                Registration.objects.filter(treaty__isnull=False),
                "series_id",
                Vocabulary.of(TreatySeries.objects, "slug", "abbreviation"),
            ),
        }
        scanned = _int_table(Scan.objects.filter(treaty__isnull=False).values_list("treaty_id"), 1)
        self.has_scan = np.isin(self.ids, scanned[:, 0])
        self.order(Sort.DATE)  # the default order of the list, read now rather than by the first request

    @property
    def nbytes(self) -> int:
        """Memory held by the index's arrays."""
        arrays = [self.ids, self.year, self.signed, self.in_force_from, self.ended, self.has_scan]
        arrays += [column.code for column in self.columns.values()]
        for pairs in self.pairs.values():
            arrays += [pairs.treaty, pairs.value, pairs.by_value, pairs.starts]
        arrays += list(self._orders.values())
        return sum(a.nbytes for a in arrays)

    # -- building ---------------------------------------------------------------------------------

    def positions(self, treaty_ids: np.ndarray) -> np.ndarray:
        """Index positions of treaty ids (``NO_VALUE`` for ids not published)."""
        if not self.size:
            return np.full(len(treaty_ids), NO_VALUE, dtype=np.int64)
        where = np.minimum(np.searchsorted(self.ids, treaty_ids), self.size - 1)
        return np.where(self.ids[where] == treaty_ids, where, NO_VALUE)

    def _pairs(self, queryset, value_field: str, vocabulary: Vocabulary) -> Pairs:
        both = _int_table(queryset.values_list("treaty_id", value_field), 2)
        treaty, value = self.positions(both[:, 0]), vocabulary.codes(both[:, 1])
        keep = (treaty != NO_VALUE) & (value != NO_VALUE)
        return Pairs(treaty[keep].astype(np.int32), value[keep].astype(np.int32), vocabulary)

    # -- filtering --------------------------------------------------------------------------------

    def masks(self, filterset) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        """(a mask per active facet filter, the mask of every other filter or None), for a validated filterset."""
        data = filterset.form.cleaned_data
        facets: dict[str, np.ndarray] = {}
        for name in ("party", "subject", "series"):
            if data.get(name):
                facets[name] = self.pairs[name].mask(self.size, data[name].pks)
        for name in ("kind", "place"):
            if data.get(name):
                facets[name] = self.columns[name].mask(self.size, data[name].pks)
        for name, width in (("decade", 10), ("year", 1)):
            if data.get(name):
                mask = np.zeros(self.size, dtype=bool)
                for start in data[name]:
                    mask |= (self.year >= start) & (self.year < start + width)
                facets[name] = mask
        if data.get("has_scans") in ("yes", "no"):
            facets["has_scans"] = self.has_scan if data["has_scans"] == "yes" else ~self.has_scan
        rest = []  # the masks of the other filters (None for the whole: no filter)
        if data.get("signed_from"):
            rest.append((self.signed != NO_DAY) & (self.signed >= _day(data["signed_from"].earliest)))
        if data.get("signed_to"):
            rest.append((self.signed != NO_DAY) & (self.signed <= _day(data["signed_to"].latest)))
        if data.get("in_force_on"):
            day = _day(data["in_force_on"].earliest)
            rest.append((self.in_force_from != NO_DAY) & (self.in_force_from <= day))
            rest.append((self.ended == NO_DAY) | (self.ended > day))
        others = [
            name
            for name, value in data.items()
            if value and name not in FACET_FILTERS and name not in DATE_FILTERS and name != "sort"
        ]
        if others:
            rest.append(self._sql_mask(filterset, others))
        return facets, _all_of(rest)

    def _sql_mask(self, filterset, names) -> np.ndarray:
        """The treaties matching the filters the index does not hold (the text search), from the database."""
        queryset = filterset.filtered(exclude=[n for n in filterset.filters if n not in names])
        ids = np.fromiter(queryset.values_list("pk", flat=True), dtype=np.int64)
        positions = self.positions(ids)
        mask = np.zeros(self.size, dtype=bool)
        mask[positions[positions != NO_VALUE]] = True
        return mask

    def counts(self, filterset) -> IndexCounts:
        """The counts of a validated filterset; kept on it, so its page's rows reuse the same masks."""
        counted = getattr(filterset, "_index_counts", None)
        if counted is None or counted.index is not self:
            counted = filterset._index_counts = IndexCounts(self, *self.masks(filterset))
        return counted

    # -- ordering and paging -------------------------------------------------------------------

    def order(self, sort_key: str) -> np.ndarray:
        """Index positions in the list's order for ``sort_key``, as the database sorts them (read once)."""
        with self._order_lock:
            if sort_key not in self._orders:
                from .filters import TreatyFilterSet

                sorting = TreatyFilterSet({"sort": sort_key})
                sorting.is_valid()
                ordered = sorting.order(Treaty.objects.published())
                with connection.cursor() as cursor:
                    cursor.execute(*ordered.values_list("pk").query.sql_with_params())
                    ids = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1)
                self._orders[sort_key] = self.positions(ids)
            return self._orders[sort_key]

    def ordered_ids(self, filterset) -> np.ndarray | None:
        """The ids of the filtered treaties in the list's order; None for relevance (the database ranks)."""
        from .filters import Sort

        key = filterset.sort_key
        if key == Sort.RELEVANCE:
            return None
        mask = self.counts(filterset).mask(None)
        order = self.order(key)
        return np.take(self.ids, order if mask is None else np.compress(np.take(mask, order), order))


class IndexCounts:
    """``catalogue.facets.Counts`` answered from the index."""

    def __init__(self, index: FacetIndex, facets: dict[str, np.ndarray], rest: np.ndarray | None):
        """``rest``: the mask of the filters that are not facets; None when there are none."""
        self.index, self.facets, self.rest = index, facets, rest
        self._where: dict[str | None, np.ndarray | None] = {}

    def mask(self, exclude: str | None = None) -> np.ndarray | None:
        """The treaties matching every filter except ``exclude``'s; None when no filter applies (every treaty:
        the counts over all of them are kept, and need no mask)."""
        if exclude not in self._where:
            masks = [mask for name, mask in self.facets.items() if name != exclude]
            self._where[exclude] = _all_of([*masks, self.rest] if self.rest is not None else masks)
        return self._where[exclude]

    def values(self, name: str) -> list[tuple[str, str, int]]:
        source = self.index.pairs.get(name) or self.index.columns[name]
        return source.vocabulary.rows(source.counts(self.mask(name)))

    def years(self, exclude: str | None = None) -> list[tuple[int, int]]:
        """(year, treaties) of the dated treaties, in year order: one bincount (a sort took 5 ms at 250,000)."""
        index, mask = self.index, self.mask(exclude)
        bins = index.year_bin if mask is None else np.compress(mask, index.year_bin)
        counts = np.bincount(bins, minlength=index.year_bins)[:-1]  # the last bin: undated
        return [(index.first_year + int(b), int(counts[b])) for b in np.flatnonzero(counts)]

    def total(self, exclude: str | None = None) -> int:
        mask = self.mask(exclude)
        return self.index.size if mask is None else int(np.count_nonzero(mask))

    def with_scans(self, exclude: str | None = None) -> int:
        mask = self.mask(exclude)
        scans = self.index.has_scan
        return int(np.count_nonzero(scans if mask is None else mask & scans))


def _all_of(masks: list[np.ndarray]) -> np.ndarray | None:
    """The treaties every mask holds; None when there is no mask (every treaty)."""
    if not masks:
        return None
    mask = masks[0].copy()
    for other in masks[1:]:
        mask &= other
    return mask


# -- the index of this process ------------------------------------------------------------------

_lock = threading.Lock()
_current: FacetIndex | None = None


def _database_key() -> tuple:
    # A replica holds the primary's catalogue: an index of either serves both at the same version.
    primary = connections[DEFAULT_DB_ALIAS]
    return (primary.vendor, str(primary.settings_dict.get("NAME")))


def current(version: str | None = None) -> FacetIndex | None:
    """This process's index at the catalogue's current version, built if need be; None where it may not serve."""
    global _current
    if not enabled() or connection.in_atomic_block:
        return None
    if version is None:
        from .pagecache import catalogue_version

        version = catalogue_version()
    index = _current
    if index is not None and index.version == version and index.database == _database_key():
        return index
    with _lock:
        index = _current
        if index is None or index.version != version or index.database != _database_key():
            index = _current = FacetIndex(version)
    return index


def clear() -> None:
    global _current
    with _lock:
        _current = None


class OrderedRows:
    """A result list as a sequence the paginator slices: the ids come from the index, a page's rows from SQL.

    Slicing fetches only the rows of that slice, by primary key, so a deep page
    costs what the first one does (no OFFSET over the sorted table).
    """

    def __init__(self, ids: np.ndarray, queryset):
        self.ids, self.queryset = ids, queryset

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        wanted = [int(pk) for pk in self.ids[key]]
        rows = {row.pk: row for row in self.queryset.filter(pk__in=wanted)}
        return [rows[pk] for pk in wanted if pk in rows]
