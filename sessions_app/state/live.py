"""The archiver's side of Redis: an atomic read-only snapshot, a guarded trim, a per-session lock.

Reads and trims are Lua scripts over the session's keys in the fixed ``SessionKeys`` order, like
every other script of the state layer. Neither refreshes a TTL: archiving is not activity.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
from redis.exceptions import LockError

import sessions_app.state.codec as codec
from sessions_app.errors import CorruptSession, StateStorageFull
from sessions_app.state.connection import read_with_retry, translate_errors
from sessions_app.state.keys import (
    GLOBAL_ACTIVE,
    SessionKeys,
    archive_lock,
    global_member,
    metadata_pattern,
    parse_metadata_key,
)
from sessions_app.state.script_loader import ScriptLoader

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FullRead:
    """The rest of a session, read in the same atomic step as the head of its lists."""

    emotion: dict[str, str]
    emotion_log: tuple[bytes, ...]
    messages: tuple[bytes, ...]
    milestones: tuple[bytes, ...]
    breakthroughs: tuple[bytes, ...]
    context: dict[str, str]


@dataclass(frozen=True)
class LiveRead:
    """What the archiver saw of one session at one instant."""

    user_id: str
    session_id: str
    metadata: dict[str, str]
    pttl_ms: int
    overflow_total: int
    citations_total: int
    overflow: tuple[bytes, ...]
    citations: tuple[bytes, ...]
    full: FullRead | None = None

    @property
    def gone(self) -> bool:
        return not self.metadata

    @property
    def complete(self) -> bool:
        """True when the read holds every member waiting in overflow and citations."""
        return self.overflow_total <= len(self.overflow) and self.citations_total <= len(self.citations)


@dataclass(frozen=True)
class TrimResult:
    overflow: int
    citations: int
    outcome: str  # "kept", "deleted" or "gone"


def _members(raw: Any, what: str, read: tuple[str, str]) -> tuple[bytes, ...]:
    if isinstance(raw, redis.ResponseError):
        raise CorruptSession(f"the {what} of session {read[1]} of user {read[0]} is unreadable (wrong type)")
    return tuple(item if isinstance(item, bytes) else str(item).encode() for item in raw or [])


def _hash(raw: Any, what: str, read: tuple[str, str]) -> dict[str, str]:
    if isinstance(raw, redis.ResponseError):
        raise CorruptSession(f"the {what} of session {read[1]} of user {read[0]} is unreadable (wrong type)")
    return codec.hash_to_dict(raw)


def _count(raw: Any, what: str, read: tuple[str, str]) -> int:
    if isinstance(raw, redis.ResponseError):
        raise CorruptSession(f"the {what} of session {read[1]} of user {read[0]} is unreadable (wrong type)")
    return int(raw)


class LiveStore:
    """Redis operations of the archiver. Thread-safe like the redis client it wraps."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._scripts = ScriptLoader(self.redis)

    def sessions(self) -> list[tuple[str, str]]:
        """Every live session, found by its metadata key (the global set may miss orphans)."""

        def scan() -> list[tuple[str, str]]:
            found: set[tuple[str, str]] = set()
            for raw in self.redis.scan_iter(match=metadata_pattern(), count=1000):
                parsed = parse_metadata_key(codec.text(raw))
                if parsed is not None:
                    found.add(parsed)
            return sorted(found)

        return read_with_retry("list sessions", scan)

    def read(self, user_id: str, session_id: str, *, batch: int, full: bool) -> LiveRead:
        keys = SessionKeys.for_session(user_id, session_id)
        params = {"batch": batch, "full": full}
        parts = read_with_retry(
            "archive read", lambda: list(self._scripts.run("archive_read", keys.ordered, params))
        )
        where = (user_id, session_id)
        metadata = _hash(parts[0], "metadata", where)
        if not metadata:
            return LiveRead(user_id, session_id, {}, -2, 0, 0, (), ())
        full_read = None
        if full:
            full_read = FullRead(
                emotion=_hash(parts[6], "emotion", where),
                emotion_log=_members(parts[7], "emotion log", where),
                messages=_members(parts[8], "message window", where),
                milestones=_members(parts[9], "milestones", where),
                breakthroughs=_members(parts[10], "breakthroughs", where),
                context=_hash(parts[11], "context snapshot", where),
            )
        return LiveRead(
            user_id=user_id,
            session_id=session_id,
            metadata=metadata,
            pttl_ms=int(parts[1]),
            overflow_total=_count(parts[2], "overflow", where),
            citations_total=_count(parts[3], "citations", where),
            overflow=_members(parts[4], "overflow", where),
            citations=_members(parts[5], "citations", where),
            full=full_read,
        )

    def history(self, user_id: str, session_id: str) -> tuple[bytes, ...] | None:
        """The live messages (overflow, then window) in seq order; ``None`` if Redis has no session."""
        keys = SessionKeys.for_session(user_id, session_id)
        exists, overflow, window = read_with_retry(
            "read history", lambda: list(self._scripts.run("read_history", keys.ordered, {}))
        )
        if not exists:
            return None
        where = (user_id, session_id)
        return _members(overflow, "overflow", where) + _members(window, "message window", where)

    def trim(self, read: LiveRead, *, archived_at: datetime | None, delete: bool) -> TrimResult:
        """Remove what ``read`` saw at the head of overflow and citations; mark or delete the session."""
        keys = SessionKeys.for_session(read.user_id, read.session_id)
        params: dict[str, object] = {
            "session_id": read.session_id,
            "overflow_count": len(read.overflow),
            "citations_count": len(read.citations),
            "delete": delete,
        }
        if archived_at is not None:
            params["archived_at"] = archived_at.isoformat()
        ends: dict[str, bytes] = {}
        for name, held in (("overflow", read.overflow), ("citations", read.citations)):
            if held:
                ends[f"{name}_first"], ends[f"{name}_last"] = held[0], held[-1]
        try:
            with translate_errors("archive trim"):
                result = self._scripts.run("archive_trim", keys.ordered, params, ends)
        except redis.ResponseError as exc:
            raise CorruptSession(
                f"session {read.session_id} of user {read.user_id} holds data of the wrong type; "
                "nothing was trimmed"
            ) from exc
        outcome = codec.text(result[2])
        if outcome == "deleted":
            self._forget_globally(read.user_id, read.session_id)
        return TrimResult(overflow=int(result[0]), citations=int(result[1]), outcome=outcome)

    def _forget_globally(self, user_id: str, session_id: str) -> None:
        # Another cluster slot, so not in the script; cleanup_expired_sessions repairs a miss.
        with translate_errors("global index"):
            self.redis.srem(GLOBAL_ACTIVE, global_member(user_id, session_id))

    @contextmanager
    def lock(self, user_id: str, session_id: str, *, seconds: int) -> Iterator[bool]:
        """Yield True when this process holds the session's archive lock, False when another does.

        The lock saves duplicate work; correctness does not depend on it (writes are idempotent and
        trims are guarded). So when Redis is full and refuses the lock's SET, archiving goes on
        without it: draining is what frees the memory.
        """
        lock = self.redis.lock(archive_lock(user_id, session_id), timeout=seconds, blocking=False)
        try:
            with translate_errors("archive lock"):
                acquired = bool(lock.acquire())
        except StateStorageFull:
            logger.warning("redis is full: archiving session %s without its lock", session_id)
            yield True
            return
        if not acquired:
            yield False
            return
        try:
            yield True
        finally:
            try:
                with translate_errors("archive unlock"):
                    lock.release()
            except LockError:
                logger.warning("archive lock of session %s expired before the archiver finished", session_id)
