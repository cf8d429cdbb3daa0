"""Commands out and replies in on a kept connection, without redis-py's per-call layers.

Why: redis-py's ``send_packed_command`` and ``read_response`` pass every reply through five Python
frames (error wrappers, a timeout parameter swapped in and out, push-notification checks). Hot, in a
loop, that is a few µs; on the chatbot's hot path the client shares its core with Redis, whose run
between two calls evicts the client's caches, and the same Python then costs about three times as
much. Measured (callgrind, the client's instructions per call against a local Redis): an append
173,951 before and 169,845 after (2.4 % fewer), a resume of 100 messages 860,780 and 850,057 (and
824,668 once ``replies`` read its transaction's eleven replies in one call); the lane also stopped
asking the kernel for its pid twice per call. Latency moved less than the VM's noise.

``send`` and ``reply`` do what those methods do for a connection on redis-py's hiredis parser: write
the packed bytes; read from the socket into the parser's buffer until its hiredis reader has a whole
reply; raise error replies (``ResponseError``, or ``ConnectionError`` for the ones redis-py counts as
such, e.g. ``LOADING``); turn socket failures into redis-py's ``TimeoutError`` and
``ConnectionError``; keep the connection's health-check clock (a connection due for its check is sent
through redis-py, which checks it). They use three attributes of redis-py's hiredis parser (its
socket, reader and buffer) and its "not enough data" marker; where those are missing (another
redis-py, the pure-Python parser, fakeredis' connections) they call redis-py's own methods, so a
change in redis-py costs speed, never correctness (``tests/sessions_app/test_state_wire.py`` says
which path the installed redis-py takes).
"""

from __future__ import annotations

import select
import time
from typing import Any

import redis
from redis.connection import Connection

HIREDIS_PARSER: type | None
try:
    from redis._parsers.hiredis import NOT_ENOUGH_DATA
    from redis._parsers.hiredis import _HiredisParser as HIREDIS_PARSER
except ImportError:  # another redis-py layout: everything goes through redis-py's methods
    NOT_ENOUGH_DATA = None
    HIREDIS_PARSER = None

CLOSED = "Connection closed by server."
_SEND = Connection.send_packed_command
_READ = Connection.read_response


def direct_parser(connection: Connection) -> Any:
    """The connection's hiredis parser when its socket, reader and buffer can be used directly: not
    for a connection class that overrides redis-py's send or read (a test counting round trips, a
    subclass with its own framing), whose methods are then called."""
    parser = getattr(connection, "_parser", None)
    if HIREDIS_PARSER is None or type(parser) is not HIREDIS_PARSER:
        return None
    kind = type(connection)
    if kind.send_packed_command is not _SEND or kind.read_response is not _READ:
        return None
    if (
        getattr(parser, "_sock", None) is None
        or getattr(parser, "_reader", None) is None
        or not isinstance(getattr(parser, "_buffer", None), bytearray)
    ):
        return None
    return parser


def send(connection: Connection, packed: bytes) -> None:
    """Writes ``packed`` (commands already in RESP) to the connection."""
    parser = direct_parser(connection)
    interval = connection.health_check_interval
    if parser is None or (interval and time.monotonic() > connection.next_health_check):
        connection.send_packed_command([packed])  # type: ignore[no-untyped-call]
        return
    try:
        parser._sock.sendall(packed)
    except TimeoutError:  # socket.timeout
        raise redis.TimeoutError("Timeout writing to socket") from None
    except OSError as exc:
        raise redis.ConnectionError(f"Error while writing to socket: {exc.args}") from None


def reply(connection: Connection) -> Any:
    """The next reply; an error reply is raised. A RESP3 push notification (client tracking, a
    maintenance notice) that arrives first goes to redis-py's handler, as ``read_response`` does."""
    parser = direct_parser(connection)
    if parser is None:
        return connection.read_response()
    response = _next(parser)
    _answered(connection)
    return _unless_error(response)


def replies(connection: Connection, count: int) -> list[Any]:
    """The next ``count`` replies, all read before anything is raised, so the connection stays in
    step: an error reply stands in the list as its ``ResponseError`` (the caller decides), and one
    redis-py counts as a lost connection (``LOADING``) is raised once all are read. For a
    transaction's replies (``MULTI``, a ``QUEUED`` per command, ``EXEC``) one call instead of one
    per reply saves the per-reply checks."""
    parser = direct_parser(connection)
    if parser is None:
        found: list[Any] = []
        for _ in range(count):
            try:
                found.append(connection.read_response())
            except redis.ResponseError as exc:
                found.append(exc)
        return found
    found = [_next(parser) for _ in range(count)]
    _answered(connection)
    for response in found:
        if not isinstance(response, redis.ResponseError):
            _unless_error(response)
    return found


def _next(parser: Any) -> Any:
    """The next reply as the hiredis reader gives it, after any push notifications."""
    reader = parser._reader
    push = getattr(parser, "_hiredis_PushNotificationType", None)
    while True:
        response = reader.gets()
        while response is NOT_ENOUGH_DATA:
            buffer = parser._buffer
            try:
                count = parser._sock.recv_into(buffer)
            except TimeoutError:  # socket.timeout
                raise redis.TimeoutError("Timeout reading from socket") from None
            except OSError as exc:
                raise redis.ConnectionError(f"Error while reading from socket: {exc.args}") from None
            if count == 0:
                raise redis.ConnectionError(CLOSED)
            reader.feed(buffer, 0, count)
            response = reader.gets()
        if push is None or not isinstance(response, push):
            return response
        parser.handle_push_response(response)


def _answered(connection: Connection) -> None:
    """The server answered: the connection's next health check moves, as redis-py moves it."""
    interval = connection.health_check_interval
    if interval:
        connection.next_health_check = time.monotonic() + interval  # type: ignore[assignment]


def _unless_error(response: Any) -> Any:
    """``response``, or its error raised as redis-py's hiredis parser raises it."""
    if isinstance(response, (redis.ResponseError, redis.ConnectionError)):
        raise response
    if isinstance(response, list) and response and isinstance(response[0], redis.ConnectionError):
        raise response[0]
    return response


def stale(connection: Connection) -> bool:
    """Whether an idle connection must be reconnected before use: it holds unread bytes, or it is
    readable (the server closed it, or stray bytes arrived). ``Connection.can_read`` in one poll."""
    parser = direct_parser(connection)
    if parser is None:
        try:
            return bool(connection.can_read())
        except (redis.ConnectionError, OSError):  # it found the socket closed
            return True
    if parser._reader.has_data():
        return True
    readable, _, _ = select.select([parser._sock], [], [], 0)
    return bool(readable)
