"""Public reads from PostgreSQL streaming replicas; the admin, imports and every write on the primary.

Why: public reading load (pages, the API, OAI-PMH, exports) grows with every
citation of the catalogue, while a few curators write. Streaming replicas
(``DATABASE_REPLICA_URLS``) carry the reads; the primary keeps the writes and
everything a curator must see at once.

The choice is made once per request, by ``ReplicaMiddleware``, and holds for
every query of that request (a context variable read by ``ReplicaRouter``):

* a safe request (GET, HEAD, OPTIONS) outside ``/admin/`` reads the catalogue
  from a replica, unless its browser wrote within ``REPLICA_PIN_SECONDS``: every
  unsafe request (a save in the admin, a login) sets a short signed cookie that
  pins the next requests to the primary, so a curator never reads a replica
  that has not yet replayed their own change (read-your-writes);
* everything else (the admin, unsafe requests, management commands and
  imports, which run outside any request) uses the primary.

Only the catalogue's models go to a replica. Sessions, users, permissions and
login throttling always read the primary: a session written at login must be
found by the very next request.

Because every query of a request, the catalogue version included
(``pagecache.catalogue_version`` reads through ``read_connection``), goes to one
server, a replica that lags serves a slightly older catalogue whose counts agree
with its rows, labelled with its own, older, version.

A replica that cannot be reached, or fails during a request, is left out for
``REPLICA_RETRY_SECONDS`` with a warning in the log, and the request is answered
from the primary.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import random
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

PIN_COOKIE = "read_primary"
PIN_SALT = "catalogue.replicas.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Apps whose models a replica may serve; every other app (sessions, auth, axes...) reads the primary.
REPLICATED_APPS = frozenset({"catalogue"})

_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("catalogue_read_alias", default=None)
_down_until: dict[str, float] = {}
_down_lock = threading.Lock()


def replicas() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def read_alias() -> str:
    """The database this request reads the catalogue from (the primary outside a request)."""
    return _read_alias.get() or DEFAULT_DB_ALIAS


class ReadConnection:
    """``django.db.connection``, but of the database this request reads the catalogue from.

    For code that reads the catalogue with raw SQL (the catalogue version, the
    facet index), so that it asks the same server as the ORM's queries.
    """

    def __getattr__(self, name):
        return getattr(connections[read_alias()], name)


read_connection = ReadConnection()


class ReplicaRouter:
    """Reads of the catalogue go where ``ReplicaMiddleware`` chose; all else, and every write, to the primary."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in REPLICATED_APPS:
            return read_alias()
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # a replica replays the primary's schema


def mark_down(alias: str, error: Exception) -> None:
    with _down_lock:
        if _down_until.get(alias, 0) > time.monotonic():
            return
        _down_until[alias] = time.monotonic() + settings.REPLICA_RETRY_SECONDS
    logger.warning(
        "Database replica %s is unreachable (%s); reading from the primary for %s s.",
        alias,
        type(error).__name__,
        settings.REPLICA_RETRY_SECONDS,
    )
    with contextlib.suppress(Exception):  # a broken connection may fail to close; it is dropped either way
        connections[alias].close()


def is_down(alias: str) -> bool:
    return _down_until.get(alias, 0) > time.monotonic()


def reachable(alias: str) -> bool:
    """Whether ``alias`` answers: connects if need be (a persistent connection is health-checked)."""
    if is_down(alias):
        return False
    connection = connections[alias]
    try:
        if connection.connection is not None and connection.health_check_enabled and not connection.health_check_done:
            # A persistent connection is asked SELECT 1 once a request (CONN_HEALTH_CHECKS): behind
            # PgBouncer it is the server behind it that fails to answer, so a failure means the replica.
            if not connection.is_usable():
                raise OperationalError("the replica did not answer its health check")
            connection.health_check_done = True
        connection.ensure_connection()
    except (OperationalError, InterfaceError) as error:
        mark_down(alias, error)
        return False
    return True


def pinned(request) -> bool:
    return (
        request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS)
        is not None
    )


def choose(request) -> str:
    candidates = replicas()
    if not candidates or request.method not in SAFE_METHODS or request.path.startswith("/admin/") or pinned(request):
        return DEFAULT_DB_ALIAS
    for alias in random.sample(candidates, len(candidates)):
        if reachable(alias):
            return alias
    return DEFAULT_DB_ALIAS


def _reading(alias: str, content):
    iterator = iter(content)
    while True:
        token = _read_alias.set(alias)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _read_alias.reset(token)
        yield chunk


class ReplicaMiddleware:
    """Picks the database a request reads from; pins a browser that writes to the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.read_alias = choose(request)
        token = _read_alias.set(request.read_alias)
        try:
            response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        if response.streaming and not response.is_async and request.read_alias != DEFAULT_DB_ALIAS:
            # A streamed export reads its rows after this returns: on the same database.
            response.streaming_content = _reading(request.read_alias, response.streaming_content)
        if replicas() and request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_exception(self, request, exception):
        """A replica that fails mid-request: answer the request again from the primary."""
        alias = getattr(request, "read_alias", DEFAULT_DB_ALIAS)
        if alias == DEFAULT_DB_ALIAS or not isinstance(exception, OperationalError | InterfaceError):
            return None
        mark_down(alias, exception)
        request.read_alias = DEFAULT_DB_ALIAS
        _read_alias.set(DEFAULT_DB_ALIAS)  # reset by __call__'s token when the request ends
        return self.get_response(request)
