"""The conversation-state API over Redis (the design report's ``ConversationStateManager``).

Every state change is one Lua script, so one atomic step and one round trip: it writes the data, the
metadata, a citation and the user index, and keeps every key of the session expiring at one instant
(``_prelude.lua``). Reads (``reader.py``) never touch TTLs: only the chatbot's activity extends retention.
What the scripts store is built in ``payloads.py`` and encoded in ``members.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

import sessions_app.state.codec as codec
import sessions_app.state.ids as ids
import sessions_app.state.members as members
import sessions_app.state.payloads as payloads
from sessions_app.domain import (
    Breakthrough,
    BreakthroughCategory,
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
from sessions_app.state.context_rules import check_context_fields, context_writer, guidance_marks, seed_pairs
from sessions_app.state.keys import GLOBAL_ACTIVE, SessionKeys, check_id, global_member
from sessions_app.state.maintenance import cleanup_expired_sessions
from sessions_app.state.reader import StateReader, session_reads
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
# The client's current guidance for new sessions (context_rules.SEED_FIELDS as text; {}: none set).
ContextSeed = Callable[[str], Mapping[str, str]]


@dataclass(frozen=True)
class AppendResult:
    message: Message
    created: bool


class ConversationStateManager(StateReader):
    """Persist and resume conversation state in Redis. Thread-safe; share one per process.

    ``ttl_slack_seconds`` (default 1 % of the TTL): a write refreshes the TTLs of a session's keys only
    once its remaining lifetime has dropped by more than this, so retention after the last write is
    between ``ttl_seconds - ttl_slack_seconds`` and ``ttl_seconds``; keys a write creates get the
    session's expiry instant at once.
    """

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
        ttl_slack_seconds: int | None = None,
        context_seed: ContextSeed | None = None,
    ) -> None:
        # Configuration, not input: a wrong value is a programming error (InvalidInput is a ValueError).
        check_int(ttl_seconds, "ttl_seconds", minimum=1)
        check_int(window, "window", minimum=1)
        slack = ttl_seconds // 100 if ttl_slack_seconds is None else ttl_slack_seconds
        check_int(slack, "ttl_slack_seconds", maximum=ttl_seconds - 1)
        super().__init__(redis_client, window=window)
        self.ttl_seconds = ttl_seconds
        self.ttl_slack_seconds = slack
        self.max_content_chars = max_content_chars
        self.max_note_chars = max_note_chars
        self.max_label_chars = max_label_chars
        self.archived_message_lookup = archived_message_lookup
        self.context_seed = context_seed
        self._clock = clock or (lambda: datetime.now(UTC))
        self._retention = payloads.Retention(ttl_ms=ttl_seconds * 1000, slack_ms=slack * 1000)

    # ------------------------------------------------------------------ plumbing

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("clock must return timezone-aware datetimes")
        return now.astimezone(UTC)

    def _run(self, name: str, keys: SessionKeys, payload: payloads.Payload) -> Any:
        try:
            with translate_errors(name):
                return self._scripts.run(name, keys.ordered, payload.params, payload.members)
        except redis.ResponseError as exc:
            raise self._script_error(exc, keys) from exc

    def _check_text(self, value: object, field: str) -> str:
        return check_text(value, field, max_chars=self.max_content_chars)

    # ------------------------------------------------------------------ writes

    def initialize_session(
        self,
        user_id: str,
        *,
        model: str,
        session_id: str | None = None,
        context: Mapping[str, str] | None = None,
    ) -> str:
        """Create a session and return its id. An existing id raises ``SessionAlreadyExists``.

        ``context`` seeds the context snapshot with the client's guidance (``SEED_FIELDS``) in the
        same atomic step; by default the manager's ``context_seed`` gives the client's current one.
        The snapshot's version stays 0, so the chatbot's first write still expects version 0.
        """
        check_id(user_id, "user_id")
        session_id = ids.new_id() if session_id is None else check_id(session_id, "session_id")
        model = check_label(model, "model")
        if context is None and self.context_seed is not None:
            context = self.context_seed(user_id)
        seed = seed_pairs(context or {}, max_chars=self.max_note_chars)
        keys = SessionKeys.for_session(user_id, session_id)
        payload = payloads.initialize(
            self._retention,
            self._now(),
            model=model,
            session_id=session_id,
            seed=dict(zip(seed[::2], seed[1::2], strict=True)),
            guidance_version=(context or {}).get("guidance_version", "0"),
        )
        self._run("initialize", keys, payload)
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
        message_id = ids.new_id() if message_id is None else check_id(message_id, "message_id")
        feeling = check_optional_emotion(emotion, intensity, confidence)
        now = self._now()
        citation_id, payload = payloads.append(
            self._retention,
            now,
            window=self.window,
            message_id=message_id,
            role=checked_role,
            content=content,
            feeling=feeling,
        )
        result = self._run("append_message", keys, payload)
        if isinstance(result, int):  # stored now: the reply is its seq
            emo, inten, conf = feeling or (None, None, None)
            message = members.make_message(
                message_id, result, checked_role, content, now, citation_id, emo, inten, conf
            )
            return AppendResult(message=message, created=True)
        return AppendResult(
            message=self._stored_duplicate(user_id, session_id, message_id, result), created=False
        )

    def _stored_duplicate(
        self, user_id: str, session_id: str, message_id: str, result: Sequence[Any]
    ) -> Message:
        seq = int(result[0])
        stored = result[1] if len(result) > 1 else None
        if stored:
            decoded = members.messages([stored])[0]
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
        payload = payloads.Payload(self._retention.params(now))
        tracking_id = payloads.emotion(payload, now, emo, inten, conf)
        self._run("update_emotion", keys, payload)
        return EmotionState(
            current_emotion=emo,
            emotion_intensity=inten,
            emotion_confidence=conf,
            last_emotion_change=now,
            emotion_tracking_id=tracking_id,
        )

    def record_milestone(
        self, user_id: str, session_id: str, *, description: str, emotion: str | None = None
    ) -> Milestone:
        keys = SessionKeys.for_session(user_id, session_id)
        description = check_text(description, "description", max_chars=self.max_label_chars)
        emo = None if emotion is None else check_emotion(emotion, "emotion")
        _, payload = payloads.milestone(self._retention, self._now(), description=description, emotion=emo)
        member = self._run("record_milestone", keys, payload)
        decoded = members.milestones([member], key=keys.milestones)[0]
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
        cid = ids.new_uuid()
        breakthrough = Breakthrough(
            id=ids.new_id(),
            description=description,
            category=checked_category,
            confidence=conf,
            evidence=proof,
            at=now,
            citation_id=ids.citation_text(cid),
        )
        self._run("record_breakthrough", keys, payloads.breakthrough(self._retention, now, breakthrough, cid))
        return breakthrough

    def update_context_snapshot(
        self,
        user_id: str,
        session_id: str,
        *,
        expected_version: int | None = None,
        author: str | None = None,
        extend_retention: bool = True,
        clinician: str | None = None,
        guidance_version: int | None = None,
        **fields: str,
    ) -> ContextSnapshot:
        """Write working notes. With ``expected_version``, refuse (``NoteConflict``) if someone saved first.

        Unlike the chatbot's writes, this is allowed on a closed session that Redis still holds:
        therapists write their notes after the conversation ends. A therapist's save passes
        ``extend_retention=False``: the chatbot's activity, not a reviewer's, decides how long Redis
        keeps the session (the database keeps every note revision regardless).

        Who wrote it: ``author`` is the chatbot's own label and is stored as ``chatbot:<author>`` (or
        ``chatbot``), whatever it says, so nothing written through the chatbot's APIs can pass for a
        clinician. Only the dashboard's services pass ``clinician`` (a username, stored as it is; it
        cannot contain ':'), with ``guidance_version`` when they write the client's guidance. A write
        of a guidance field also records its author in ``guidance_updated_by``.
        """
        keys = SessionKeys.for_session(user_id, session_id)
        expected = check_expected_version(expected_version)
        checked = check_context_fields(fields, max_chars=self.max_note_chars)
        writer = context_writer(author, clinician, guidance_version)
        payload = payloads.context(
            self._retention if extend_retention else None,
            self._now(),
            fields=checked,
            extra_fields=guidance_marks(checked, writer, guidance_version),
            expected=expected,
            author=writer,
        )
        result = self._run("update_context", keys, payload)
        snapshot = codec.context_from(codec.hash_to_dict(result[1]))
        if codec.text(result[0]) == "conflict" and expected is not None:
            raise NoteConflict(snapshot, expected)
        return snapshot

    def close_session(self, user_id: str, session_id: str) -> bool:
        """Close the session to chatbot writes. Returns False if it was already closed."""
        keys = SessionKeys.for_session(user_id, session_id)
        result = self._run("close_session", keys, payloads.close(self._retention, self._now()))
        return codec.text(result) == "OK"

    def resume_session(self, user_id: str, session_id: str, *, model: str | None = None) -> SessionState:
        """The session in one atomic step; records the resume and any model switch.

        The emotion log is bounded to the last ``window`` transitions on this hot path
        (``read_session`` returns all of it). When Redis is full, the resume cannot be recorded but
        the conversation can still continue: the state is returned from a read-only snapshot.
        """
        keys = SessionKeys.for_session(user_id, session_id)
        new_model = None if model is None else check_label(model, "model")
        payload = payloads.resume(self._retention, self._now(), model=new_model)
        # After the script in one MULTI/EXEC: the metadata read shows the resume.
        reads = session_reads(keys, emotion_log_limit=self.window)
        try:
            with translate_errors("resume_session"):
                _, parts = self._scripts.transaction(
                    "resume_record", keys.ordered, payload.params, payload.members, reads
                )
        except StateStorageFull:
            logger.warning("resume of session %s not recorded: Redis is full", session_id)
            return self.read_session(user_id, session_id)
        except redis.ResponseError as exc:
            raise self._script_error(exc, keys) from exc
        return self._state_from_parts(user_id, session_id, keys, parts)

    # ------------------------------------------------------------------ maintenance

    def cleanup_expired_sessions(self) -> int:
        """Remove index members of expired sessions and re-index live orphans. Returns removals."""
        return cleanup_expired_sessions(self.redis)
