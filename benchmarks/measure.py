"""In-process page measurements on the configured database: public pages, the admin peer, the SQL floor.

Each case is requested through Django's test client (the whole stack:
middleware, views, templates) with the cache cleared first, so the first
request is the "first request of a filter combination not seen before"; then
``warmup`` more requests, then ``repeat`` timed ones (median and p95). One
request runs under ``CaptureQueriesContext``: its query count, and its queries
re-run with ``EXPLAIN (ANALYZE, FORMAT JSON)`` on PostgreSQL (the sum of their
"Execution Time") or timed directly on SQLite, give the *floor*: the time the
database itself spends on the page. Where the in-memory facet index
(``catalogue.facetindex``) counts and orders a list, its own time is measured
too and added to the floor; the index is built once before the cases (its
build time and size are reported: what the first request after a write pays),
and "first" requests clear the page and facet caches, not the index. The admin
treaty changelist with facet counts (``?_facets=True``, as a superuser) is
measured the same way, for the filters it can express.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue import facetindex, facets
from catalogue.filters import TreatyFilterSet, sanitize
from catalogue.models import Participation, Protocol, Status, Subject, Treaty, TreatyKind

ADMIN_USERNAME = "benchmark-admin"


@dataclass
class Timing:
    """One URL measured: times in milliseconds."""

    url: str
    status: int = 0
    first_ms: float = 0.0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    queries: int = 0
    sql_ms: float = 0.0
    slowest_sql_ms: float = 0.0
    slowest_sql: str = ""
    plan: str = ""
    index_ms: float = 0.0  # counting and ordering in the facet index (list pages), part of the floor

    @property
    def floor_ms(self) -> float:
        """What the data costs: the SQL, plus the in-memory facet index's counting where it served."""
        return self.sql_ms + self.index_ms

    @property
    def ratio(self) -> float:
        """Page time over its floor (SQL and index), both for a page built from scratch (no cache)."""
        return self.first_ms / self.floor_ms if self.floor_ms else 0.0


@dataclass
class Case:
    name: str
    public: Timing
    admin: Timing | None = None

    @property
    def speedup(self) -> float:
        if self.admin is None or not self.public.median_ms:
            return 0.0
        return self.admin.median_ms / self.public.median_ms


@dataclass
class SizeResult:
    vendor: str
    size: int
    treaties: int
    participations: int
    index_build_ms: float = 0.0
    index_mb: float = 0.0
    cases: list[Case] = field(default_factory=list)

    def as_json(self) -> dict:
        data = asdict(self)
        for case, raw in zip(self.cases, data["cases"], strict=True):
            raw["speedup"] = case.speedup
            raw["public"]["ratio"] = case.public.ratio
            if case.admin:
                raw["admin"]["ratio"] = case.admin.ratio
        return data


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def sql_floor(queries: list[dict]) -> tuple[float, float, str, str]:
    """(total ms, slowest ms, slowest SQL, its plan) of re-running the page's SELECTs.

    PostgreSQL: ``EXPLAIN (ANALYZE, FORMAT JSON)`` and its "Execution Time". SQLite:
    the query timed directly (fetching every row).
    """
    total, slowest, slowest_sql, plan = 0.0, 0.0, "", ""
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                raw = cursor.fetchone()[0]
                data = json.loads(raw) if isinstance(raw, str) else raw
                ms = float(data[0]["Execution Time"])
            else:
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                ms = (time.perf_counter() - started) * 1000
            total += ms
            if ms > slowest:
                slowest, slowest_sql = ms, sql
    if slowest_sql and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest_sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    elif slowest_sql:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + slowest_sql)
            plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
    return total, slowest, slowest_sql, plan


def time_url(client: Client, url: str, *, warmup: int, repeat: int) -> Timing:
    """Cold requests (cache cleared before each), then warm-up, then ``repeat`` timed warm requests.

    The first request of all only loads templates and code and is not counted.
    *first* is the median of the cold requests: the first request of a filter
    combination not seen before. One more cold request runs under query
    capture for the query count and the SQL floor.
    """
    cache.clear()
    timing = Timing(url=url)
    timing.status = client.get(url).status_code
    cold = []
    for _ in range(min(3, max(1, repeat))):
        cache.clear()
        started = time.perf_counter()
        client.get(url)
        cold.append((time.perf_counter() - started) * 1000)
    timing.first_ms = statistics.median(cold)
    for _ in range(warmup):
        client.get(url)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    timing.median_ms = statistics.median(samples)
    timing.p95_ms = percentile(samples, 0.95)
    cache.clear()  # the floor is the SQL of a page built from scratch
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    timing.queries = len(captured.captured_queries)
    timing.sql_ms, timing.slowest_sql_ms, timing.slowest_sql, timing.plan = sql_floor(captured.captured_queries)
    return timing


def _ids(model, n):
    return list(model.objects.order_by("pk").values_list("pk", "slug")[:n])


