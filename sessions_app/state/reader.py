"""Reads of live state. None touches a TTL: a therapist reading a session never extends its retention.

A whole-session read is one read-only script (atomic like MULTI/EXEC, and still allowed when Redis is
out of memory); smaller reads are pipelines. One corrupt member becomes an ``UnreadableEntry``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import redis

import sessions_app.state.codec as codec
import sessions_app.state.members as members
from sessions_app.domain import (
    Citation,
    CitationType,
    EmotionState,
    JourneySummary,
    Message,
    SessionState,
    SessionStats,
    SessionSummary,
    UnreadableEntry,
)
from sessions_app.errors import (
    CorruptSession,
    SessionAlreadyExists,
    SessionClosed,
    SessionNotFound,
    StateError,
    StateUnavailable,
)
from sessions_app.state.connection import read_with_retry, translate_errors
from sessions_app.state.jsonshape import state_to_json
from sessions_app.state.keys import GLOBAL_ACTIVE, SessionKeys, global_member, parse_metadata_key, user_index
from sessions_app.state.script_loader import Params, ScriptLoader
from sessions_app.state.validation import check_choice, check_int

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageRead:
    """Everything a session page shows from Redis, read in one consistent step (``read_page``)."""

    state: SessionState  # with its pending citations
    token: str  # the page's change token, as ``change_probe`` gives it
    overflow_part: tuple[Message | UnreadableEntry, ...] = ()  # the page's messages still in overflow
    overflow_part_first: int = 0  # the seq of overflow_part[0]


def _token(meta: dict[str, str], version: str, transitions: int | None) -> str:
    parts = [meta.get(name, "") for name in ("last_updated", "message_count", "status")]
    return "|".join([*parts, version, "?" if transitions is None else str(transitions)])


def session_reads(keys: SessionKeys, *, emotion_log_limit: int) -> list[tuple[str | int, ...]]:
    """Plain commands reading a session in the order ``StateReader._state_from_parts`` takes it. The
    emotion log is bounded: on the chatbot's hot path it needs the recent journey, not years of it."""
    return [
        ("HGETALL", keys.metadata),
        ("HGETALL", keys.emotion),
        ("LRANGE", keys.emotion_log, -emotion_log_limit, -1),
        ("LRANGE", keys.messages, 0, -1),
        ("ZRANGE", keys.milestones, 0, -1),
        ("ZRANGE", keys.breakthroughs, 0, -1),
        ("HGETALL", keys.context_snapshot),
        ("LLEN", keys.overflow),
    ]


