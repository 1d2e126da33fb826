"""Start-up checks of the scale-out configuration (``manage.py check``, run by ``runserver`` and deployments).

Why: a malformed ``DATABASE_REPLICA_URLS`` or ``REDIS_URL``, or a replica or
Redis that cannot be reached, must be a clear message naming the variable when
the site is deployed, not a stack trace at the first request. Messages name the
variable and the entry, never the URL (it may carry a password).

An unreachable replica or Redis is a warning, not an error: the site runs
without them (reads fall back to the primary, pages go uncached).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.checks import Error, Warning, register
from django.db import DatabaseError, connections

from .replicas import replicas


@register()
def configuration_errors(app_configs=None, **kwargs):
    return [
        Error(message, hint="See README.md, Configuration.", id="catalogue.E101")
        for message in getattr(settings, "CONFIGURATION_ERRORS", [])
    ]


@register()
def replicas_reachable(app_configs=None, **kwargs):
    problems = []
    for alias in replicas():
        entry = alias.removeprefix("replica")
        connection = connections[alias]
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                (in_recovery,) = cursor.fetchone()
        except DatabaseError as error:
            problems.append(
                Warning(
                    f"DATABASE_REPLICA_URLS: entry {entry} ({alias}) cannot be reached ({type(error).__name__}).",
                    hint="Public pages read from the primary until it answers.",
                    id="catalogue.W102",
                )
            )
            continue
        finally:
            connection.close()
        if not in_recovery:
            problems.append(
                Warning(
                    f"DATABASE_REPLICA_URLS: entry {entry} ({alias}) is not a standby server (it accepts writes).",
                    hint="A replica is a streaming standby of DATABASE_URL (pg_basebackup -R).",
                    id="catalogue.W103",
                )
            )
    return problems


@register()
def cache_reachable(app_configs=None, **kwargs):
    reachable = getattr(cache, "reachable", None)
    if reachable is None or reachable():
        return []
    return [
        Warning(
            "REDIS_URL: the Redis cache cannot be reached.",
            hint="Pages are served uncached until it answers.",
            id="catalogue.W104",
        )
    ]
