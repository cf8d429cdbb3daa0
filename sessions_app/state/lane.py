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

``call`` and ``pipeline`` run commands on a lane without redis-py's per-call machinery (metrics,
retry wrapper, reply callbacks): replies come back as the server sent them (bytes, ints, lists).
``shared_lane`` gives every caller on one client the same lane, so the API's rate limit, audit row
and state write reuse one kept connection; ``call_on`` and ``pipeline_on`` use it, or redis-py where
a client has no lane.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Sequence
from contextlib import suppress
from queue import Queue
from typing import Any, TypeVar

import redis
from redis.connection import Connection

from sessions_app.state.wire import replies, reply, send, stale

try:
    from hiredis import pack_command as hiredis_pack
except ImportError:  # redis-py works without hiredis (slower); so do we
    hiredis_pack = None  # type: ignore[assignment]

PLAIN_POOLS = (redis.ConnectionPool, redis.BlockingConnectionPool)
Command = tuple[Any, ...]
T = TypeVar("T")


def pack_all(connection: Connection, commands: Sequence[Command]) -> bytes:
    """Commands in RESP, for one write. Our arguments are only str, bytes and int, so hiredis packs
    them directly, without redis-py's per-argument conversions."""
    if hiredis_pack is None:
        return b"".join(connection.pack_commands(commands))
    if len(commands) == 1:
        packed: bytes = hiredis_pack(commands[0])
        return packed
    return b"".join([hiredis_pack(command) for command in commands])


# Forks seen by this process. A lane compares it with the count when it last took a connection, instead
# of asking os.getpid() (a system call: two per call on the hot path) every time.
_forks = 0


def _forked() -> None:
    global _forks
    _forks += 1


os.register_at_fork(after_in_child=_forked)


class ConnectionLane:
    def __init__(self, pool: redis.ConnectionPool, *, keep: int = 4) -> None:
        self._pool = pool
        self._keep = keep
        self._idle: list[Connection] = []
        self._forks = _forks
        # A blocking pool's threads wait in its queue for a connection, never in the lane's list: while
        # its queue is empty (every connection out, someone may be waiting), one given back goes there.
        self._waiting_room: Queue[Connection | None] | None = (
            pool.pool if isinstance(pool, redis.BlockingConnectionPool) else None
        )

    def take(self) -> Connection:
        if self._forks != _forks:  # a forked child: the parent's sockets are not ours to use
            self._idle = []
            self._forks = _forks
        try:
            connection = self._idle.pop()
        except IndexError:
            return self._pool.get_connection()
        try:
            if stale(connection):  # closed by the server, or stray bytes: start afresh
                connection.disconnect()  # type: ignore[no-untyped-call]
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
        if self._forks != _forks or len(self._idle) >= self._keep or dry:
            self._pool.release(connection)
            return
        self._idle.append(connection)
        # Between the look above and the append, another thread may have taken the queue's last
        # connection and a third, having found this list empty, now waits in the queue, where it never
        # sees this list. So the queue is looked at again after the append: empty, it may hold a waiter
        # (or every connection is simply out), and the pool gets one back either way. A thread that
        # comes later finds the connection in the list.
        if room is not None and room.empty():
            with suppress(IndexError):  # another thread took it meanwhile; it gives it back the same way
                self._pool.release(self._idle.pop())

    def exchange(self, commands: Sequence[Command], read: Callable[[Connection], T]) -> T:
        """Sends ``commands`` in one write on a kept connection and returns what ``read`` reads back.

        ``read`` must read every reply before it raises a ``ResponseError`` (the server answered: the
        connection is fine and is kept); anything else (a timeout, a reset, an interrupt) leaves the
        connection in an unknown state, so it is disconnected before it goes back.
        """
        connection = self.take()
        try:
            send(connection, pack_all(connection, commands))
            return read(connection)
        except redis.ResponseError:
            raise
        except BaseException:
            connection.disconnect()  # type: ignore[no-untyped-call]
            raise
        finally:
            self.give_back(connection)

    def call(self, command: Command) -> Any:
        """One command and its reply; an error reply is raised as redis-py's ``ResponseError``."""
        return self.exchange((command,), reply)

    def pipeline(self, commands: Sequence[Command]) -> list[Any]:
        """Commands sent in one write, not a transaction; every reply is read before the first error
        reply is raised, so the connection stays in step."""
        return self.exchange(commands, lambda connection: read_replies(connection, len(commands)))

    def close(self) -> None:
        """Hands every kept connection back to its pool."""
        idle, self._idle = self._idle, []
        for connection in idle:
            self._pool.release(connection)


def read_replies(connection: Connection, count: int) -> list[Any]:
    """``count`` replies; every one is read before the first error reply is raised."""
    found = replies(connection, count)
    for answer in found:
        if isinstance(answer, redis.ResponseError):
            raise answer
    return found


def lane_for(client: Any) -> ConnectionLane | None:
    """A lane for a client on a plain pool; ``None`` for Cluster, Sentinel and clients pinned to one
    connection (``single_connection_client``)."""
    pool = getattr(client, "connection_pool", None)
    if not isinstance(pool, PLAIN_POOLS) or type(pool) not in PLAIN_POOLS:
        return None
    if getattr(client, "connection", None) is not None:
        return None
    return ConnectionLane(pool)


_SHARED: weakref.WeakKeyDictionary[Any, ConnectionLane | None] = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


def shared_lane(client: Any) -> ConnectionLane | None:
    """This process's one lane for ``client`` (``lane_for``, made on first use; ``None`` likewise),
    kept as long as the client lives."""
    try:
        return _SHARED[client]
    except KeyError:
        pass
    with _SHARED_LOCK:
        if client not in _SHARED:
            _SHARED[client] = lane_for(client)
        return _SHARED[client]


def call_on(client: Any, command: Command) -> Any:
    """``command`` on ``client``'s shared lane; through redis-py where it has none (Cluster, Sentinel)."""
    lane = shared_lane(client)
    return lane.call(command) if lane is not None else client.execute_command(*command)


def pipeline_on(client: Any, commands: Sequence[Command]) -> list[Any]:
    """``ConnectionLane.pipeline`` on ``client``'s shared lane; a redis-py pipeline (no MULTI) where it
    has none. Either way every command runs and the first error reply is raised."""
    lane = shared_lane(client)
    if lane is not None:
        return lane.pipeline(commands)
    pipe = client.pipeline(transaction=False)
    for command in commands:
        pipe.execute_command(*command)
    return list(pipe.execute())