class StateReader:
    """The read half of the state manager; ``ConversationStateManager`` adds the writes."""

    def __init__(self, redis_client: redis.Redis, *, window: int) -> None:
        self.redis = redis_client
        self.window = window
        self._scripts = ScriptLoader(self.redis)

    @staticmethod
    def _script_error(exc: redis.ResponseError, keys: SessionKeys) -> StateError:
        message = str(exc)
        user_id, session_id = parse_metadata_key(keys.metadata) or ("?", "?")
        if message.startswith("NOSESSION"):
            return SessionNotFound(user_id, session_id)
        if message.startswith("CLOSED"):
            return SessionClosed(user_id, session_id)
        if message.startswith("EXISTS"):
            return SessionAlreadyExists(user_id, session_id)
        logger.error(
            "redis refused a write to session %s of user %s: %s",
            session_id,
            user_id,
            message.split(" script:", 1)[0][:200],
        )
        if message.startswith(("CORRUPT", "WRONGTYPE")):
            return CorruptSession(
                f"session {session_id} of user {user_id} holds corrupt data; nothing was written"
            )
        return StateError(f"Redis refused the change to session {session_id}; nothing was written")

    def read_session(self, user_id: str, session_id: str, *, with_citations: bool = False) -> SessionState:
        """The whole live session as one consistent snapshot, without extending its TTL.

        One read-only script: atomic like MULTI/EXEC, but still allowed when Redis is out of memory.
        """
        keys = SessionKeys.for_session(user_id, session_id)
        params = {"with_citations": with_citations}
        parts = self._read_script("read session", "read_session", keys, params)
        state = self._state_from_parts(user_id, session_id, keys, parts[:8])
        if with_citations:
            state = replace(state, pending_citations=self._citations(parts[8], user_id, session_id, keys))
        return state

    def read_page(self, user_id: str, session_id: str, *, page: int | None, page_size: int) -> PageRead:
        """The whole session, its pending citations, its change token and the part of transcript page
        ``page`` (``None``: the last) that waits in overflow, in one read-only script: one consistent
        snapshot per page view, never extending the session's TTL."""
        keys = SessionKeys.for_session(user_id, session_id)
        check_int(page_size, "page_size", minimum=1)
        params: dict[str, object] = {"with_citations": True, "page_size": page_size}
        if page is not None:
            params["page"] = page
        parts = self._read_script("read session page", "read_session", keys, params)
        state = self._state_from_parts(user_id, session_id, keys, parts[:8])
        state = replace(state, pending_citations=self._citations(parts[8], user_id, session_id, keys))
        context, elog = parts[6], parts[2]
        version = (
            "?"
            if isinstance(context, redis.ResponseError)
            else codec.hash_to_dict(context).get("version", "")
        )
        token = _token(
            codec.hash_to_dict(parts[0]),
            version,
            None if isinstance(elog, redis.ResponseError) else len(elog),
        )
        if not parts[9]:
            return PageRead(state, token)
        first, raws = parts[9]
        part = self._section(raws, "message", keys.overflow, members.messages)
        return PageRead(state, token, part, int(first))

    def _read_script(self, action: str, name: str, keys: SessionKeys, params: Params) -> list[Any]:
        def read() -> list[Any]:
            return list(self._scripts.run(name, keys.ordered, params))

        try:
            return read_with_retry(action, read)
        except redis.ResponseError as exc:
            raise self._script_error(exc, keys) from exc

    def _citations(self, raw: Any, user_id: str, session_id: str, keys: SessionKeys) -> tuple[Any, ...]:
        return self._section(
            raw, "citation", keys.citations, lambda r, key: members.citations(r, user_id, session_id, key=key)
        )

    def _section(
        self, raw: Any, kind: str, key: str, decode: Callable[..., tuple[Any, ...]]
    ) -> tuple[Any, ...]:
        if isinstance(raw, redis.ResponseError):
            logger.error("%s key %s is unreadable: %s", kind, key, str(raw).split(" ", 1)[0])
            return (
                UnreadableEntry(kind=kind, position=0, reason="the whole list is unreadable (wrong type)"),
            )
        return decode(raw or [], key=key)

    def _hash(self, raw: Any, key: str, *, essential: bool) -> dict[str, str]:
        if isinstance(raw, redis.ResponseError):
            logger.error("hash %s is unreadable: %s", key, str(raw).split(" ", 1)[0])
            if essential:
                raise CorruptSession("the session's metadata is unreadable (wrong type)")
            return {}
        return codec.hash_to_dict(raw)

    def _state_from_parts(
        self, user_id: str, session_id: str, keys: SessionKeys, parts: list[Any]
    ) -> SessionState:
        meta, emotion, elog, msgs, milestones, breakthroughs, context, overflow = parts
        meta_fields = self._hash(meta, keys.metadata, essential=True)
        if not meta_fields:
            raise SessionNotFound(user_id, session_id)
        return SessionState(
            metadata=codec.metadata_from(user_id, session_id, meta_fields),
            emotion=codec.emotion_state_from(self._hash(emotion, keys.emotion, essential=False)),
            emotion_log=self._section(elog, "emotion transition", keys.emotion_log, members.transitions),
            messages=self._section(msgs, "message", keys.messages, members.messages),
            milestones=self._section(milestones, "milestone", keys.milestones, members.milestones),
            breakthroughs=self._section(
                breakthroughs, "breakthrough", keys.breakthroughs, members.breakthroughs
            ),
            context=codec.context_from(self._hash(context, keys.context_snapshot, essential=False)),
            overflow_count=overflow if isinstance(overflow, int) else 0,
        )

    def get_message_history(
        self, user_id: str, session_id: str, *, limit: int = 50
    ) -> tuple[Message | UnreadableEntry, ...]:
        """The last ``limit`` messages of the live window, oldest first."""
        check_int(limit, "limit", minimum=1)
        keys = SessionKeys.for_session(user_id, session_id)

        def read() -> list[Any]:
            pipe = self.redis.pipeline(transaction=False)
            pipe.exists(keys.metadata)
            pipe.lrange(keys.messages, -limit, -1)
            return list(pipe.execute(raise_on_error=False))

        exists, raws = read_with_retry("read messages", read)
        if not exists:
            raise SessionNotFound(user_id, session_id)
        return self._section(raws, "message", keys.messages, members.messages)

    def get_emotion_state(self, user_id: str, session_id: str) -> EmotionState:
        keys = SessionKeys.for_session(user_id, session_id)

        def read() -> list[Any]:
            pipe = self.redis.pipeline(transaction=False)
            pipe.exists(keys.metadata)
            pipe.hgetall(keys.emotion)
            return list(pipe.execute(raise_on_error=False))

        exists, fields = read_with_retry("read emotion", read)
        if not exists:
            raise SessionNotFound(user_id, session_id)
        return codec.emotion_state_from(self._hash(fields, keys.emotion, essential=False))

    def get_journey_summary(self, user_id: str, session_id: str) -> JourneySummary:
        state = self.read_session(user_id, session_id)
        return JourneySummary(
            current=state.emotion,
            transitions=state.emotion_log,
            milestones=state.milestones,
            breakthroughs=state.breakthroughs,
        )

    def get_pending_citations(
        self,
        user_id: str,
        session_id: str,
        *,
        citation_type: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Citation]:
        """Citations still buffered in Redis (not yet archived), optionally filtered."""
        ctype = None if citation_type is None else check_choice(citation_type, CitationType, "type")
        state = self.read_session(user_id, session_id, with_citations=True)
        found = [c for c in state.pending_citations if isinstance(c, Citation)]
        return [
            c
            for c in found
            if (ctype is None or c.type == ctype)
            and (since is None or c.timestamp >= since)
            and (until is None or c.timestamp <= until)
        ]

    def get_user_sessions(self, user_id: str) -> list[SessionSummary]:
        """The user's live sessions, newest activity first. Ghost index members are pruned."""
        index = user_index(user_id)
        members = read_with_retry("read user index", lambda: self.redis.smembers(index))
        session_ids = sorted(codec.text(m) for m in members)
        if not session_ids:
            return []

        def read() -> list[Any]:
            pipe = self.redis.pipeline(transaction=False)
            for sid in session_ids:
                keys = SessionKeys.for_session(user_id, sid)
                pipe.hgetall(keys.metadata)
                pipe.hgetall(keys.emotion)
            return list(pipe.execute(raise_on_error=False))

        results = read_with_retry("read user sessions", read)
        summaries: list[SessionSummary] = []
        ghosts: list[str] = []
        for position, sid in enumerate(session_ids):
            meta_raw, emotion_raw = results[2 * position], results[2 * position + 1]
            if isinstance(meta_raw, redis.ResponseError):
                logger.error("metadata of session %s is unreadable; left out of the list", sid)
                continue
            meta = codec.hash_to_dict(meta_raw)
            if not meta:
                ghosts.append(sid)
                continue
            metadata = codec.metadata_from(user_id, sid, meta)
            emotion = codec.emotion_state_from(
                {} if isinstance(emotion_raw, redis.ResponseError) else codec.hash_to_dict(emotion_raw)
            )
            summaries.append(
                SessionSummary(
                    user_id=user_id,
                    session_id=sid,
                    status=metadata.status,
                    started_at=metadata.started_at,
                    last_updated=metadata.last_updated,
                    message_count=metadata.message_count,
                    milestone_count=metadata.milestone_count,
                    breakthrough_count=metadata.breakthrough_count,
                    current_emotion=emotion.current_emotion,
                    emotion_intensity=emotion.emotion_intensity,
                )
            )
        if ghosts:
            self._prune(user_id, ghosts)
        summaries.sort(key=lambda s: s.last_updated, reverse=True)
        return summaries

    def _prune(self, user_id: str, session_ids: list[str]) -> None:
        """Remove index members whose session keys have expired (guarantee 9: no ghosts)."""
        try:
            with translate_errors("prune index"):
                self.redis.srem(user_index(user_id), *session_ids)
                self.redis.srem(GLOBAL_ACTIVE, *(global_member(user_id, s) for s in session_ids))
        except StateUnavailable:
            logger.warning("could not prune %d expired index members; the sweeper will", len(session_ids))

    def get_session_stats(self, user_id: str, session_id: str) -> SessionStats:
        keys = SessionKeys.for_session(user_id, session_id)

        def read() -> list[Any]:
            pipe = self.redis.pipeline(transaction=False)
            pipe.hgetall(keys.metadata)
            pipe.llen(keys.messages)
            pipe.llen(keys.overflow)
            pipe.llen(keys.emotion_log)
            pipe.llen(keys.citations)
            pipe.ttl(keys.metadata)
            return list(pipe.execute(raise_on_error=False))

        meta_raw, window, overflow, transitions, citations, ttl = read_with_retry("read stats", read)
        meta_fields = self._hash(meta_raw, keys.metadata, essential=True)
        if not meta_fields:
            raise SessionNotFound(user_id, session_id)
        meta = codec.metadata_from(user_id, session_id, meta_fields)

        def count(value: Any) -> int:
            return value if isinstance(value, int) else 0

        return SessionStats(
            user_id=user_id,
            session_id=session_id,
            status=meta.status,
            message_count=meta.message_count,
            messages_in_window=count(window),
            messages_in_overflow=count(overflow),
            milestone_count=meta.milestone_count,
            breakthrough_count=meta.breakthrough_count,
            emotion_transitions=count(transitions),
            pending_citations=count(citations),
            duration_seconds=max(0.0, (meta.last_updated - meta.started_at).total_seconds()),
            ttl_seconds=ttl if isinstance(ttl, int) and ttl >= 0 else None,
        )

    def export_json(self, user_id: str, session_id: str) -> dict[str, Any]:
        """The whole live state as JSON-ready data (schema ``EXPORT_SCHEMA_VERSION``, see README)."""
        return state_to_json(self.read_session(user_id, session_id, with_citations=True))

    def change_probe(
        self, user_id: str, session_id: str, *, with_citations: bool
    ) -> tuple[str, list[Citation]]:
        """A cheap "has anything changed?" token of a live session ("gone" once Redis has forgotten it),
        and with ``with_citations`` its pending citations, in one pipelined read."""
        keys = SessionKeys.for_session(user_id, session_id)
        conn = self.redis

        def read() -> list[Any]:
            pipe = conn.pipeline(transaction=False)
            pipe.hmget(keys.metadata, ["last_updated", "message_count", "status"])
            pipe.hget(keys.context_snapshot, "version")
            pipe.llen(keys.emotion_log)
            if with_citations:
                pipe.lrange(keys.citations, 0, -1)
            return list(pipe.execute(raise_on_error=False))

        meta, version, transitions, *rest = read_with_retry("live check", read)
        pending: list[Citation] = []
        if rest and not isinstance(rest[0], Exception):
            decoded = members.citations(rest[0], user_id, session_id, key=keys.citations)
            pending = [c for c in decoded if isinstance(c, Citation)]
        if isinstance(meta, Exception) or not any(meta):
            return "gone", pending
        fields = dict(zip(("last_updated", "message_count", "status"), map(codec.text, meta), strict=True))
        text = "?" if isinstance(version, Exception) else codec.text(version)
        return _token(fields, text, transitions if isinstance(transitions, int) else None), pending
