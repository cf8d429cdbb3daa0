"""A few connections kept out of a redis-py pool between the state layer's calls.

Why: redis-py 8's ``get_connection`` and ``release`` (a queue with its locks, observability hooks,
a liveness poll) cost about 11 µs per call on our VMs, a tenth of a pinned append. The lane keeps
up to ``keep`` connections borrowed from the pool in a plain list (``pop`` and ``append`` are atomic,
so threads share it without a lock) and checks them as the pool would: an idle connection that is
readable was closed by the server (a restart) or holds stray bytes, so it is reconnected before use.
The lane never starves a pool's waiting threads: it keeps a connection only while the pool has others.

Only plain pools get a lane (``lane_for``): Sentinel's pool decides at checkout which server a
connection talks to, and Redis Cluster has a pool per node, so both keep redis-py's own path.
Connections stay counted as in use by their pool, and a pool's ``disconnect()`` still closes them
(the lane reconnects on next use). After a fork the child drops the parent's connections unused.
"""

from __future__ import annotations

import os
from queue import Queue
from typing import Any

import redis
from redis.connection import Connection

PLAIN_POOLS = (redis.ConnectionPool, redis.BlockingConnectionPool)


class ConnectionLane:
    def __init__(self, pool: redis.ConnectionPool, *, keep: int = 4) -> None:
        self._pool = pool
        self._keep = keep
        self._idle: list[Connection] = []
        self._pid = os.getpid()
        # A blocking pool's threads wait in its queue for a connection, never in the lane's list: while
        # its queue is empty (every connection out, someone may be waiting), one given back goes there.
        self._waiting_room: Queue[Connection | None] | None = (
            pool.pool if isinstance(pool, redis.BlockingConnectionPool) else None
        )

    def take(self) -> Connection:
        if self._pid != os.getpid():  # a forked child: the parent's sockets are not ours to use
            self._idle = []
            self._pid = os.getpid()
        try:
            connection = self._idle.pop()
        except IndexError:
            return self._pool.get_connection()
        try:
            if connection.can_read():
                raise redis.ConnectionError("an idle connection has data: the server closed it")
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            connection.disconnect()  # type: ignore[no-untyped-call]
        try:
            connection.connect()  # type: ignore[no-untyped-call]  # a no-op when connected
        except BaseException:
            self._pool.release(connection)
            raise
        return connection

    def give_back(self, connection: Connection) -> None:
        """Only a connection whose replies were all read comes back here; others are disconnected first."""
        room = self._waiting_room
        dry = room is not None and room.empty()
        if self._pid == os.getpid() and len(self._idle) < self._keep and not dry:
            self._idle.append(connection)
        else:
            self._pool.release(connection)

    def close(self) -> None:
        """Hands every kept connection back to its pool."""
        idle, self._idle = self._idle, []
        for connection in idle:
            self._pool.release(connection)


def lane_for(client: Any) -> ConnectionLane | None:
    """A lane for a client on a plain pool; ``None`` for Cluster, Sentinel and clients pinned to one
    connection (``single_connection_client``)."""
    pool = getattr(client, "connection_pool", None)
    if not isinstance(pool, PLAIN_POOLS) or type(pool) not in PLAIN_POOLS:
        return None
    if getattr(client, "connection", None) is not None:
        return None
    return ConnectionLane(pool)
