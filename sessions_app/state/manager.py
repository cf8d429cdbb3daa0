"""The conversation-state writer API over Redis (the design report's ``ConversationStateManager``).

Every state change is one Lua script, so one atomic step and one round trip: it writes the data, the
metadata, a citation and the user index, and refreshes the TTL of every key of the session together.
Reads are one MULTI/EXEC snapshot and never touch TTLs: only the chatbot's activity extends retention.
"""

from __future__ import annotations

import json
import logging
import math
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import redis
from redis.commands.core import Script

from sessions_app.domain import (
    CONTEXT_FIELDS,
    Breakthrough,
    BreakthroughCategory,
    Citation,
    CitationType,
    ContextSnapshot,
    Emotion,
    EmotionState,
    JourneySummary,
    Message,
    Milestone,
    Role,
    SessionState,
    SessionStats,
    SessionSummary,
    UnreadableEntry,
)
from sessions_app.errors import (
    CorruptSession,
    InvalidInput,
    NoteConflict,
    SessionAlreadyExists,
    SessionClosed,
    SessionNotFound,
    StateError,
    StateStorageFull,
    StateUnavailable,
)
from sessions_app.state import codec
from sessions_app.state.connection import read_with_retry, translate_errors
from sessions_app.state.keys import (
    GLOBAL_ACTIVE,
    SessionKeys,
    check_id,
    global_member,
    metadata_pattern,
    parse_metadata_key,
    split_global_member,
    user_index,
)
from sessions_app.state.script_loader import ScriptLoader
from sessions_app.state.validation import (
    check_choice,
    check_evidence,
    check_expected_version,
    check_label,
    check_text,
    check_unit_interval,
)

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 7 * 24 * 3600
DEFAULT_WINDOW = 100
EXPORT_SCHEMA_VERSION = "1.0"

T = TypeVar("T")

ArchivedMessageLookup = Callable[[str, str, str], Message | None]


@dataclass(frozen=True)
class AppendResult:
    message: Message
    created: bool


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _number(value: float) -> str:
    return repr(float(value))


