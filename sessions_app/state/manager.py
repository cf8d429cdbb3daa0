"""The conversation-state API over Redis (the design report's ``ConversationStateManager``).

Every state change is one Lua script, so one atomic step and one round trip: it writes the data, the
metadata, a citation and the user index, and refreshes the TTL of every key of the session together.
Reads (``reader.py``) never touch TTLs: only the chatbot's activity extends retention.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

import sessions_app.state.codec as codec
from sessions_app.domain import (
    CONTEXT_FIELDS,
    Breakthrough,
    BreakthroughCategory,
    CitationType,
    ContextSnapshot,
    EmotionState,
    Message,
    Milestone,
    Role,
    SessionState,
    UnreadableEntry,
)
from sessions_app.emotions import check_emotion
from sessions_app.errors import (
    CorruptSession,
    InvalidInput,
    NoteConflict,
    StateStorageFull,
    StateUnavailable,
)
from sessions_app.state.connection import translate_errors
from sessions_app.state.keys import (
    GLOBAL_ACTIVE,
    SessionKeys,
    check_id,
    global_member,
)
from sessions_app.state.maintenance import cleanup_expired_sessions
from sessions_app.state.payloads import build_citation, build_emotion_args, dumps, number
from sessions_app.state.reader import StateReader
from sessions_app.state.validation import (
    check_choice,
    check_evidence,
    check_expected_version,
    check_int,
    check_label,
    check_optional_emotion,
    check_text,
    check_unit_interval,
)

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 7 * 24 * 3600
DEFAULT_WINDOW = 100
ArchivedMessageLookup = Callable[[str, str, str], Message | None]


@dataclass(frozen=True)
class AppendResult:
    message: Message
    created: bool


class ConversationStateManager(StateReader):
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
        # Configuration, not input: a wrong value is a programming error (InvalidInput is a ValueError).
        check_int(ttl_seconds, "ttl_seconds", minimum=1)
        check_int(window, "window", minimum=1)
        super().__init__(redis_client, window=window)
        self.ttl_seconds = ttl_seconds
        self.max_content_chars = max_content_chars
        self.max_note_chars = max_note_chars
        self.max_label_chars = max_label_chars
        self.archived_message_lookup = archived_message_lookup
        self._clock = clock or (lambda: datetime.now(UTC))

    # ------------------------------------------------------------------ plumbing

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("clock must return timezone-aware datetimes")
        return now.astimezone(UTC)

    def _run(self, name: str, keys: SessionKeys, args: Sequence[Any]) -> Any:
        try:
            with translate_errors(name):
                return self._script(name)(keys=keys.all(), args=list(args))
        except redis.ResponseError as exc:
            raise self._script_error(exc, keys) from exc

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
        _, citation = build_citation(
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
        feeling = check_optional_emotion(emotion, intensity, confidence)
        now = self._now()
        citation_id, citation = build_citation(
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
            args += [dumps(body), citation, "0", "", "", "", "", "", ""]
        else:
            emo, inten, conf = feeling
            body.update(emotion=emo.value, intensity=inten, confidence=conf)
            emotion_args = build_emotion_args(
                user_id, session_id, now, emo, inten, conf, message_id=message_id
            )
            args += [dumps(body), citation, "1", *emotion_args]
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

    def update_emotion(
        self, user_id: str, session_id: str, *, emotion: str, intensity: float, confidence: float
    ) -> EmotionState:
        keys = SessionKeys.for_session(user_id, session_id)
        if emotion is None:
            raise InvalidInput("emotion", "emotion is required")
        feeling = check_optional_emotion(emotion, intensity, confidence)
        if feeling is None:  # unreachable: emotion was given
            raise InvalidInput("emotion", "emotion is required")
        emo, inten, conf = feeling
        now = self._now()
        emotion_args = build_emotion_args(user_id, session_id, now, emo, inten, conf)
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
        emo = None if emotion is None else check_emotion(emotion, "emotion")
        now = self._now()
        milestone_id = str(uuid.uuid4())
        citation_id, citation = build_citation(
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
            number(now.timestamp()),
            dumps(body),
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
        citation_id, citation = build_citation(
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
        args = [self.ttl_seconds, now.isoformat(), number(now.timestamp()), dumps(member), citation]
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
        _, citation = build_citation(
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
        _, citation = build_citation(
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
        _, citation = build_citation(CitationType.SESSION_RESUMED, user_id, session_id, now, event=None)
        args = [self.ttl_seconds, now.isoformat(), new_model, citation, self.window]
        try:
            parts = self._run("resume_session", keys, args)
        except StateStorageFull:
            logger.warning("resume of session %s not recorded: Redis is full", session_id)
            return self.read_session(user_id, session_id)
        return self._state_from_parts(user_id, session_id, keys, list(parts))

    # ------------------------------------------------------------------ reads (never touch TTLs)

    # ------------------------------------------------------------------ maintenance

    def cleanup_expired_sessions(self) -> int:
        """Remove index members of expired sessions and re-index live orphans. Returns removals."""
        return cleanup_expired_sessions(self.redis)
