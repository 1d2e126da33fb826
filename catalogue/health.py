"""``/healthz`` and ``/readyz`` for load balancers and orchestrators: JSON, fast, no authentication.

Why: a load balancer must know which application servers to send requests to.
``/healthz`` answers that the process is up (it touches nothing else);
``/readyz`` whether it can serve: the primary database answers, the migrations
this code needs are applied (both required: 503 otherwise), and, for the
operator, each replica's replay lag in seconds and whether the cache answers
(a replica or cache that is down degrades service but does not stop it:
requests fall back to the primary, pages go uncached).

They are answered by a middleware placed first, before the host name is checked
or HTTPS enforced, since a balancer calls them by address over plain HTTP. The
bodies name databases by their alias ("default", "replica1"), never by host,
port, user or password, and error kinds by class name, never their message
(which may carry a host name).
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

from .replicas import replicas

PATHS = ("/healthz", "/readyz")

LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN NULL
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
    END
"""
#: ``lag_seconds`` is null while a replica that has just started has not yet connected to the primary.

_migrations_applied = False


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _primary() -> dict:
    start = time.perf_counter()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": _ms(start)}


def _replica(alias: str) -> dict:
    start = time.perf_counter()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError as error:
        connections[alias].close()
        return {"name": alias, "ok": False, "error": type(error).__name__}
    return {"name": alias, "ok": True, "lag_seconds": None if lag is None else round(float(lag), 3), "ms": _ms(start)}


def _migrations() -> dict:
    """Whether every migration of this code is applied; once seen applied, not asked again by this process."""
    global _migrations_applied
    if not _migrations_applied:
        try:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            return {"ok": False, "error": type(error).__name__}
        if pending:
            return {"ok": False, "pending": len(pending)}
        _migrations_applied = True
    return {"ok": True}


def _cache() -> dict:
    start = time.perf_counter()
    reachable = getattr(cache, "reachable", None)
    backend = "redis" if reachable is not None else type(cache).__name__
    try:
        if reachable is not None:
            ok = reachable()
        else:
            cache.get("readyz")  # an in-process cache: answering is being reachable
            ok = True
    except Exception as error:  # noqa: BLE001 - any failure of the cache is "not reachable"
        return {"backend": backend, "ok": False, "error": type(error).__name__}
    return {"backend": backend, "ok": bool(ok), "ms": _ms(start)}


def healthz(request) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request) -> JsonResponse:
    primary = _primary()
    migrations = _migrations() if primary["ok"] else {"ok": False}
    replica_states = [_replica(alias) for alias in replicas()]
    cache_state = _cache()
    ready = primary["ok"] and migrations["ok"]
    degraded = not cache_state["ok"] or not all(state["ok"] for state in replica_states)
    body = {
        "status": "unready" if not ready else "degraded" if degraded else "ok",
        "primary": primary,
        "migrations": migrations,
        "replicas": replica_states,
        "cache": cache_state,
    }
    return JsonResponse(body, status=200 if ready else 503)


class HealthMiddleware:
    """Answers the two health paths itself; every other request goes on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in PATHS and request.method in ("GET", "HEAD"):
            response = healthz(request) if request.path_info == "/healthz" else readyz(request)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
