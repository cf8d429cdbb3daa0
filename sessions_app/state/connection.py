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
from django_redis.pool import ConnectionFactory
from redis.backoff import NoBackoff
from redis.retry import Retry

from sessions_app.errors import StateNotConfigured, StateReadOnly, StateStorageFull, StateUnavailable

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


class DjangoRedisConnectionFactory(ConnectionFactory):  # type: ignore[misc]
    """django-redis's pools with our timeouts and retry policy, so the Django cache and the state layer
    share one connection configured in one place (settings name this class by its dotted path)."""

    def get_connection_pool(self, params: dict[str, Any]) -> redis.ConnectionPool:
        from django.conf import settings

        own = connection_kwargs(
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT, connect_timeout=settings.REDIS_CONNECT_TIMEOUT
        )
        pool: redis.ConnectionPool = super().get_connection_pool({**params, **own})
        return pool


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


def _host_port(node: str) -> tuple[str, int]:
    host, _, port = node.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"expected host:port, not {node!r}")
    return host, int(port)


def cluster_client(
    nodes: list[str], *, socket_timeout: float, connect_timeout: float, password: str | None = None
) -> Any:
    """A Redis Cluster client. Every key of a user shares the ``{user_id}`` hash tag, so each
    script and snapshot touches one slot; MOVED/ASK redirections are followed by redis-py."""
    from redis.cluster import ClusterNode, RedisCluster

    return RedisCluster(
        startup_nodes=[ClusterNode(*_host_port(node)) for node in nodes],  # type: ignore[no-untyped-call]
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
        password=password,
        # MOVED/ASK redirections are followed regardless; connection errors are not retried
        # blindly (a write may have been applied): the caller sees StateUnavailable.
        retry=Retry(NoBackoff(), 0),
    )


def sentinel_client(
    sentinels: list[str],
    master: str,
    *,
    socket_timeout: float,
    connect_timeout: float,
    password: str | None = None,
    db: int = 0,
) -> redis.Redis:
    """The current primary of a Sentinel-managed Redis; after a failover the pool asks the
    sentinels again, so the app follows the new primary without a restart."""
    from redis.sentinel import Sentinel

    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        [_host_port(node) for node in sentinels],
        socket_timeout=connect_timeout,
        sentinel_kwargs={"socket_timeout": connect_timeout, "socket_connect_timeout": connect_timeout},
    )
    client: redis.Redis = sentinel.master_for(  # type: ignore[no-untyped-call]
        master,
        db=db,
        password=password,
        **connection_kwargs(socket_timeout=socket_timeout, connect_timeout=connect_timeout),
    )
    return client


_shared: dict[str, Any] = {}


def get_redis() -> redis.Redis:
    """The Django process's Redis client for live state.

    Single server: django-redis's connection, so one setting configures the cache and the state layer;
    ``StateNotConfigured`` when there is none.
    Cluster (``REDIS_CLUSTER_NODES``) or Sentinel (``REDIS_SENTINELS``): a client built here once.
    """
    from django.conf import settings

    if settings.REDIS_CLUSTER_NODES or settings.REDIS_SENTINELS:
        if "client" not in _shared:
            socket_timeout: float = settings.REDIS_SOCKET_TIMEOUT
            connect_timeout: float = settings.REDIS_CONNECT_TIMEOUT
            password: str | None = settings.REDIS_PASSWORD or None
            if settings.REDIS_CLUSTER_NODES:
                _shared["client"] = cluster_client(
                    settings.REDIS_CLUSTER_NODES,
                    socket_timeout=socket_timeout,
                    connect_timeout=connect_timeout,
                    password=password,
                )
            else:
                _shared["client"] = sentinel_client(
                    settings.REDIS_SENTINELS,
                    settings.REDIS_SENTINEL_MASTER,
                    socket_timeout=socket_timeout,
                    connect_timeout=connect_timeout,
                    password=password,
                )
        client: redis.Redis = _shared["client"]
        return client

    from django.core.cache import caches
    from django_redis import get_redis_connection
    from django_redis.cache import RedisCache

    if not isinstance(caches["default"], RedisCache):
        # No REDIS_URL: never guess a server (someone else's data may live on the usual port).
        raise StateNotConfigured
    direct: redis.Redis = get_redis_connection("default")
    return direct


@contextmanager
def translate_errors(action: str) -> Iterator[None]:
    """Turn redis-py's errors into the state layer's typed errors, at this seam only."""
    try:
        yield
    except (
        redis.ConnectionError,
        redis.TimeoutError,
        redis.exceptions.ClusterDownError,
        redis.exceptions.ClusterError,
        redis.exceptions.TryAgainError,
    ) as exc:
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
