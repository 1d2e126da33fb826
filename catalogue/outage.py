"""While the database cannot be reached: a 503 with Retry-After, never a 500, and service resumes by itself.

Why: a PostgreSQL restart, a failover or a network cut makes every query fail
with ``OperationalError`` (or ``InterfaceError`` on a connection already
broken). Unhandled, each request is a 500 page with a stack trace in the log,
for what is an expected, temporary state. Here the request is answered
``503 Service Unavailable`` with ``Retry-After`` (HTML for pages, JSON for the
API and the JSON downloads), one warning line is logged, and the broken
connections are closed so that the next request connects afresh: once the
database is back, service resumes without a restart.

``DatabaseOutageMiddleware.process_exception`` handles errors raised by views
and their templates; ``server_error`` (the project's ``handler500``) handles the
rarer ones raised outside a view, in middleware.
"""

from __future__ import annotations

import contextlib
import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

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


def _answer(request, error: Exception) -> HttpResponse:
    logger.warning(
        "Database unavailable (%s) for %s %s: answered 503.", type(error).__name__, request.method, request.path
    )
    close_broken_connections()
    return unavailable(request)


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
