"""catalogue.lookups: ``any_of`` finds what ``in`` finds, as one array parameter on PostgreSQL."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from catalogue import models as m
from tests import factories as f


def test_any_of_finds_what_in_finds(db):
    states = [f.StateFactory(code=f"C{n}", slug=f"c-{n}") for n in range(5)]
    codes = ["C1", "C3", "C3", None, "nowhere"]
    ids = [states[0].pk, states[4].pk, None]
    assert sorted(m.State.objects.filter(code__any_of=codes).values_list("code", flat=True)) == ["C1", "C3"]
    assert set(m.State.objects.filter(pk__any_of=ids)) == set(m.State.objects.filter(pk__in=ids))
    assert set(m.State.objects.filter(pk__any_of={states[2].pk})) == {states[2]}
    assert not m.State.objects.filter(code__any_of=[]).exists()
    assert not m.State.objects.filter(code__any_of=[None]).exists()
    either = m.State.objects.filter(Q(code__any_of=[]) | Q(slug__any_of=["c-2"]))
    assert list(either.values_list("code", flat=True)) == ["C2"]


def test_any_of_is_one_parameter_on_postgresql(db):
    f.StateFactory(code="C1", slug="c-1")
    values = [f"X{n}" for n in range(500)] + ["C1"]
    with CaptureQueriesContext(connection) as captured:
        assert m.State.objects.filter(code__any_of=values).count() == 1
    sql = captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql
