"""Public pages are served from the cache until the catalogue changes."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue import pagecache
from tests.factories import ParticipationFactory, TreatyFactory, UserFactory


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_repeated_list_page_is_served_from_the_cache_in_one_query(client, fresh_cache):
    TreatyFactory(title="Treaty of Rapallo")
    url = reverse("catalogue:treaty-list") + "?sort=title&page=1"
    first, first_queries = _get(client, url)
    again, again_queries = _get(client, reverse("catalogue:treaty-list") + "?page=1&sort=title")  # same query
    assert again == first and "Treaty of Rapallo" in again
    assert first_queries > 5
    assert again_queries == 1  # the catalogue version only


@pytest.mark.django_db(transaction=True)
def test_a_change_to_the_catalogue_shows_at_once(client, fresh_cache):
    treaty = TreatyFactory(title="Treaty of Rapallo")
    list_url, detail_url = reverse("catalogue:treaty-list"), treaty.get_absolute_url()
    assert "Treaty of Rapallo" in _get(client, list_url)[0]
    assert "Treaty of Rapallo" in _get(client, detail_url)[0]

    treaty.title = "Treaty of Berlin"
    treaty.save()
    assert "Treaty of Berlin" in _get(client, list_url)[0]
    assert "Treaty of Berlin" in _get(client, detail_url)[0]

    ParticipationFactory(treaty=treaty, state__name="Weimar Republic")  # a part of a treaty, not the treaty
    assert "Weimar Republic" in _get(client, detail_url)[0]
    TreatyFactory(title="Pact of Steel")
    assert "Pact of Steel" in _get(client, list_url)[0]


@pytest.mark.django_db(transaction=True)
def test_signed_in_users_and_errors_are_not_cached(client, fresh_cache):
    TreatyFactory(title="Treaty of Rapallo")
    url = reverse("catalogue:treaty-list")
    _get(client, url)
    client.force_login(UserFactory(username="reader"))
    assert _get(client, url)[1] > 1
    client.logout()
    assert client.get("/treaties/no-such-treaty/").status_code == 404
    assert client.get("/treaties/no-such-treaty/").status_code == 404


@pytest.mark.django_db
def test_nothing_is_cached_inside_a_transaction(client, fresh_cache):
    TreatyFactory(title="Treaty of Rapallo")
    url = reverse("catalogue:treaty-list")
    _get(client, url)  # the first request also builds the facet index (catalogue.facetindex)
    assert _get(client, url)[1] == _get(client, url)[1] > 1


@pytest.mark.django_db(transaction=True)
def test_the_cache_can_be_turned_off(client, fresh_cache, settings):
    settings.CATALOGUE_PAGE_CACHE_SECONDS = 0
    TreatyFactory(title="Treaty of Rapallo")
    url = reverse("catalogue:treaty-list")
    _get(client, url)  # the first request also builds the facet index (catalogue.facetindex)
    assert _get(client, url)[1] == _get(client, url)[1] > 1


@pytest.mark.django_db(transaction=True)
def test_the_version_changes_with_every_write():
    before = pagecache.catalogue_version()
    treaty = TreatyFactory()
    after_insert = pagecache.catalogue_version()
    treaty.summary = "changed"
    treaty.save()
    after_update = pagecache.catalogue_version()
    treaty.delete()
    after_delete = pagecache.catalogue_version()
    assert len({before, after_insert, after_update, after_delete}) == 4
    assert pagecache.catalogue_version() == after_delete


@pytest.mark.django_db(transaction=True)
def test_another_page_or_order_of_a_seen_query_reuses_its_facet_counts(client, fresh_cache):
    for n in range(25):
        TreatyFactory(title=f"Treaty {n:02d}")
    url = reverse("catalogue:treaty-list")
    first, first_queries = _get(client, url + "?signed_from=1900")
    second, second_queries = _get(client, url + "?signed_from=1900&page=2&sort=title")
    assert "Treaty 24" in second and 'data-result-count="25"' in second
    assert second_queries < first_queries - 4  # the list rows, not the facet counts again
    treaty = TreatyFactory(title="Treaty 25")
    third, _queries = _get(client, url + "?signed_from=1900&page=2&sort=title")
    assert 'data-result-count="26"' in third and treaty.title in third


@pytest.mark.django_db(transaction=True)
def test_the_version_query_is_planned_once_per_connection_on_postgresql():
    """PostgreSQL: PREPARE once per connection, then EXECUTE. SQLite (cheap to plan): the SELECT each time."""
    postgres = connection.vendor == "postgresql"
    connection.close()
    with CaptureQueriesContext(connection) as first:
        version = pagecache.catalogue_version()
    with CaptureQueriesContext(connection) as again:
        assert pagecache.catalogue_version() == version
    first_sql = [q["sql"].split()[0] for q in first.captured_queries]
    again_sql = [q["sql"] for q in again.captured_queries]
    if postgres:
        assert first_sql == ["PREPARE", "EXECUTE"]
        assert again_sql == [f"EXECUTE {pagecache.PREPARED_NAME}"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [pagecache.PREPARED_NAME])
            assert cursor.fetchone()[0] == 1
    else:
        assert first_sql == ["SELECT"] and again_sql == [pagecache._sql()]
    connection.close()  # a new connection: prepared again on PostgreSQL, and the version still follows writes
    with CaptureQueriesContext(connection) as reconnected:
        TreatyFactory()
        assert pagecache.catalogue_version() != version
    tail = [q["sql"].split()[0] for q in reconnected.captured_queries][-2:]
    assert tail == (["PREPARE", "EXECUTE"] if postgres else [tail[0], "SELECT"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_transaction", [False, True])
def test_a_connection_that_lost_its_prepared_version_still_answers(in_transaction):
    """PostgreSQL: a pooler or DISCARD ALL can drop the statement; the plain query answers; it is prepared again."""
    from django.db import transaction

    version = pagecache.catalogue_version()
    if connection.vendor != "postgresql":
        assert pagecache.catalogue_version() == version
        return
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # behind the app's back
    if in_transaction:
        with transaction.atomic():
            assert pagecache.catalogue_version() == version
            TreatyFactory()  # the transaction is still usable
    else:
        assert pagecache.catalogue_version() == version
    with CaptureQueriesContext(connection) as again:
        pagecache.catalogue_version()
    assert [q["sql"].split()[0] for q in again.captured_queries] == ["PREPARE", "EXECUTE"]
