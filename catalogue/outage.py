"""While the database cannot be reached: a 503 with Retry-After, never a 500, and service resumes by itself.

Why: a PostgreSQL restart, a failover or a network cut makes every query fail
with ``OperationalError`` (or ``InterfaceError`` on a connection already
broken). Unhandled, each request is a 500 page with a stack trace in the log,
for what is an expected, temporary state. Here an anonymous GET of a public
page the page cache holds (at the last catalogue version this process read) is
answered with that page; any other request ``503 Service Unavailable`` with
``Retry-After`` (HTML for pages, JSON for the API and the JSON downloads). One
warning line is logged, and the broken connections are closed so that the next
request connects afresh: once the database is back, service resumes without a
restart.

``DatabaseOutageMiddleware.process_exception`` handles errors raised by views
and their templates; ``server_error`` (the project's ``handler500``) handles the
rarer ones raised outside a view, in middleware.
"""

from __future__ import annotations

import contextlib
import logging
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

from . import pagecache

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
JSON_SUFFIXES = (".json", ".jsonld")


def wants_json(request) -> bool:
    return (
        request.path.startswith("/api/")
        or request.path.endswith(JSON_SUFFIXES)
        or "application/json" in request.headers.get("Accept", "")
    )


def close_broken_connections() -> None:
    """Drop every connection of this thread, so that the next request connects again."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(Exception):  # a dead connection may fail to close; it is dropped either way
            connection.close()


def unavailable(request) -> HttpResponse:
    retry_after = str(settings.OUTAGE_RETRY_AFTER_SECONDS)
    if wants_json(request):
        response = JsonResponse(
            {
                "detail": "The catalogue's database is unavailable for a moment; please retry.",
                "retry_after": int(retry_after),
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response


def cached_page(request) -> HttpResponse | None:
    """The page cache's rendering of this request at the last version read, for an anonymous GET; else None.

    Whether the visitor is logged in is told by the session cookie alone: the
    session itself is in the database.
    """
    version = pagecache.last_version
    if request.method != "GET" or version is None or pagecache.timeout() <= 0:
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    cached = cache.get(pagecache.page_key(request, version))
    if cached is None:
        return None
    content, content_type = cached
    return HttpResponse(content, content_type=content_type)


def _answer(request, error: Exception) -> HttpResponse:
    close_broken_connections()
    response = cached_page(request)
    logger.warning(
        "Database unavailable (%s) for %s %s: answered %s.",
        type(error).__name__,
        request.method,
        request.path,
        "from the page cache" if response is not None else "503",
    )
    return response if response is not None else unavailable(request)


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return _answer(request, exception)
        return None


def server_error(request, *args, **kwargs):
    """``handler500``: a database error raised outside a view is a 503 too; anything else the usual 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return _answer(request, error)
    return defaults.server_error(request, *args, **kwargs)
