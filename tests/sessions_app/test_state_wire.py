"""Commands and replies read straight from the socket (sessions_app/state/wire.py) against a real
Redis: the installed redis-py takes the direct path, and it answers, fails and keeps the connection in
step exactly as redis-py's own methods do, which connection classes that override them still get."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from hiredis import pack_command
from redis.connection import Connection

from sessions_app.state import wire
from sessions_app.state.connection import client_from_url

pytestmark = pytest.mark.real_redis


class OwnMethods(Connection):
    """A connection class with its own send and read (as a test counting round trips has)."""

    sends = 0

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        type(self).sends += 1
        super().send_packed_command(command, check_health)  # type: ignore[no-untyped-call]


@pytest.fixture(params=["direct", "redis-py"])
def connection(
    request: pytest.FixtureRequest, real_redis_url: str, real_redis: redis.Redis
) -> Iterator[Connection]:
    """A connected connection, once on the direct path and once through redis-py's methods."""
    kind = Connection if request.param == "direct" else OwnMethods
    pool = redis.ConnectionPool.from_url(real_redis_url, connection_class=kind, socket_timeout=0.5)
    conn = pool.get_connection()
    assert (wire.direct_parser(conn) is not None) == (request.param == "direct")
    yield conn
    pool.disconnect()


def _send(conn: Connection, *commands: tuple[Any, ...]) -> None:
    wire.send(conn, b"".join(pack_command(command) for command in commands))


def _ask(conn: Connection, *commands: tuple[Any, ...]) -> list[Any]:
    _send(conn, *commands)
    replies: list[Any] = []
    for _ in commands:
        try:
            replies.append(wire.reply(conn))
        except redis.ResponseError as exc:
            replies.append(exc)
    return replies


def test_the_installed_redis_py_takes_the_direct_path(real_redis_url: str) -> None:
    client = client_from_url(real_redis_url)
    conn = client.connection_pool.get_connection()
    try:
        assert wire.direct_parser(conn) is not None  # else the lane silently loses its speed
    finally:
        client.connection_pool.release(conn)
        client.close()


def test_a_connection_class_with_its_own_methods_gets_them_called(connection: Connection) -> None:
    before = OwnMethods.sends
    assert _ask(connection, ("PING",)) == [b"PONG"]
    assert OwnMethods.sends == before + (isinstance(connection, OwnMethods))


def test_replies_of_every_shape_come_back_as_redis_sent_them(connection: Connection) -> None:
    big = b"x" * 200_000  # larger than the parser's buffer: read in several pieces
    replies = _ask(
        connection,
        ("SET", "wire:s", big),
        ("GET", "wire:s"),
        ("GET", "wire:none"),
        ("RPUSH", "wire:l", "a", "b"),
        ("LRANGE", "wire:l", 0, -1),
        ("HSET", "wire:h", "f", "v"),
        ("MULTI",),
        ("HGETALL", "wire:h"),
        ("LLEN", "wire:l"),
        ("EXEC",),
    )
    hash_reply, length = replies.pop()
    assert replies == [b"OK", big, None, 2, [b"a", b"b"], 1, b"OK", b"QUEUED", b"QUEUED"]
    # A hash is a map in RESP3 and a flat array in RESP2: as the connection's protocol has it.
    assert hash_reply == ({b"f": b"v"} if str(connection.protocol) == "3" else [b"f", b"v"])
    assert length == 2


def test_an_error_reply_is_raised_and_the_connection_stays_in_step(connection: Connection) -> None:
    replies = _ask(connection, ("SET", "wire:k", "v"), ("LPUSH", "wire:k", "x"), ("GET", "wire:k"))
    assert replies[0] == b"OK"
    assert isinstance(replies[1], redis.ResponseError)
    assert "WRONGTYPE" in str(replies[1])
    assert replies[2] == b"v"
    with pytest.raises(redis.exceptions.NoScriptError):  # redis-py's error classes come through
        _ask_raising(connection, ("EVALSHA", "0" * 40, 0))
    assert _ask(connection, ("PING",)) == [b"PONG"]


def _ask_raising(conn: Connection, command: tuple[Any, ...]) -> Any:
    wire.send(conn, pack_command(command))
    return wire.reply(conn)


