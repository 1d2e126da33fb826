"""Full-text search: stored document kept current by signals, ranked search, the rebuild command."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from catalogue import models as m
from catalogue import search
from catalogue.filters import TreatyFilterSet
from tests import factories as f
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def found(q: str) -> list[str]:
    return [t.slug for t in TreatyFilterSet(QueryDict(f"q={q}")).qs]


def test_rapallo_finds_rapallo_first_and_berlin_which_reaffirms_it(world):
    result = found("Rapallo")
    assert result[0] == "treaty-of-rapallo-1922"
    assert "treaty-of-berlin-1926" in result
    assert "draft-treaty" not in result  # a draft is never found, even when its title matches


def test_search_covers_other_titles_summaries_articles_and_party_names(world):
    assert found("Berliner") == ["treaty-of-berlin-1926"]  # a German title
    assert found("neutrality") == ["treaty-of-berlin-1926"]  # summary and article text
    assert found("Союз") == ["treaty-of-berlin-1926"]  # a party's Russian name
    assert set(found("soviet")) >= {"treaty-of-berlin-1926"}


def test_all_words_must_match(world):
    assert found("Rapallo neutrality") == ["treaty-of-berlin-1926"]
    assert found("Rapallo zanzibar") == []


def test_query_without_words_finds_nothing_and_does_not_fail(world):
    assert found("%21%21%21") == []


def test_document_follows_changes_to_articles_titles_participations_and_states(world):
    berlin = world.berlin
    assert found("Locarno") == []
    article = m.Article.objects.create(treaty=berlin, number="3", text="Compatible with Locarno.")
    assert found("Locarno") == ["treaty-of-berlin-1926"]
    article.delete()
    assert found("Locarno") == []
    m.TreatyTitle.objects.create(treaty=berlin, title="Traité de Berlin", language="fr")
    assert found("Traité") == ["treaty-of-berlin-1926"]
    world.ussr.name = "Union of Soviet Socialist Republics"
    world.ussr.save()
    assert found("Socialist") == ["treaty-of-berlin-1926"]
    latvia = f.StateFactory(name="Latvia", code="LVA", slug="latvia")
    f.ParticipationFactory(treaty=berlin, state=latvia)
    assert found("Latvia") == ["treaty-of-berlin-1926"]


def test_treaty_save_refreshes_its_own_document(world):
    world.brest.summary = "Annulled by the armistice of Compiègne."
    world.brest.save()
    assert found("armistice") == ["treaty-of-brest-litovsk-1918"]


def test_stemming_on_postgresql_substring_on_sqlite(world):
    # "treaties" stems to "treati" as "treaty" does on PostgreSQL; SQLite matches plain words only.
    if connection.vendor == "postgresql":
        assert len(found("treaties")) == 3
    else:
        assert found("treaties") == []
    assert len(found("treaty")) == 3


def test_rebuild_search_command_restores_emptied_documents(world):
    m.Treaty.objects.update(search_document="", search_vector=None)
    assert found("Rapallo") == []
    call_command("rebuild_search", verbosity=0)
    assert found("Rapallo")[0] == "treaty-of-rapallo-1922"


def test_rebuild_refuses_bad_batch_size(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="batch-size"):
        call_command("rebuild_search", batch_size=0, verbosity=0)


def test_refresh_runs_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    treaties = [f.TreatyFactory() for _ in range(30)]
    for t in treaties:
        f.ParticipationFactory(treaty=t)
        m.Article.objects.create(treaty=t, number="1", text="text")
    with django_assert_max_num_queries(9):
        assert search.refresh([t.pk for t in treaties]) == 30
