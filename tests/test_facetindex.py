"""The in-memory facet index answers every filter combination exactly as the SQL counts do."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue import facetindex
from catalogue.facetindex import FacetIndex
from catalogue.facets import SqlCounts, compute
from catalogue.filters import Sort, TreatyFilterSet, sanitize
from catalogue.models import Participation, Place, Registration, Scan, Subject, Treaty, TreatyKind, TreatySeries

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(db):
    """60 generated treaties, some turned into drafts, some with scans, some without a place or a date."""
    call_command("generate_catalogue", "--treaties", "60", "--seed", "5", verbosity=0)
    ids = list(Treaty.objects.order_by("pk").values_list("pk", flat=True))
    Treaty.objects.filter(pk__in=ids[::9]).update(status="draft")
    Treaty.objects.filter(pk__in=ids[1::11]).update(place_signed=None)
    Treaty.objects.filter(pk__in=ids[4::13]).update(signed="", signed_earliest=None, signed_latest=None)  # undated
    Scan.objects.bulk_create([Scan(treaty_id=pk, image=f"scans/{pk}.png", width=10, height=10) for pk in ids[2::7]])
    # Two scans of one treaty count it once.
    Scan.objects.bulk_create([Scan(treaty_id=ids[2], image="scans/again.png", width=10, height=10)])
    return ids


def vocabulary():
    """Values to draw filters from: every facet's values plus dates that cut through the sample."""
    published = Treaty.objects.published()
    years = sorted({d.year for d in published.values_list("signed_earliest", flat=True) if d})
    return {
        "party": list(
            Participation.objects.values_list("state__code", flat=True).distinct().order_by("state__code")[:12]
        ),
        "kind": list(TreatyKind.objects.values_list("slug", flat=True)[:6]),
        "subject": list(Subject.objects.values_list("slug", flat=True)[:8]),
        "place": list(Place.objects.values_list("slug", flat=True)[:6]),
        "series": list(TreatySeries.objects.values_list("slug", flat=True)),
        "year": [str(y) for y in years[-8:]],
        "decade": sorted({str(y // 10 * 10) for y in years}),
        "has_scans": ["yes", "no"],
        "signed_from": [str(years[len(years) // 3]), f"{years[len(years) // 2]}-06"],
        "signed_to": [str(years[-3]), f"{years[-2]}-03-15"],
        "in_force_on": [f"{y}-01-01" for y in years[-6::2]],
        "q": ["trade", "agreement", "convention peace", "nothing-matches-this"],
        "sort": [Sort.DATE, Sort.DATE_DESC, Sort.TITLE, Sort.RELEVANCE],
    }


def both(query: QueryDict):
    """(counts by SQL, counts by the index), after checking that both list the same treaties in the same order."""
    params, _messages = sanitize(query)
    filterset = TreatyFilterSet(params)
    filterset.is_valid()
    index = FacetIndex("test")
    by_sql = compute(filterset, SqlCounts(filterset)).as_dict()
    by_index = compute(filterset, index.counts(filterset)).as_dict()
    ordered = index.ordered_ids(filterset)
    if filterset.sort_key == Sort.RELEVANCE:
        assert ordered is None  # the database ranks search results
    else:
        assert list(ordered) == list(filterset.qs.values_list("pk", flat=True)), query.urlencode()
    return by_sql, by_index


@st.composite
def queries(draw, vocab):
    query = QueryDict(mutable=True)
    for name in draw(st.lists(st.sampled_from(sorted(vocab)), max_size=4, unique=True)):
        if not vocab[name]:
            continue
        if name in TreatyFilterSet.SINGLE_VALUED:
            query[name] = draw(st.sampled_from(vocab[name]))
        else:
            query.setlist(name, draw(st.lists(st.sampled_from(vocab[name]), min_size=1, max_size=3, unique=True)))
    return query


def test_the_index_agrees_with_the_sql_on_every_combination(sample):
    vocab = vocabulary()
    totals = []

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(queries(vocab))
    def check(query):
        by_sql, by_index = both(query)
        assert by_index == by_sql, query.urlencode()
        totals.append(by_sql["total"])

    check()
    # The comparison is not only of empty results: many draws match treaties, some most of them.
    assert sum(1 for total in totals if total) >= len(totals) // 4
    assert max(totals) >= Treaty.objects.published().count() // 2


@pytest.mark.parametrize(
    "query",
    [
        "",
        "has_scans=yes",
        "has_scans=no&decade=1990",
        "series=unts&series=lnts",
        "signed_from=1950&signed_to=1980-06&in_force_on=1970-01-01",
        "q=agreement&sort=title",
    ],
)
def test_named_combinations_agree_and_are_not_trivial(sample, query):
    by_sql, by_index = both(QueryDict(query))
    assert by_index == by_sql
    assert by_index["total"] == TreatyFilterSet(QueryDict(query)).qs.count() > 0


def test_counting_needs_no_query_but_for_the_text_search(sample):
    index = FacetIndex("test")
    filterset = TreatyFilterSet(QueryDict("party=GBR&kind=agreement&decade=1990&in_force_on=1995-01-01"))
    filterset.is_valid()
    with CaptureQueriesContext(connection) as queries_made:
        compute(filterset, index.counts(filterset))
    assert len(queries_made) == 0
    searching = TreatyFilterSet(QueryDict("q=trade&party=GBR"))
    searching.is_valid()
    with CaptureQueriesContext(connection) as queries_made:
        compute(searching, index.counts(searching))
    assert len(queries_made) == 1


def test_drafts_and_protocol_registrations_are_not_counted(sample):
    index = FacetIndex("test")
    assert index.size == Treaty.objects.published().count() < Treaty.objects.count()
    treaty_registrations = Registration.objects.filter(treaty__status="published").count()
    assert len(index.pairs["series"].treaty) == treaty_registrations < Registration.objects.count()


def test_not_used_inside_a_transaction_or_when_turned_off(sample, settings):
    assert connection.in_atomic_block
    assert facetindex.current("any") is None
    settings.CATALOGUE_FACET_INDEX = False
    assert not facetindex.enabled()


@pytest.mark.django_db(transaction=True)
def test_the_list_page_counts_from_the_index_and_follows_writes(client, settings):
    settings.CATALOGUE_PAGE_CACHE_SECONDS = 0  # every request counts afresh
    facetindex.clear()
    call_command("generate_catalogue", "--treaties", "15", "--seed", "2", verbosity=0)
    response = client.get("/treaties/")
    index = facetindex.current()
    assert index is not None and index.size == Treaty.objects.published().count() == 15
    assert response.context["result"].total == 15
    call_command("generate_catalogue", "--treaties", "20", "--seed", "2", verbosity=0)  # five more
    response = client.get("/treaties/")
    assert response.context["result"].total == 20
    assert facetindex.current() is not index  # a new version, a new index
    facetindex.clear()


@pytest.mark.django_db(transaction=True)
def test_every_page_that_counts_facets_works_from_the_index(client, settings):
    """Outside a transaction the index counts; the home page's unvalidated filterset once made it fail (500)."""
    settings.CATALOGUE_PAGE_CACHE_SECONDS = 0
    facetindex.clear()
    call_command("generate_catalogue", "--treaties", "12", "--seed", "4", verbosity=0)
    for url in (
        "/",
        "/treaties/",
        "/api/treaties/?facets=1",
        "/treaties/?kind=nowhere&signed_from=x",
        "/treaties/facets/party/",
    ):
        assert client.get(url).status_code == 200, url
    assert facetindex.current() is not None
    facetindex.clear()


@pytest.mark.django_db(transaction=True)
def test_pages_from_the_index_are_the_pages_sql_gives(client, settings):
    settings.CATALOGUE_PAGE_CACHE_SECONDS = 0
    call_command("generate_catalogue", "--treaties", "45", "--seed", "3", verbosity=0)
    for query in ("page=2&page_size=20", "page=3&page_size=20&sort=title", "sort=-date&page_size=20&page=2"):
        facetindex.clear()
        settings.CATALOGUE_FACET_INDEX = True
        by_index = [t.pk for t in client.get(f"/treaties/?{query}").context["treaties"]]
        assert facetindex.current() is not None
        settings.CATALOGUE_FACET_INDEX = False
        by_sql = [t.pk for t in client.get(f"/treaties/?{query}").context["treaties"]]
        assert by_index == by_sql and len(by_sql) > 0, query
    facetindex.clear()


def test_the_rows_of_a_page_reuse_the_masks_of_its_counts(sample):
    index = FacetIndex("test")
    filterset = TreatyFilterSet(QueryDict("q=trade&party=GBR&sort=date"))
    filterset.is_valid()
    compute(filterset, index.counts(filterset))
    with CaptureQueriesContext(connection) as queries_made:
        ordered = index.ordered_ids(filterset)
    assert len(queries_made) == 0  # the text search was asked once, for the counts
    assert list(ordered) == list(filterset.qs.values_list("pk", flat=True))


def test_counts_over_every_treaty_are_counted_once_and_need_no_mask(sample):
    index = FacetIndex("test")
    filterset = TreatyFilterSet(QueryDict("party=GBR"))
    filterset.is_valid()
    counts = index.counts(filterset)
    assert counts.mask("party") is None and counts.mask() is not None  # its own facet counts every treaty
    assert index.pairs["party"].counts(None) is index.pairs["party"].counts(None)
    assert counts.total("party") == Treaty.objects.published().count()
    dated = Treaty.objects.published().exclude(signed_earliest=None).count()
    assert sum(n for _year, n in counts.years("party")) == dated < Treaty.objects.published().count()
