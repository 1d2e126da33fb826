"""Whole public pages cached by their query, invalidated whenever the catalogue changes.

Why: at 250,000 treaties the list page's facet counts cost hundreds of
milliseconds of SQL, and rendering every facet value costs about as much again
whatever the size. Most traffic repeats a few queries (the unfiltered list, a
party, a page of results), so the rendered page is kept in the cache (local
memory by default; Redis when REDIS_URL is set, shared by every worker) under
a key made of the path, the query string's parameters (sorted, so that the
order in the URL does not matter) and the catalogue's *version*.

The version is a fingerprint of the catalogue read in one query of index-only
lookups: the largest id of every catalogue table and of every history table,
and the latest ``updated`` of treaties. Every change through the admin, the
import or the workflow writes a history row (house style), and every insert
takes a new id, so any such change gives a new version and new keys; old
entries are never read again and expire. Writes that leave no history row and
no new id (a bare ``QuerySet.update()``) are bounded by the timeout
(``CATALOGUE_PAGE_CACHE_SECONDS``, default 300; 0 turns the cache off).

Only anonymous GET requests that render a 200 are cached, never inside a
database transaction (tests run in one, and a page built from uncommitted rows
must not outlive them).
"""

from __future__ import annotations

import hashlib
import weakref
from contextlib import nullcontext

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.http import HttpResponse

# The database this request reads the catalogue from (a replica or the primary): the
# version labels the rows of the server it is read from.
from .replicas import read_connection as connection

DEFAULT_SECONDS = 300
_fingerprint_sql: str | None = None


def timeout() -> int:
    return int(getattr(settings, "CATALOGUE_PAGE_CACHE_SECONDS", DEFAULT_SECONDS))


def _sql() -> str:
    """One SELECT of the largest id of every catalogue table (its primary key index answers each)."""
    global _fingerprint_sql
    if _fingerprint_sql is None:
        quote = connection.ops.quote_name
        parts = []
        for model in apps.get_app_config("catalogue").get_models():
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            parts.append(f"(SELECT MAX({pk}) FROM {table})")
        treaty = apps.get_model("catalogue", "Treaty")._meta
        parts.append(f"(SELECT MAX({quote('updated')}) FROM {quote(treaty.db_table)})")
        _fingerprint_sql = "SELECT " + ", ".join(parts)
    return _fingerprint_sql


#: The name of the fingerprint's prepared statement on a PostgreSQL connection.
PREPARED_NAME = "catalogue_version"
#: The driver connections (psycopg) on which that statement is prepared.
_prepared: weakref.WeakSet = weakref.WeakSet()


def _fingerprint(cursor) -> tuple:
    """The fingerprint's row. On PostgreSQL a prepared statement, planned once per connection.

    Why: planning the 44 ``MAX()`` subqueries took 1.5-6 ms a request, five times their
    execution (EXPLAIN ANALYZE), and every request, cached or not, asks for the
    version. ``PREPARE`` keeps the plan for the life of the connection (persistent
    in production: ``CONN_MAX_AGE``); the statement still goes through Django's
    cursor, so query logs and counts see it.

    A connection can lose its prepared statements behind Django's back (a pooler such as
    PgBouncer handing it another server session, ``DISCARD ALL``): then the plain query
    answers, and the statement is prepared again on the next request.
    """
    if connection.vendor != "postgresql" or connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        # Behind PgBouncer in transaction mode (no session of our own) the plain query answers.
        cursor.execute(_sql())
        return cursor.fetchone()
    raw = connection.connection
    try:
        # Inside a transaction, a savepoint keeps a failure from aborting it.
        with transaction.atomic(using=connection.alias) if connection.in_atomic_block else nullcontext():
            if raw not in _prepared:
                cursor.execute(f"PREPARE {PREPARED_NAME} AS {_sql()}")
                _prepared.add(raw)
            cursor.execute(f"EXECUTE {PREPARED_NAME}")
            return cursor.fetchone()
    except DatabaseError:
        _prepared.discard(raw)
        cursor.execute(_sql())
        return cursor.fetchone()


#: The version this process read last: while the database cannot be reached, its pages are served (outage.py).
last_version: str | None = None


def catalogue_version() -> str:
    """A short fingerprint that changes whenever the catalogue does (see the module docstring)."""
    global last_version
    with connection.cursor() as cursor:
        row = _fingerprint(cursor)
    last_version = hashlib.blake2b(repr(row).encode(), digest_size=8).hexdigest()
    return last_version


def usable(request) -> bool:
    return (
        timeout() > 0
        and request.method == "GET"
        and not connection.in_atomic_block
        and not getattr(getattr(request, "user", None), "is_authenticated", False)
    )


def page_key(request, version: str) -> str:
    query = sorted((key, value) for key in request.GET for value in request.GET.getlist(key))
    raw = repr((request.path, query, getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)))
    return f"page:{version}:{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"


def facets(filterset, params, request, compute):
    """``compute(filterset)`` (the facet counts), cached by the filter state and the catalogue version.

    The key leaves out the page, its size and the sort, which do not change the
    counts: the next page or another order of a query already seen is built
    without counting again.
    """
    version = getattr(request, "catalogue_version", None)
    if version is None:
        return compute(filterset)
    state = sorted(
        (key, value) for key in params if key not in ("page", "page_size", "sort") for value in params.getlist(key)
    )
    key = f"facets:{version}:{hashlib.blake2b(repr(state).encode(), digest_size=16).hexdigest()}"
    result = cache.get(key)
    if result is None:
        result = compute(filterset, version=version)
        cache.set(key, result, timeout())
    return result


class CachedPageMixin:
    """For a public view: serve the cached rendering of this query, or render, cache and serve it."""

    def dispatch(self, request, *args, **kwargs):
        if not usable(request):
            return super().dispatch(request, *args, **kwargs)
        request.catalogue_version = catalogue_version()
        key = page_key(request, request.catalogue_version)
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200 and not response.has_header("Set-Cookie"):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(key, (response.content, response["Content-Type"]), timeout())
        return response
