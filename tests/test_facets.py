"""Facet counts: each facet counted with every filter but its own; counts equal the lists they lead to."""

import pytest
from django.http import QueryDict

from catalogue.facets import facet_counts, histogram
from catalogue.filters import TreatyFilterSet
from tests import factories as f
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def counts(result, facet):
    return {v["value"]: v["count"] for v in result["facets"][facet]["values"]}


def result_count(query: str) -> int:
    return TreatyFilterSet(QueryDict(query)).qs.count()


def only_value(query: str, facet: str, value: str) -> str:
    """The query with ``facet`` narrowed to ``value`` alone: what a count beside that value stands for."""
    q = QueryDict(query, mutable=True)
    q.setlist(facet, [value])
    return q.urlencode()


QUERIES = [
    "",
    "party=DEU-WEIMAR",
    "party=SUN&party=RSFSR",
    "kind=treaty",
    "party=RSFSR&decade=1920",
    "subject=peace&kind=peace-treaty",
    "q=rapallo",
    "in_force_on=1927-01-01",
    "year=1922&year=1926&place=berlin",
]


@pytest.mark.parametrize("query", QUERIES)
def test_every_count_equals_the_count_of_the_list_it_stands_for(world, query):
    result = facet_counts(QueryDict(query))
    assert result["total"] == result_count(query)
    checked = 0
    for facet, data in result["facets"].items():
        for value in data["values"]:
            assert value["count"] == result_count(only_value(query, facet, value["value"])), (facet, value)
            checked += 1
    assert checked > 5


def test_choosing_more_values_of_a_facet_adds_their_counts(world):
    result = facet_counts(QueryDict("kind=treaty"))
    kinds = counts(result, "kind")
    assert result_count("kind=treaty&kind=peace-treaty") == kinds["treaty"] + kinds["peace-treaty"]


def test_a_facet_ignores_its_own_filter(world):
    result = facet_counts(QueryDict("party=SUN"))
    assert counts(result, "party") == {"DEU-WEIMAR": 3, "RSFSR": 2, "SUN": 1}
    assert counts(result, "kind") == {"treaty": 1}
    assert result["total"] == 1


def test_facets_and_across(world):
    result = facet_counts(QueryDict("party=RSFSR&kind=treaty"))
    assert result["total"] == 1
    assert counts(result, "kind") == {"treaty": 1, "peace-treaty": 1}
    assert counts(result, "party") == {"DEU-WEIMAR": 2, "SUN": 1, "RSFSR": 1}


def test_zero_values_are_absent_but_chosen_ones_stay(world):
    result = facet_counts(QueryDict("kind=peace-treaty&subject=neutrality"))
    assert result["total"] == 0
    assert counts(result, "subject") == {"peace": 1, "neutrality": 0}
    assert [v["selected"] for v in result["facets"]["subject"]["values"] if v["value"] == "neutrality"] == [True]
    assert "ukraine-unr" not in counts(result, "party")


def test_histogram_by_year_then_by_decade():
    narrow = histogram([(1918, 1), (1922, 1), (1926, 2)])
    assert narrow.unit == "year"
    assert [(b.value, b.count) for b in narrow.bars][:5] == [(1918, 1), (1919, 0), (1920, 0), (1921, 0), (1922, 1)]
    wide = histogram([(1800, 1), (1926, 2), (1929, 1)])
    assert wide.unit == "decade"
    assert (1920, 3) in [(b.value, b.count) for b in wide.bars]
    assert wide.bars[0].value == 1800


def test_histogram_of_the_result_set(world):
    result = facet_counts(QueryDict("party=DEU-WEIMAR"))
    bars = {b["value"]: b["count"] for b in result["histogram"]["bars"]}
    assert bars[1918] == 1 and bars[1922] == 1 and bars[1926] == 1 and bars[1920] == 0


def test_bad_parameters_are_reported_not_fatal(world):
    result = facet_counts(QueryDict("party=NOPE&year=abc"))
    assert result["total"] == 3
    assert len(result["ignored"]) == 2


@pytest.mark.parametrize("size", [10, 60])
def test_query_count_is_constant(db, size, django_assert_max_num_queries):
    kinds = [f.TreatyKindFactory(name=f"Kind {i}", slug=f"kind-{i}") for i in range(3)]
    states = [f.StateFactory() for _ in range(size // 2)]
    for i in range(size):
        t = f.TreatyFactory(kind=kinds[i % 3], signed=f"{1900 + i}-01-01")
        f.ParticipationFactory(treaty=t, state=states[i % len(states)])
    query = QueryDict(f"party={states[0].code}&kind=kind-1&q=treaty&decade=1900")
    with django_assert_max_num_queries(14):
        facet_counts(query)
