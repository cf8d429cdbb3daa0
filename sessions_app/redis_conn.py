"""The one seam between the product and Redis: the client, its timeouts, and error translation.

redis-py 8's defaults (10 retries with backoff, 5 s timeouts) take seconds to fail and may repeat a
write that the server had already applied. We configure short timeouts and no automatic retries;
reads that are safe to repeat are retried once by ``read_with_retry``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from sessions_app.errors import StateReadOnly, StateStorageFull, StateUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")


def connection_kwargs(*, socket_timeout: float, connect_timeout: float) -> dict[str, Any]:
    """Client settings shared by the Django cache (django-redis) and standalone clients."""
    return {
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": connect_timeout,
        "retry": Retry(NoBackoff(), 0),
        "retry_on_error": [],
        "health_check_interval": 15,
    }


def client_from_url(
    url: str, *, socket_timeout: float = 1.0, connect_timeout: float = 0.5, max_connections: int = 50
) -> redis.Redis:
    """A standalone client (bench, tests, commands run outside Django)."""
    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=connect_timeout,
        **connection_kwargs(socket_timeout=socket_timeout, connect_timeout=connect_timeout),
    )
    return redis.Redis(connection_pool=pool)


def get_redis() -> redis.Redis:
    """The Django process's Redis client, shared with the cache through django-redis."""
    from django_redis import get_redis_connection

    client: redis.Redis = get_redis_connection("default")
    return client


@contextmanager
def translate_errors(action: str) -> Iterator[None]:
    """Turn redis-py's errors into the state layer's typed errors, at this seam only."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        # Connection-pool exhaustion is a ConnectionError too: it means "busy", not "broken".
        logger.warning("redis unavailable during %s: %s", action, type(exc).__name__)
        raise StateUnavailable(
            "live records are temporarily unavailable (Redis did not answer); "
            "a write may or may not have been applied: read back before retrying"
        ) from exc
    except redis.ResponseError as exc:
        message = str(exc)
        if isinstance(exc, redis.exceptions.OutOfMemoryError) or message.startswith("OOM"):
            logger.error("redis refused %s: out of memory (maxmemory reached)", action)
            raise StateStorageFull(
                "live storage is full (Redis maxmemory reached); nothing was written"
            ) from exc
        if isinstance(exc, redis.exceptions.ReadOnlyError) or message.startswith(("READONLY", "MISCONF")):
            logger.error("redis refused %s: read-only or persistence error", action)
            raise StateReadOnly(
                "live storage is refusing writes (read-only replica or disk problem); nothing was written"
            ) from exc
        raise


def read_with_retry(action: str, read: Callable[[], T], *, attempts: int = 2) -> T:
    """Run a read; repeat it once on a connection error. Reads change nothing, so a repeat is safe."""
    for attempt in range(1, attempts + 1):
        try:
            with translate_errors(action):
                return read()
        except StateUnavailable as exc:
            # A timeout already spent the budget; only a refused/reset connection is worth a retry.
            if attempt == attempts or isinstance(exc.__cause__, redis.TimeoutError):
                raise
    raise AssertionError("unreachable")
