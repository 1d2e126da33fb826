"""A Redis cache that a Redis outage turns into a cache that keeps nothing, never into an error.

Why: with ``REDIS_URL`` every application server shares the rendered pages and
facet counts in Redis, but a cache is an optimisation: when Redis is down, slow
or restarting, pages must still be served, only uncached. Django's
``RedisCache`` raises on a connection error, so each operation here catches
Redis's errors and answers as a cache miss (reads) or does nothing (writes).
After a failure Redis is left alone for ``RETRY_SECONDS`` (no request waits on
a dead server meanwhile), with one warning in the log per outage rather than
one per request.
"""

from __future__ import annotations

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 2.0


def _tolerant(default):
    """Run the cache operation unless Redis is known to be down; on a Redis error answer ``default``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if self._down_until > time.monotonic():
                return default(args, kwargs)
            try:
                result = method(self, *args, **kwargs)
            except RedisError as error:
                self._failed(error)
                return default(args, kwargs)
            if self._down_until:
                self._recovered()
            return result

        return wrapper

    return decorate


def _none(args, kwargs):
    return None


def _false(args, kwargs):
    return False


def _empty(args, kwargs):
    return {}


def _get_default(args, kwargs):
    return kwargs.get("default", args[1] if len(args) > 1 else None)


def _incr_default(args, kwargs):
    raise ValueError("The cache is unavailable: the key cannot be incremented.")


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _failed(self, error: Exception) -> None:
        with self._lock:
            first = not self._down_until
            self._down_until = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning("The Redis cache is unreachable (%s); pages are served uncached.", type(error).__name__)

    def _recovered(self) -> None:
        with self._lock:
            was_down, self._down_until = bool(self._down_until), 0.0
        if was_down:
            logger.warning("The Redis cache answers again.")

    def reachable(self) -> bool:
        """Whether Redis answers a PING now (the readiness check's question), whatever the last failure."""
        try:
            return bool(self._cache.get_client(write=False).ping())
        except RedisError:
            return False

    get = _tolerant(_get_default)(RedisCache.get)
    get_many = _tolerant(_empty)(RedisCache.get_many)
    has_key = _tolerant(_false)(RedisCache.has_key)
    add = _tolerant(_false)(RedisCache.add)
    set = _tolerant(_none)(RedisCache.set)
    set_many = _tolerant(lambda args, kwargs: list(args[0] if args else kwargs["data"]))(RedisCache.set_many)
    touch = _tolerant(_false)(RedisCache.touch)
    delete = _tolerant(_false)(RedisCache.delete)
    delete_many = _tolerant(_none)(RedisCache.delete_many)
    clear = _tolerant(_false)(RedisCache.clear)
    incr = _tolerant(_incr_default)(RedisCache.incr)