def scenario_urls() -> list[tuple[str, str, str | None]]:
    """(case, public URL, admin URL or None) for the catalogue in the database.

    Facet values are the heaviest of the data: the state in most treaties, the
    commonest kind and subject, so the measured cases are the worst ones.
    """
    top_states = list(
        Participation.objects.values("state__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "state__code")
        .values_list("state__code", flat=True)[:2]
    )
    kinds = list(TreatyKind.objects.annotate(n=Count("treaties")).order_by("-n", "pk").values_list("pk", "slug")[:2])
    subjects = list(Subject.objects.annotate(n=Count("treaties")).order_by("-n", "pk").values_list("pk", "slug")[:1])
    lst, adm = reverse("catalogue:treaty-list"), reverse("admin:catalogue_treaty_changelist")
    party = top_states[0] if top_states else "none"
    (kind_id, kind), (kind2_id, kind2) = (kinds + kinds + [(0, "none")] * 2)[:2]
    subject_id, subject = (subjects or [(0, "none")])[0]
    published = Treaty.objects.published().count()
    pages = max(1, -(-published // 20))
    deep = max(1, int(pages * 0.8))
    admin_pages = max(1, -(-Treaty.objects.count() // 100))
    admin_deep = max(1, int(admin_pages * 0.8))
    facets = "_facets=True"
    return [
        ("list: no filter", lst, f"{adm}?{facets}"),
        ("list: one facet", f"{lst}?kind={kind}", f"{adm}?{facets}&kind__id__exact={kind_id}"),
        ("list: party facet", f"{lst}?party={party}", None),
        (
            "list: three facets",
            f"{lst}?party={party}&kind={kind}&subject={subject}",
            f"{adm}?{facets}&kind__id__exact={kind_id}&subjects__id__exact={subject_id}&status__exact=published",
        ),
        (
            "list: two values in one facet",
            f"{lst}?kind={kind}&kind={kind2}",
            f"{adm}?{facets}&kind__id__exact={kind_id}&kind__id__exact={kind2_id}",
        ),
        (
            "list: date range",
            f"{lst}?signed_from=1920&signed_to=1939",
            f"{adm}?{facets}&signed_earliest__gte=1920-01-01&signed_earliest__lte=1939-12-31",
        ),
        (
            "list: in force on a date",
            f"{lst}?in_force_on=1960-01-01",
            f"{adm}?{facets}&entry_into_force_earliest__lte=1960-01-01&ended_latest__gt=1960-01-01",
        ),
        ("list: text search", f"{lst}?q=neutrality", f"{adm}?{facets}&q=neutrality"),
        ("list: page 1", f"{lst}?page=1", f"{adm}?{facets}&p=1"),
        ("list: deep page", f"{lst}?page={deep}", f"{adm}?{facets}&p={admin_deep}"),
        ("detail: many parties", detail_url(), None),
    ]


def detail_url() -> str:
    """The published treaty with protocols that has the most parties (its citations come with it)."""
    with_protocols = Protocol.objects.values("treaty_id")
    treaty = (
        Treaty.objects.published()
        .filter(pk__in=with_protocols)
        .annotate(n=Count("participations"))
        .order_by("-n", "pk")
        .first()
    ) or Treaty.objects.published().order_by("pk").first()
    if treaty is None:
        return reverse("catalogue:treaty-list")
    return treaty.get_absolute_url()


def admin_client() -> Client:
    user, _created = get_user_model().objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def measure(*, size: int, warmup: int = 3, repeat: int = 15, admin: bool = True, progress=None) -> SizeResult:
    """Every page case on the current database."""
    result = SizeResult(
        vendor=connection.vendor,
        size=size,
        treaties=Treaty.objects.count(),
        participations=Participation.objects.count(),
    )
    public_client = Client()
    staff_client = admin_client() if admin else None
    facetindex.clear()
    started = time.perf_counter()
    index = facetindex.current()
    if index is not None:
        result.index_build_ms = (time.perf_counter() - started) * 1000
        result.index_mb = index.nbytes / 1e6
    for name, url, admin_url in scenario_urls():
        public = time_url(public_client, url, warmup=warmup, repeat=repeat)
        if index is not None and name.startswith("list:"):
            public.index_ms = index_time(index, url)
        peer = None
        if staff_client is not None and admin_url:
            # The admin is slow at scale: fewer repetitions keep the run bounded.
            peer = time_url(staff_client, admin_url, warmup=1, repeat=max(3, repeat // 3))
        case = Case(name, public, peer)
        result.cases.append(case)
        if progress is not None:
            progress(case)
    return result


def index_time(index, url: str) -> float:
    """Milliseconds the facet index takes to count and order the list at ``url`` (median of three)."""
    params, _messages = sanitize(QueryDict(urlsplit(url).query))
    samples = []
    for _ in range(3):
        filterset = TreatyFilterSet(params)
        filterset.is_valid()
        started = time.perf_counter()
        facets.compute(filterset, index.counts(filterset))
        index.ordered_ids(filterset)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def status_of(result: SizeResult) -> str:
    return ", ".join(f"{c.name}={c.public.status}" for c in result.cases if c.public.status != 200)


__all__ = ["Case", "SizeResult", "Timing", "measure", "status_of", "Status"]
