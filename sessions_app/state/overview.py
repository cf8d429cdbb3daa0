"""Live sessions of some clients as light summaries for lists and inboxes, in one round trip.

Only the given clients' per-user indexes are read (never the global index), with only the listed
fields of each session. Reads only: TTLs are untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

import sessions_app.state.codec as codec
import sessions_app.state.configured as configured
from sessions_app.domain import Emotion, SessionStatus
from sessions_app.state.connection import read_with_retry
from sessions_app.state.keys import SessionKeys, user_index

logger = logging.getLogger(__name__)

META_FIELDS = ("status", "last_updated", "message_count", "milestone_count", "breakthrough_count")
EPOCH = datetime.fromtimestamp(0, tz=UTC)


def as_int(value: Any) -> int:
    try:
        return int(codec.text(value) or 0)
    except ValueError:
        return 0


def as_float(value: Any) -> float | None:
    try:
        return float(codec.text(value)) if value is not None else None
    except ValueError:
        return None


def _time(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(_decode(value))
    except ValueError:
        return EPOCH
    return parsed if parsed.tzinfo is not None else EPOCH


# One script per client: the client's index and, for each of its sessions, the listed fields. With
# ARGV[7] = '1' also the time it has left in Redis (PTTL: read, never refreshed) and the length of
# its emotion log (the count of emotion changes, without reading the log): the review's inbox needs
# them for every session, the session list only for the rows it shows (``live_clocks``). All keys
# share the client's {hash tag}, so this is one slot even on Redis Cluster; they are derived from
# templates built by keys.py (the only place key formats live). Reads only; TTLs untouched.
LIST_SCRIPT = """
local members = redis.call('SMEMBERS', KEYS[1])
local clock = ARGV[7] == '1'
local out = {}
local n = 0
for _, sid in ipairs(members) do
  local meta = redis.pcall('HMGET', ARGV[1] .. sid .. ARGV[2], META_FIELDS)
  local emotion = redis.pcall('HMGET', ARGV[3] .. sid .. ARGV[4], 'current_emotion', 'emotion_intensity')
  if meta.err then meta = {'!unreadable', false, false, false, false} end
  if emotion.err then emotion = {false, false} end
  out[n + 1] = sid
  for i = 1, 5 do out[n + 1 + i] = meta[i] end
  out[n + 7] = emotion[1]
  out[n + 8] = emotion[2]
  n = n + 8
  if clock then
    local changes = redis.pcall('LLEN', ARGV[5] .. sid .. ARGV[6])
    if type(changes) ~= 'number' then changes = -1 end
    out[n + 1] = redis.call('PTTL', ARGV[1] .. sid .. ARGV[2])
    out[n + 2] = changes
    n = n + 2
  end