def test_many_replies_are_read_in_one_call_with_errors_in_their_place(connection: Connection) -> None:
    _send(connection, ("SET", "wire:n", "5"), ("INCR", "wire:no-such-list-op", "x"), ("INCR", "wire:n"))
    stored, refused, counted = wire.replies(connection, 3)
    assert stored == b"OK"
    assert isinstance(refused, redis.ResponseError)
    assert "wrong number of arguments" in str(refused)
    assert counted == 6
    assert _ask(connection, ("PING",)) == [b"PONG"]  # nothing left unread


def test_a_reply_redis_py_counts_as_a_lost_connection_is_raised_after_the_rest_is_read(
    connection: Connection,
) -> None:
    loading = ("EVAL", "return redis.error_reply('LOADING Redis is loading the dataset in memory')", "0")
    _send(connection, loading, ("SET", "wire:after", "1"), ("PING",))
    with pytest.raises(redis.exceptions.BusyLoadingError):
        wire.replies(connection, 3)
    if wire.direct_parser(connection) is not None:  # redis-py's own method raises at once, unread
        assert _ask(connection, ("GET", "wire:after")) == [b"1"]


def test_a_connection_the_server_closed_fails_as_a_connection_error(
    connection: Connection, real_redis: redis.Redis
) -> None:
    assert not wire.stale(connection)
    real_redis.client_kill_filter(_type="normal", skipme=True)
    deadline = time.monotonic() + 5
    while not wire.stale(connection) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert wire.stale(connection)  # an idle connection the server closed is seen before use
    with pytest.raises(redis.ConnectionError):
        _ask_raising(connection, ("PING",))


def test_a_reply_that_does_not_come_in_time_is_a_timeout(connection: Connection) -> None:
    with pytest.raises(redis.TimeoutError):  # socket_timeout 0.5 s
        _ask_raising(connection, ("BLPOP", "wire:never", 2))


def test_stray_bytes_make_an_idle_connection_stale(connection: Connection) -> None:
    wire.send(connection, pack_command(("PING",)))  # a reply nobody read
    deadline = time.monotonic() + 5
    while not wire.stale(connection) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert wire.stale(connection)


def test_a_connection_due_for_its_health_check_is_sent_through_redis_py(real_redis_url: str) -> None:
    pool = redis.ConnectionPool.from_url(real_redis_url, health_check_interval=15)
    conn = pool.get_connection()
    checks: list[bool] = []
    real_check = conn.check_health

    def check_health() -> None:
        checks.append(True)
        real_check()  # type: ignore[no-untyped-call]

    conn.check_health = check_health  # type: ignore[method-assign]
    conn.next_health_check = 0  # due
    assert _ask(conn, ("PING",)) == [b"PONG"]
    assert checks == [True]
    assert conn.next_health_check > time.monotonic()
    before = conn.next_health_check
    time.sleep(0.02)
    assert _ask(conn, ("PING",)) == [b"PONG"]
    assert checks == [True]  # not due again
    assert conn.next_health_check > before  # every reply moves the clock, as redis-py's do
    pool.disconnect()


def test_replies_read_by_two_threads_on_their_own_connections_never_cross(real_redis_url: str) -> None:
    pool = redis.ConnectionPool.from_url(real_redis_url)
    wrong: list[str] = []

    def work(name: str) -> None:
        conn = pool.get_connection()
        try:
            for i in range(300):
                value = f"{name}-{i}"
                if _ask(conn, ("ECHO", value)) != [value.encode()]:
                    wrong.append(value)
        finally:
            pool.release(conn)

    threads = [threading.Thread(target=work, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    pool.disconnect()


def test_a_push_notification_before_a_reply_is_handed_to_redis_py_and_skipped(
    connection: Connection, real_redis: redis.Redis
) -> None:
    if str(connection.protocol) != "3":
        pytest.skip("push notifications need RESP3")
    seen: list[Any] = []
    connection._parser.set_invalidation_push_handler(seen.append)
    assert _ask(connection, ("CLIENT", "TRACKING", "ON"), ("GET", "wire:tracked")) == [b"OK", None]
    real_redis.set("wire:tracked", "changed")  # the server pushes an invalidation to `connection`
    deadline = time.monotonic() + 5
    while not wire.stale(connection) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _ask(connection, ("ECHO", "after")) == [b"after"]  # not the push
    assert len(seen) == 1
    assert seen[0][0] in (b"invalidate", "invalidate")
