"""The HTTP API's audit rows: made durable in Redis before the response, chained into the database in batches.

Why: one chained database commit per API request (a serialised transaction: lock, read the chain head,
insert) cost more than the rest of an append. Here a request appends its row to a Redis list, which is
as durable as the state write it records (AOF, ``appendfsync everysec``), and the rows are chained into
the audit log in one transaction per batch (``audit.append``):

- by the request that finds ``API_AUDIT_BATCH`` rows waiting, and by any request of a process that
  has not chained the buffer for ``API_AUDIT_MAX_DELAY_SECONDS`` (so while requests come, no row
  waits much longer than that);
- by ``manage.py flush_audit_log`` and every ``archive_sessions`` pass, and before ``audit.verify_chain``
  is trusted by the bench and the tests (``flush()``).

Nothing is lost: a row leaves Redis only after its batch is committed (a guarded trim removes exactly
the rows it read, and only while they are still at the head); a batch committed but not yet trimmed
(a crash in between) is recognised by its request ids and not recorded again. When the buffer cannot
be used (the cache is not Redis, Redis is unreachable or full, or ``API_AUDIT_BATCH`` is 0), the row
is written to the database at once, as before. Rows carry no message content.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, Unpack

import orjson
import redis
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditEvent
from sessions_app.state.lane import call_on

logger = logging.getLogger(__name__)

KEY = "audit:pending"
FLUSH_BATCH = 500  # rows per flush transaction
# Removes the first `count` rows only if the first and last are still the ones the flush committed.
TRIM = """
local count = tonumber(ARGV[1])
if redis.call('LINDEX', KEYS[1], 0) == ARGV[2] and redis.call('LINDEX', KEYS[1], count - 1) == ARGV[3] then
  redis.call('LTRIM', KEYS[1], count, -1)
  return count
end
return 0
"""
_last_flush = [0.0]  # per process: when this process last chained the buffer (time.time())
FIELDS = ("actor", "role", "action", "outcome", "client_id", "session_id", "ip", "request_id", "detail")


def _buffer() -> tuple[Any, str] | None:
    """The raw Redis client behind the Django cache and the buffer's key, or None (no Redis cache)."""
    if settings.API_AUDIT_BATCH <= 0:
        return None
    from django_redis.cache import RedisCache

    cache = caches[settings.API_CACHE]
    if not isinstance(cache, RedisCache):
        return None
    return cache.client.get_client(write=True), cache.make_key(KEY)


def _encode(event: AuditEvent) -> bytes:
    data = {name: getattr(event, name) for name in FIELDS}
    data["at"] = event.at.isoformat()
    return orjson.dumps(data)


def _decode(raw: bytes) -> AuditEvent:
    data = orjson.loads(raw)
    return AuditEvent(at=datetime.fromisoformat(data.pop("at")), **data)


def record(action: str, *, actor: str, **fields: Unpack[audit.EventFields]) -> None:
    """Record an API request's audit row durably before its response goes out (see the module doc).

    Raises ``DatabaseError`` only when the row had to be written at once and could not be.
    """
    buffer = _buffer()
    if buffer is None:
        audit.record(action, actor=actor, durable=False, **fields)
        return
    client, key = buffer
    row = _encode(audit.new_event(action, actor=actor, **fields))
    try:  # on the state layer's kept connection: no pool checkout
        waiting = call_on(client, ("RPUSH", key, row))
    except redis.RedisError:  # unreachable, full or read-only: the row goes to the database itself
        logger.warning("audit buffer unavailable; audit row written directly")
        audit.record(action, actor=actor, durable=False, **fields)
        return
    if (
        waiting >= settings.API_AUDIT_BATCH
        or time.time() - _last_flush[0] > settings.API_AUDIT_MAX_DELAY_SECONDS
    ):
        _last_flush[0] = time.time()
        try:
            flush()
        except (DatabaseError, redis.RedisError):
            logger.warning("audit rows stay buffered in Redis: the flush failed and will be retried")
        except Exception:  # the row is durable in Redis: this request's answer must still go out
            logger.exception("audit rows stay buffered in Redis: a buffered row cannot be read")


def flush() -> int:
    """Chain every buffered row into the audit log; returns how many were inserted.

    Safe to run from any number of processes at once (the chain append is serialised and skips rows
    already recorded; the trim is guarded). An entry that cannot be decoded stops the flush with an
    error rather than being dropped.
    """
    buffer = _buffer()
    if buffer is None:
        return 0
    client, key = buffer
    inserted = 0
    while True:
        raws = client.lrange(key, 0, FLUSH_BATCH - 1)
        if not raws:
            return inserted
        inserted += len(audit.append([_decode(raw) for raw in raws], durable=True, skip_recorded=True))
        client.eval(TRIM, 1, key, len(raws), raws[0], raws[-1])
        if len(raws) < FLUSH_BATCH:
            return inserted


def pending() -> int:
    """Rows waiting in the buffer (0 without one)."""
    buffer = _buffer()
    if buffer is None:
        return 0
    client, key = buffer
    return int(client.llen(key))