end
return out
""".replace("META_FIELDS", ", ".join(f"'{name}'" for name in META_FIELDS))
STRIDE = 8  # values per session in LIST_SCRIPT's flat reply (10 with the clock)
PLACEHOLDER = "SIDPLACEHOLDER"


def _templates(client_id: str, clock: bool) -> list[str]:
    keys = SessionKeys.for_session(client_id, PLACEHOLDER)
    meta_prefix, meta_suffix = keys.metadata.split(PLACEHOLDER)
    emotion_prefix, emotion_suffix = keys.emotion.split(PLACEHOLDER)
    log_prefix, log_suffix = keys.emotion_log.split(PLACEHOLDER)
    flag = "1" if clock else "0"
    return [meta_prefix, meta_suffix, emotion_prefix, emotion_suffix, log_prefix, log_suffix, flag]


def _ttl(value: Any) -> int | None:
    """Milliseconds until Redis forgets the session; None when it has no TTL (PTTL -1) or is gone."""
    return value if isinstance(value, int) and value >= 0 else None


@dataclass(slots=True)
class LiveEntry:
    """A live session as read, parsed only as far as sorting and filtering need (thousands per list)."""

    client_id: str
    session_id: str
    last_updated: datetime
    status: str
    emotion: str
    counts: tuple[Any, Any, Any]
    intensity: Any
    unreadable: bool = False
    ttl_ms: int | None = None  # with the clock: time left in live storage (None: no TTL set)
    emotion_changes: int = 0  # with the clock: length of the emotion log (-1: unreadable)


def _decode(value: Any) -> str:
    return (
        value.decode("utf-8", "replace")
        if isinstance(value, bytes)
        else ("" if value is None else str(value))
    )


def _entries(client_id: str, flat: list[Any], clock: bool) -> list[LiveEntry]:
    entries: list[LiveEntry] = []
    stride = STRIDE + 2 if clock else STRIDE
    for i in range(0, len(flat) - stride + 1, stride):
        sid, status, updated, messages, milestones, breakthroughs, emotion, intensity = flat[i : i + STRIDE]
        pttl, changes = flat[i + STRIDE : i + stride] if clock else (None, 0)
        if status == b"!unreadable":
            logger.error("metadata of a session of %s is unreadable (wrong type)", client_id)
            entries.append(
                LiveEntry(
                    client_id, _decode(sid), EPOCH, "unreadable", "", (0, 0, 0), None, True, ttl_ms=_ttl(pttl)
                )
            )
        elif status is not None or updated is not None:  # else a ghost member: the sweeper removes it
            entries.append(
                LiveEntry(
                    client_id,
                    _decode(sid),
                    _time(updated),
                    _decode(status) or SessionStatus.ACTIVE,
                    _decode(emotion) or Emotion.NEUTRAL,
                    (messages, milestones, breakthroughs),
                    intensity,
                    ttl_ms=_ttl(pttl),
                    emotion_changes=changes if isinstance(changes, int) else 0,
                )
            )
    return entries


def live_entries(
    client_ids: Sequence[str], client: redis.Redis | None = None, *, clock: bool = False
) -> list[LiveEntry]:
    """Every live session of these clients, in one pipelined round trip; with ``clock``, also each
    one's time left and emotion-log length. Raises StateUnavailable."""
    if not client_ids:
        return []
    conn = client or configured.get_state_manager().redis
    script = conn.register_script(LIST_SCRIPT)

    def read() -> list[Any]:
        pipe = conn.pipeline(transaction=False)
        for client_id in client_ids:
            script(keys=[user_index(client_id)], args=_templates(client_id, clock), client=pipe)
        return list(pipe.execute(raise_on_error=False))

    replies = read_with_retry("list sessions", read)
    entries: list[LiveEntry] = []
    for client_id, reply in zip(client_ids, replies, strict=True):
        if isinstance(reply, redis.ResponseError):
            logger.error("the session index of %s is unreadable (wrong type)", client_id)
            continue
        entries.extend(_entries(client_id, reply, clock))
    return entries


@dataclass(frozen=True)
class LiveTally:
    """One live session's counts and time left, for a review control (reads only, one round trip)."""

    message_count: int
    milestone_count: int
    breakthrough_count: int
    emotion_changes: int
    ttl_ms: int | None


def live_tally(client_id: str, session_id: str, client: redis.Redis | None = None) -> LiveTally | None:
    """The session's counts and PTTL, or None when Redis does not hold it. Raises StateUnavailable."""
    keys = SessionKeys.for_session(client_id, session_id)
    conn = client or configured.get_state_manager().redis

    def read() -> list[Any]:
        pipe = conn.pipeline(transaction=False)
        pipe.hmget(keys.metadata, ["message_count", "milestone_count", "breakthrough_count", "status"])
        pipe.llen(keys.emotion_log)
        pipe.pttl(keys.metadata)
        return list(pipe.execute(raise_on_error=False))

    meta, changes, pttl = read_with_retry("read session counts", read)
    if isinstance(meta, Exception) or not any(value is not None for value in meta):
        return None
    return LiveTally(
        message_count=as_int(meta[0]),
        milestone_count=as_int(meta[1]),
        breakthrough_count=as_int(meta[2]),
        emotion_changes=changes if isinstance(changes, int) else 0,
        ttl_ms=_ttl(pttl),
    )


def live_clocks(
    sessions: Sequence[tuple[str, str]], client: redis.Redis | None = None
) -> dict[tuple[str, str], tuple[int | None, int]]:
    """(time left in ms, emotion-log length) of each (client, session), for the rows of a page, in
    one pipelined round trip. Reads only. Raises StateUnavailable."""
    if not sessions:
        return {}
    conn = client or configured.get_state_manager().redis

    def read() -> list[Any]:
        pipe = conn.pipeline(transaction=False)
        for client_id, session_id in sessions:
            keys = SessionKeys.for_session(client_id, session_id)
            pipe.pttl(keys.metadata)
            pipe.llen(keys.emotion_log)
        return list(pipe.execute(raise_on_error=False))

    replies = read_with_retry("read session clocks", read)
    return {
        key: (_ttl(replies[2 * n]), replies[2 * n + 1] if isinstance(replies[2 * n + 1], int) else 0)
        for n, key in enumerate(sessions)
    }