class ConversationStateManager:
    """Persist and resume conversation state in Redis. Thread-safe; share one per process."""

    def __init__(
        self,
        redis_client: redis.Redis,
        *,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        window: int = DEFAULT_WINDOW,
        max_content_chars: int = 20_000,
        max_note_chars: int = 50_000,
        max_label_chars: int = 2_000,
        archived_message_lookup: ArchivedMessageLookup | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or ttl_seconds < 1:
            raise ValueError("ttl_seconds must be a positive integer")
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise ValueError("window must be a positive integer")
        self.redis = redis_client
        self.ttl_seconds = ttl_seconds
        self.window = window
        self.max_content_chars = max_content_chars
        self.max_note_chars = max_note_chars
        self.max_label_chars = max_label_chars
        self.archived_message_lookup = archived_message_lookup
        self._clock = clock or (lambda: datetime.now(UTC))
        self._scripts = ScriptLoader(self.redis)

    # ------------------------------------------------------------------ plumbing

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("clock must return timezone-aware datetimes")
        return now.astimezone(UTC)

    def _script(self, name: str) -> Script:
        return self._scripts(name)

    def _run(self, name: str, keys: SessionKeys, args: Sequence[Any]) -> Any:
        try:
            with translate_errors(name):
                return self._script(name)(keys=keys.all(), args=list(args))
        except redis.ResponseError as exc:
            raise self._script_error(exc, keys) from exc

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

    def _citation(
        self,
        ctype: CitationType,
        user_id: str,
        session_id: str,
        now: datetime,
        *,
        event: str | None,
        evidence: Iterable[str] = (),
        confidence: float | None = None,
    ) -> tuple[str, str]:
        citation_id = f"if://citation/{uuid.uuid4()}"
        data: dict[str, Any] = {
            "citation_id": citation_id,
            "type": ctype.value,
            "timestamp": now.isoformat(),
            "user_id": user_id,
            "session_id": session_id,
        }
        if event is not None:  # the resume script fills in the event, which only it knows
            data["event"] = event
        data["evidence"] = list(evidence)
        if confidence is not None:
            data["confidence"] = confidence
        data["status"] = "verified"
        return citation_id, _dumps(data)

    def _check_text(self, value: object, field: str) -> str:
        return check_text(value, field, max_chars=self.max_content_chars)

    # ------------------------------------------------------------------ writes

    def initialize_session(self, user_id: str, *, model: str, session_id: str | None = None) -> str:
        """Create a session and return its id. An existing id raises ``SessionAlreadyExists``."""
        check_id(user_id, "user_id")
        session_id = str(uuid.uuid4()) if session_id is None else check_id(session_id, "session_id")
        model = check_label(model, "model")
        keys = SessionKeys.for_session(user_id, session_id)
        now = self._now()
        _, citation = self._citation(
            CitationType.SESSION_INITIALIZED, user_id, session_id, now, event=f"session started with {model}"
        )
        args = [self.ttl_seconds, now.isoformat(), str(uuid.uuid4()), model, session_id, citation]
        self._run("initialize", keys, args)
        self._add_to_global_index(user_id, session_id)
        return session_id

    def _add_to_global_index(self, user_id: str, session_id: str) -> None:
        # The global set lives in another cluster slot, so it cannot join the script. If this
        # fails, the session still exists; cleanup_expired_sessions re-indexes orphans.
        try:
            with translate_errors("global index"):
                self.redis.sadd(GLOBAL_ACTIVE, global_member(user_id, session_id))
        except StateUnavailable:
            logger.warning("session %s created but not yet in the global index", session_id)

    def append_message(
        self,
        user_id: str,
        session_id: str,
        *,
        role: str,
        content: str,
        message_id: str | None = None,
        emotion: str | None = None,
        intensity: float | None = None,
        confidence: float | None = None,
    ) -> Message:
        """Append a message (idempotent by ``message_id``); with ``emotion``, update it in the same step."""
        return self.append_message_result(
            user_id,
            session_id,
            role=role,
            content=content,
            message_id=message_id,
            emotion=emotion,
            intensity=intensity,
            confidence=confidence,
        ).message

    def append_message_result(
        self,
        user_id: str,
        session_id: str,
        *,
        role: str,
        content: str,
        message_id: str | None = None,
        emotion: str | None = None,
        intensity: float | None = None,
        confidence: float | None = None,
    ) -> AppendResult:
        """Like ``append_message``, and tells whether this call stored it or found it stored."""
        keys = SessionKeys.for_session(user_id, session_id)
        checked_role = check_choice(role, Role, "role")
        content = self._check_text(content, "content")
        message_id = str(uuid.uuid4()) if message_id is None else check_id(message_id, "message_id")
        feeling = self._check_optional_emotion(emotion, intensity, confidence)
        now = self._now()
        citation_id, citation = self._citation(
            CitationType.MESSAGE_APPENDED,
            user_id,
            session_id,
            now,
            event=f"{checked_role.value} message appended",
            evidence=[message_id],
        )
        body: dict[str, Any] = {
            "id": message_id,
            "role": checked_role.value,
            "content": content,
            "timestamp": now.isoformat(),
            "citation_id": citation_id,
        }
        args: list[object] = [self.ttl_seconds, self.window, now.isoformat(), message_id]
        if feeling is None:
            args += [_dumps(body), citation, "0", "", "", "", "", "", ""]
        else:
            emo, inten, conf = feeling
            body.update(emotion=emo.value, intensity=inten, confidence=conf)
            emotion_args = self._emotion_args(
                user_id, session_id, now, emo, inten, conf, message_id=message_id
            )
            args += [_dumps(body), citation, "1", *emotion_args]
        result = self._run("append_message", keys, args)
        status = codec.text(result[0])
        if status == "ok":
            message = Message(
                id=message_id,
                seq=int(codec.text(result[1])),
                role=checked_role,
                content=content,
                timestamp=now,
                citation_id=citation_id,
                emotion=feeling[0] if feeling else None,
                intensity=feeling[1] if feeling else None,
                confidence=feeling[2] if feeling else None,
            )
            return AppendResult(message=message, created=True)
        return AppendResult(
            message=self._stored_duplicate(user_id, session_id, message_id, result), created=False
        )

    def _stored_duplicate(
        self, user_id: str, session_id: str, message_id: str, result: Sequence[Any]
    ) -> Message:
        seq = int(codec.text(result[1]))
        stored = result[2] if len(result) > 2 else None
        if stored:
            decoded = codec.decode_member(stored, "message", seq, codec.message_from)
            if isinstance(decoded, Message):
                return decoded
        if self.archived_message_lookup is not None:
            archived = self.archived_message_lookup(user_id, session_id, message_id)
            if archived is not None:
                return archived
        raise CorruptSession(
            f"message {message_id} (#{seq}) was stored before but cannot be read back; "
            "it was not stored again"
        )

    def _check_optional_emotion(
        self, emotion: object, intensity: object, confidence: object
    ) -> tuple[Emotion, float, float] | None:
        if emotion is None:
            if intensity is not None or confidence is not None:
                raise InvalidInput("emotion", "intensity and confidence need an emotion")
            return None
        if intensity is None or confidence is None:
            raise InvalidInput(
                "intensity" if intensity is None else "confidence",
                "an emotion needs both intensity and confidence",
            )
        return (
            check_choice(emotion, Emotion, "emotion"),
            check_unit_interval(intensity, "intensity"),
            check_unit_interval(confidence, "confidence"),
        )

    def _emotion_args(
        self,
        user_id: str,
        session_id: str,
        now: datetime,
        emotion: Emotion,
        intensity: float,
        confidence: float,
        *,
        message_id: str | None = None,
    ) -> list[str]:
        citation_id, citation = self._citation(
            CitationType.EMOTION_STATE_UPDATE,
            user_id,
            session_id,
            now,
            event=f"emotion set to {emotion.value} (intensity {intensity:.2f})",
            evidence=[message_id] if message_id else [],
            confidence=confidence,
        )
        entry: dict[str, Any] = {
            "to": emotion.value,
            "intensity": intensity,
            "confidence": confidence,
            "at": now.isoformat(),
            "citation_id": citation_id,
        }
        if message_id:
            entry["message_id"] = message_id
        return [emotion.value, _number(intensity), _number(confidence), citation_id, _dumps(entry), citation]

    def update_emotion(
        self, user_id: str, session_id: str, *, emotion: str, intensity: float, confidence: float
    ) -> EmotionState:
        keys = SessionKeys.for_session(user_id, session_id)
        if emotion is None:
            raise InvalidInput("emotion", "emotion is required")
        feeling = self._check_optional_emotion(emotion, intensity, confidence)
        if feeling is None:  # unreachable: emotion was given
            raise InvalidInput("emotion", "emotion is required")
        emo, inten, conf = feeling
        now = self._now()
        emotion_args = self._emotion_args(user_id, session_id, now, emo, inten, conf)
        self._run("update_emotion", keys, [self.ttl_seconds, now.isoformat(), *emotion_args])
        return EmotionState(
            current_emotion=emo,
            emotion_intensity=inten,
            emotion_confidence=conf,
            last_emotion_change=now,
            emotion_tracking_id=emotion_args[3],
        )

    def record_milestone(
        self, user_id: str, session_id: str, *, description: str, emotion: str | None = None
    ) -> Milestone:
        keys = SessionKeys.for_session(user_id, session_id)
        description = check_text(description, "description", max_chars=self.max_label_chars)
        emo = None if emotion is None else check_choice(emotion, Emotion, "emotion")
        now = self._now()
        milestone_id = str(uuid.uuid4())
        citation_id, citation = self._citation(
            CitationType.MILESTONE_RECORDED,
            user_id,
            session_id,
            now,
            event="milestone recorded",
            evidence=[milestone_id],
        )
        body = {
            "id": milestone_id,
            "description": description,
            "at": now.isoformat(),
            "citation_id": citation_id,
        }
        args = [
            self.ttl_seconds,
            now.isoformat(),
            _number(now.timestamp()),
            _dumps(body),
            citation,
            emo.value if emo else "",
        ]
        member = self._run("record_milestone", keys, args)
        decoded = codec.decode_member(member, "milestone", 0, codec.milestone_from)
        if isinstance(decoded, UnreadableEntry):
            raise CorruptSession("the milestone was stored but the session's emotion hash is corrupt")
        return decoded

    def record_breakthrough(
        self,
        user_id: str,
        session_id: str,
        *,
        description: str,
        category: str,
        confidence: float,
        evidence: Iterable[str] = (),
    ) -> Breakthrough:
        keys = SessionKeys.for_session(user_id, session_id)
        description = check_text(description, "description", max_chars=self.max_label_chars)
        checked_category = check_choice(category, BreakthroughCategory, "category")
        conf = check_unit_interval(confidence, "confidence")
        proof = check_evidence(evidence)
        now = self._now()
        breakthrough_id = str(uuid.uuid4())
        citation_id, citation = self._citation(
            CitationType.BREAKTHROUGH_RECORDED,
            user_id,
            session_id,
            now,
            event=f"breakthrough recorded ({checked_category.value})",
            evidence=proof,
            confidence=conf,
        )
        breakthrough = Breakthrough(
            id=breakthrough_id,
            description=description,
            category=checked_category,
            confidence=conf,
            evidence=proof,
            at=now,
            citation_id=citation_id,
        )
        member = {
            "id": breakthrough_id,
            "description": description,
            "category": checked_category.value,
            "confidence": conf,
            "evidence": list(proof),
            "at": now.isoformat(),
            "citation_id": citation_id,
        }
        args = [self.ttl_seconds, now.isoformat(), _number(now.timestamp()), _dumps(member), citation]
        self._run("record_breakthrough", keys, args)
        return breakthrough

    def update_context_snapshot(
        self,
        user_id: str,
        session_id: str,
        *,
        expected_version: int | None = None,
        author: str | None = None,
        extend_retention: bool = True,
        **fields: str,
    ) -> ContextSnapshot:
        """Write working notes. With ``expected_version``, refuse (``NoteConflict``) if someone saved first.

        Unlike the chatbot's writes, this is allowed on a closed session that Redis still holds:
        therapists write their notes after the conversation ends. A therapist's save passes
        ``extend_retention=False``: the chatbot's activity, not a reviewer's, decides how long Redis
        keeps the session (the database keeps every note revision regardless).
        """
        keys = SessionKeys.for_session(user_id, session_id)
        expected = check_expected_version(expected_version)
        unknown = sorted(set(fields) - set(CONTEXT_FIELDS))
        if unknown:
            raise InvalidInput(
                unknown[0], f"unknown context field {unknown[0]!r}; allowed: {', '.join(CONTEXT_FIELDS)}"
            )
        if not fields:
            raise InvalidInput("fields", f"give at least one of: {', '.join(CONTEXT_FIELDS)}")
        checked = {
            name: check_text(value, name, max_chars=self.max_note_chars, allow_empty=True)
            for name, value in fields.items()
        }
        writer = "" if author is None else check_label(author, "author")
        now = self._now()
        _, citation = self._citation(
            CitationType.CONTEXT_SNAPSHOT_UPDATED,
            user_id,
            session_id,
            now,
            event=f"context snapshot updated ({', '.join(sorted(checked))})"
            + (f" by {writer}" if writer else ""),
        )
        args: list[object] = [
            self.ttl_seconds if extend_retention else "",
            now.isoformat(),
            "" if expected is None else expected,
            writer,
            citation,
        ]
        for name in CONTEXT_FIELDS:
            if name in checked:
                args += [name, checked[name]]
        result = self._run("update_context", keys, args)
        snapshot = codec.context_from(codec.hash_to_dict(result[1]))
        if codec.text(result[0]) == "conflict" and expected is not None:
            raise NoteConflict(snapshot, expected)
        return snapshot

    def close_session(self, user_id: str, session_id: str) -> bool:
        """Close the session to chatbot writes. Returns False if it was already closed."""
        keys = SessionKeys.for_session(user_id, session_id)
        now = self._now()
        _, citation = self._citation(
            CitationType.SESSION_CLOSED, user_id, session_id, now, event="session closed"
        )
        result = self._run("close_session", keys, [self.ttl_seconds, now.isoformat(), citation])
        return codec.text(result) == "OK"

    def resume_session(self, user_id: str, session_id: str, *, model: str | None = None) -> SessionState:
        """The session in one atomic step; records the resume and any model switch.

        The emotion log is bounded to the last ``window`` transitions on this hot path
        (``read_session`` returns all of it). When Redis is full, the resume cannot be recorded but
        the conversation can still continue: the state is returned from a read-only snapshot.
        """
        keys = SessionKeys.for_session(user_id, session_id)
        new_model = "" if model is None else check_label(model, "model")
        now = self._now()
        _, citation = self._citation(CitationType.SESSION_RESUMED, user_id, session_id, now, event=None)
        args = [self.ttl_seconds, now.isoformat(), new_model, citation, self.window]
        try:
            parts = self._run("resume_session", keys, args)
        except StateStorageFull:
            logger.warning("resume of session %s not recorded: Redis is full", session_id)
            return self.read_session(user_id, session_id)
        return self._state_from_parts(user_id, session_id, keys, list(parts))

    # ------------------------------------------------------------------ reads (never touch TTLs)

    def read_session(self, user_id: str, session_id: str, *, with_citations: bool = False) -> SessionState:
        """The whole live session as one consistent snapshot, without extending its TTL.

        One read-only script: atomic like MULTI/EXEC, but still allowed when Redis is out of memory.
        """
        keys = SessionKeys.for_session(user_id, session_id)
        script = self._script("read_session")

        def read() -> list[Any]:
            return list(script(keys=keys.all(), args=["1" if with_citations else "0"]))

        try:
            parts = read_with_retry("read session", read)
        except redis.ResponseError as exc:
            raise self._script_error(exc, keys) from exc
        state = self._state_from_parts(user_id, session_id, keys, parts[:8])
        if with_citations:
            citations = self._section(parts[8], "citation", keys.citations, codec.citation_from)
            state = replace(state, pending_citations=citations)
        return state

    def _section(
        self, raw: Any, kind: str, key: str, build: Callable[[dict[str, Any]], Any]
    ) -> tuple[Any, ...]:
        if isinstance(raw, redis.ResponseError):
            logger.error("%s key %s is unreadable: %s", kind, key, str(raw).split(" ", 1)[0])
            return (
                UnreadableEntry(kind=kind, position=0, reason="the whole list is unreadable (wrong type)"),
            )
        return codec.decode_members(raw or [], kind, build, key=key)

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
            emotion_log=self._section(elog, "emotion transition", keys.emotion_log, codec.transition_from),
            messages=self._section(msgs, "message", keys.messages, codec.message_from),
            milestones=self._section(milestones, "milestone", keys.milestones, codec.milestone_from),
            breakthroughs=self._section(
                breakthroughs, "breakthrough", keys.breakthroughs, codec.breakthrough_from
            ),
            context=codec.context_from(self._hash(context, keys.context_snapshot, essential=False)),
            overflow_count=overflow if isinstance(overflow, int) else 0,
        )

    def get_message_history(
        self, user_id: str, session_id: str, *, limit: int = 50
    ) -> tuple[Message | UnreadableEntry, ...]:
        """The last ``limit`` messages of the live window, oldest first."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidInput("limit", "limit must be a positive integer")
        keys = SessionKeys.for_session(user_id, session_id)

        def read() -> list[Any]:
            pipe = self.redis.pipeline(transaction=False)
            pipe.exists(keys.metadata)
            pipe.lrange(keys.messages, -limit, -1)
            return list(pipe.execute(raise_on_error=False))

        exists, raws = read_with_retry("read messages", read)
        if not exists:
            raise SessionNotFound(user_id, session_id)
        return self._section(raws, "message", keys.messages, codec.message_from)

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

    # ------------------------------------------------------------------ maintenance

    def cleanup_expired_sessions(self) -> int:
        """Remove index members of expired sessions and re-index live orphans. Returns removals.

        Index sets keep members whose keys expired (their TTL cannot cover a member); the archiver
        runs this after every pass. Lookups go in pipelines of ``CLEANUP_BATCH`` members.
        """
        removed = 0
        with translate_errors("cleanup"):
            members = [codec.text(raw) for raw in self.redis.sscan_iter(GLOBAL_ACTIVE, count=500)]
            for batch in _batches(members):
                ghosts = self._missing(batch, lambda member: _metadata_of(split_global_member(member)))
                pipe = self.redis.pipeline(transaction=False)
                for member in ghosts:
                    pipe.srem(GLOBAL_ACTIVE, member)
                    parsed = split_global_member(member)
                    if parsed is not None:
                        pipe.srem(user_index(parsed[0]), parsed[1])
                pipe.execute()
                removed += len(ghosts)
            orphans = [
                parse_metadata_key(codec.text(key))
                for key in self.redis.scan_iter(match=metadata_pattern(), count=500)
            ]
            for pairs in _batches([o for o in orphans if o is not None]):
                pipe = self.redis.pipeline(transaction=False)
                for user_id, session_id in pairs:
                    pipe.sadd(GLOBAL_ACTIVE, global_member(user_id, session_id))
                    pipe.sadd(user_index(user_id), session_id)
                pipe.execute()
            removed += self._sweep_user_indexes()
        return removed

    def _missing(self, items: list[Any], metadata_key: Callable[[Any], str | None]) -> list[Any]:
        """The items whose session metadata key does not exist (or that name no valid session)."""
        keys = [metadata_key(item) for item in items]
        pipe = self.redis.pipeline(transaction=False)
        for key in keys:
            if key is not None:
                pipe.exists(key)
        found = iter(pipe.execute())
        return [item for item, key in zip(items, keys, strict=True) if key is None or not next(found)]

    def _sweep_user_indexes(self) -> int:
        removed = 0
        for raw_key in self.redis.scan_iter(match="sessions:user:{*}:index", count=500):
            key = codec.text(raw_key)
            user_id = key[len("sessions:user:{") : -len("}:index")]
            pairs = [(user_id, codec.text(raw)) for raw in self.redis.smembers(key)]
            for batch in _batches(pairs):
                ghosts = [session_id for _, session_id in self._missing(batch, _metadata_of)]
                if ghosts:
                    self.redis.srem(key, *ghosts)
                    removed += len(ghosts)
        return removed


CLEANUP_BATCH = 500


def _batches(items: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(items), CLEANUP_BATCH):
        yield items[start : start + CLEANUP_BATCH]


def _metadata_of(parsed: tuple[str, str] | None) -> str | None:
    """The metadata key of a (user, session) pair, or None when either id is invalid."""
    if parsed is None:
        return None
    try:
        return SessionKeys.for_session(*parsed).metadata
    except InvalidInput:
        return None


def jsonable(value: Any) -> Any:
    """Domain values as JSON-ready data: ISO timestamps, lists, and null for a non-finite number."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _entry(item: Any) -> dict[str, Any]:
    # Field by field rather than asdict(): list entries are flat, and asdict's deep copy was most of
    # the time of exporting a long transcript.
    data = {f.name: jsonable(getattr(item, f.name)) for f in fields(item)}
    return {"unreadable": True, **data} if isinstance(item, UnreadableEntry) else data


def _entries(items: Sequence[Any]) -> list[dict[str, Any]]:
    return [_entry(item) for item in items]


def state_to_json(state: SessionState) -> dict[str, Any]:
    """The documented JSON shape of a session (also the canonical form the exports hash)."""
    meta = state.metadata
    return {
        "schema_version": EXPORT_SCHEMA_VERSION,
        "session": jsonable(asdict(meta)),
        "emotion": jsonable(asdict(state.emotion)),
        "emotion_log": _entries(state.emotion_log),
        "messages": _entries(state.messages),
        "messages_in_overflow": state.overflow_count,
        "milestones": _entries(state.milestones),
        "breakthroughs": _entries(state.breakthroughs),
        "context_snapshot": jsonable(asdict(state.context)),
        "pending_citations": _entries(state.pending_citations),
        "unreadable_entries": state.unreadable_count,
    }
