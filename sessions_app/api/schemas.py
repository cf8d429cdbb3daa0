"""Request and response bodies of the HTTP API (django-ninja Schemas).

The same classes validate requests, build responses and generate the OpenAPI document, so what the docs
page shows is what the server enforces. Length limits of free text are settings of the state layer and
are checked there (too long → 413), not here. Unknown fields are refused: a typo must not be ignored.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal, TypeVar

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict, ValidationInfo, field_validator

from sessions_app.api.emotion_schemas import EmotionLabel, EmotionName
from sessions_app.domain import (
    Breakthrough,
    BreakthroughCategory,
    Citation,
    CitationType,
    ContextSnapshot,
    EmotionState,
    EmotionTransition,
    Message,
    Milestone,
    Role,
    SessionMetadata,
    SessionState,
    SessionStatus,
    SessionSummary,
    UnreadableEntry,
)

T = TypeVar("T")
Out = TypeVar("Out")

ID_REGEX = r"^[A-Za-z0-9_-]{1,64}$"
ID_DESCRIPTION = "1-64 characters from A-Z, a-z, 0-9, '_' and '-'"

Id = Annotated[str, Field(pattern=ID_REGEX, min_length=1, max_length=64, description=ID_DESCRIPTION)]
UnitInterval = Annotated[float, Field(ge=0.0, le=1.0, strict=True, description="a number from 0 to 1")]
Label = Annotated[str, Field(min_length=1, max_length=200, description="one line, at most 200 characters")]
Text = Annotated[str, Field(min_length=1, description="text; the length limit is a server setting (413)")]
Notes = Annotated[str, Field(description="text, may be empty; the length limit is a server setting (413)")]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------- requests


class SessionCreateIn(In):
    user_id: Id
    model: Label = Field(description="the language model the chatbot starts with")
    session_id: Id | None = Field(None, description="your own id; by default the server makes a UUID")


class EmotionIn(In):
    emotion: EmotionName
    intensity: UnitInterval
    confidence: UnitInterval


class MessageIn(In):
    role: Role
    content: Text
    message_id: Id | None = Field(
        None,
        description="idempotency key: sending the same id again stores nothing new and returns the stored "
        "message (200). Always send one, and retry with the same id after a timeout or a 503.",
    )
    emotion: EmotionIn | None = Field(None, description="updates the session's emotion in the same step")


class MilestoneIn(In):
    description: Text
    emotion: EmotionName | None = None


class BreakthroughIn(In):
    description: Text
    category: BreakthroughCategory
    confidence: UnitInterval
    evidence: list[Id] = Field(default_factory=list, max_length=100, description="ids of messages")


class ContextPatchIn(In):
    expected_version: int = Field(
        ge=0,
        strict=True,
        description="the version you read (0 for a new session); if someone saved since, nothing is "
        "written and the answer is 409 with the current snapshot",
    )
    current_theme: Notes | None = None
    therapeutic_focus: Notes | None = None
    client_state_summary: Notes | None = None
    session_notes: Notes | None = None
    author: Label | None = Field(None, description="who writes, recorded with the change")


class CitationQuery(In):
    user_id: Id = Field(description="required: session ids are unique per user only")
    session_id: Id | None = None
    type: CitationType | None = None
    since: AwareDatetime | None = Field(None, description="ISO 8601 with a time zone, inclusive")
    until: AwareDatetime | None = Field(None, description="ISO 8601 with a time zone, inclusive")
    limit: int = Field(500, ge=1, le=500)

    @field_validator("since", "until", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        # pydantic alone would also take epoch numbers; the contract is ISO 8601 with a time zone.
        if value is None:
            return None
        example = "an ISO 8601 date and time with a time zone, e.g. 2026-01-31T09:00:00Z"
        if not isinstance(value, str):
            raise ValueError(f"expected {example}")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected {example}") from None
        if parsed.tzinfo is None:
            raise ValueError(f"the time zone is missing: expected {example}")
        return parsed

    @field_validator("until")
    @classmethod
    def _after_since(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        since = info.data.get("since")
        if value is not None and since is not None and since > value:
            raise ValueError("until must not be earlier than since")
        return value


# ---------------------------------------------------------------------------- responses


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


class UnreadableOut(Schema):
    """An entry that could not be decoded: shown as a gap, its content is never sent or logged."""

    unreadable: Literal[True] = True
    kind: str
    position: int
    reason: str

    @classmethod
    def of(cls, entry: UnreadableEntry) -> UnreadableOut:
        return cls(kind=entry.kind, position=entry.position, reason=entry.reason)


class MessageOut(Schema):
    message_id: str
    seq: int
    role: Role
    content: str
    timestamp: datetime
    citation_id: str
    emotion: EmotionLabel | None = None
    intensity: float | None = None
    confidence: float | None = None

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        return cls(
            message_id=message.id,
            seq=message.seq,
            role=message.role,
            content=message.content,
            timestamp=message.timestamp,
            citation_id=message.citation_id,
            emotion=message.emotion,
            intensity=_finite(message.intensity),
            confidence=_finite(message.confidence),
        )


class AppendOut(MessageOut):
    created: bool = Field(description="true: stored by this request (201); false: stored before (200)")


class EmotionOut(Schema):
    current_emotion: EmotionLabel
    intensity: float | None
    confidence: float | None
    last_emotion_change: datetime | None
    emotion_tracking_id: str | None = Field(description="citation id of the last change")

    @classmethod
    def of(cls, state: EmotionState) -> EmotionOut:
        return cls(
            current_emotion=state.current_emotion,
            intensity=_finite(state.emotion_intensity),
            confidence=_finite(state.emotion_confidence),
            last_emotion_change=state.last_emotion_change,
            emotion_tracking_id=state.emotion_tracking_id,
        )


class TransitionOut(Schema):
    from_emotion: EmotionLabel | None
    to_emotion: EmotionLabel
    intensity: float | None
    confidence: float | None
    at: datetime
    citation_id: str
    message_id: str | None = None

    @classmethod
    def of(cls, item: EmotionTransition) -> TransitionOut:
        return cls(
            from_emotion=item.from_emotion,
            to_emotion=item.to_emotion,
            intensity=_finite(item.intensity),
            confidence=_finite(item.confidence),
            at=item.at,
            citation_id=item.citation_id,
            message_id=item.message_id,
        )


class MilestoneOut(Schema):
    milestone_id: str
    description: str
    emotion: EmotionLabel | None
    at: datetime
    message_count: int
    citation_id: str

    @classmethod
    def of(cls, item: Milestone) -> MilestoneOut:
        return cls(
            milestone_id=item.id,
            description=item.description,
            emotion=item.emotion,
            at=item.at,
            message_count=item.message_count,
            citation_id=item.citation_id,
        )


class BreakthroughOut(Schema):
    breakthrough_id: str
    description: str
    category: BreakthroughCategory
    confidence: float | None
    evidence: list[str]
    at: datetime
    citation_id: str

    @classmethod
    def of(cls, item: Breakthrough) -> BreakthroughOut:
        return cls(
            breakthrough_id=item.id,
            description=item.description,
            category=item.category,
            confidence=_finite(item.confidence),
            evidence=list(item.evidence),
            at=item.at,
            citation_id=item.citation_id,
        )


class ContextOut(Schema):
    current_theme: str
    therapeutic_focus: str
    client_state_summary: str
    session_notes: str
    last_summarized: datetime | None
    version: int
    notes_updated_by: str

    @classmethod
    def of(cls, item: ContextSnapshot) -> ContextOut:
        return cls(
            current_theme=item.current_theme,
            therapeutic_focus=item.therapeutic_focus,
            client_state_summary=item.client_state_summary,
            session_notes=item.session_notes,
            last_summarized=item.last_summarized,
            version=item.version,
            notes_updated_by=item.notes_updated_by,
        )


class SessionOut(Schema):
    user_id: str
    session_id: str
    conversation_id: str
    status: SessionStatus
    started_at: datetime
    last_updated: datetime
    last_model: str
    last_resumed: datetime | None
    closed_at: datetime | None
    archived_at: datetime | None
    message_count: int
    milestone_count: int
    breakthrough_count: int

    @classmethod
    def of(cls, meta: SessionMetadata) -> SessionOut:
        return cls(
            user_id=meta.user_id,
            session_id=meta.session_id,
            conversation_id=meta.conversation_id,
            status=meta.status,
            started_at=meta.started_at,
            last_updated=meta.last_updated,
            last_model=meta.last_model,
            last_resumed=meta.last_resumed,
            closed_at=meta.closed_at,
            archived_at=meta.archived_at,
            message_count=meta.message_count,
            milestone_count=meta.milestone_count,
            breakthrough_count=meta.breakthrough_count,
        )


class SessionStateOut(Schema):
    source: Literal["live", "archive"] = Field(description="live: Redis; archive: the record after expiry")
    read_only: bool = Field(description="true for an archived session: it accepts no writes")
    live_unavailable: bool = Field(description="true when Redis could not be asked (archive shown)")
    resumed: bool = Field(description="true when this request recorded a resume (write tokens, live)")
    session: SessionOut
    emotion: EmotionOut
    emotion_log: list[TransitionOut | UnreadableOut]
    messages: list[MessageOut | UnreadableOut] = Field(description="the live window, oldest first")
    messages_in_overflow: int = Field(description="older messages waiting for the archiver")
    milestones: list[MilestoneOut | UnreadableOut]
    breakthroughs: list[BreakthroughOut | UnreadableOut]
    context: ContextOut
    unreadable_entries: int

    @classmethod
    def of(
        cls,
        state: SessionState,
        *,
        source: Literal["live", "archive"] = "live",
        live_unavailable: bool = False,
        resumed: bool = False,
    ) -> SessionStateOut:
        return cls(
            source=source,
            read_only=source == "archive",
            live_unavailable=live_unavailable,
            resumed=resumed,
            session=SessionOut.of(state.metadata),
            emotion=EmotionOut.of(state.emotion),
            emotion_log=[_entry(item, TransitionOut.of) for item in state.emotion_log],
            messages=[_entry(item, MessageOut.of) for item in state.messages],
            messages_in_overflow=state.overflow_count,
            milestones=[_entry(item, MilestoneOut.of) for item in state.milestones],
            breakthroughs=[_entry(item, BreakthroughOut.of) for item in state.breakthroughs],
            context=ContextOut.of(state.context),
            unreadable_entries=state.unreadable_count,
        )


def _entry(item: T | UnreadableEntry, build: Callable[[T], Out]) -> Out | UnreadableOut:
    return UnreadableOut.of(item) if isinstance(item, UnreadableEntry) else build(item)


class SessionSummaryOut(Schema):
    session_id: str
    status: SessionStatus
    started_at: datetime
    last_updated: datetime
    message_count: int
    milestone_count: int
    breakthrough_count: int
    current_emotion: EmotionLabel | None
    emotion_intensity: float | None

    @classmethod
    def of(cls, item: SessionSummary) -> SessionSummaryOut:
        return cls(
            session_id=item.session_id,
            status=item.status,
            started_at=item.started_at,
            last_updated=item.last_updated,
            message_count=item.message_count,
            milestone_count=item.milestone_count,
            breakthrough_count=item.breakthrough_count,
            current_emotion=item.current_emotion,
            emotion_intensity=_finite(item.emotion_intensity),
        )


class SessionListOut(Schema):
    user_id: str
    sessions: list[SessionSummaryOut] = Field(description="live sessions, newest activity first")


class CloseOut(Schema):
    user_id: str
    session_id: str
    status: SessionStatus
    changed: bool = Field(description="false when the session was closed already")


class CitationOut(Schema):
    citation_id: str
    type: CitationType
    timestamp: datetime
    user_id: str
    session_id: str
    event: str
    evidence: list[str]
    confidence: float | None
    status: str

    @classmethod
    def of(cls, item: Citation) -> CitationOut:
        return cls(
            citation_id=item.citation_id,
            type=item.type,
            timestamp=item.timestamp,
            user_id=item.user_id,
            session_id=item.session_id,
            event=item.event,
            evidence=list(item.evidence),
            confidence=_finite(item.confidence),
            status=item.status,
        )


class CitationListOut(Schema):
    citations: list[CitationOut] = Field(description="oldest first")
    count: int
    truncated: bool = Field(description="true when more citations matched than `limit`")


class ErrorDetail(Schema):
    code: str = Field(description="stable, machine-readable; see the README's error table")
    message: str = Field(description="for people; never contains message content")
    field: str | None = Field(None, description="the request field at fault, for validation errors")
    current: ContextOut | None = Field(None, description="on version_conflict: the snapshot as it is now")


class ErrorOut(Schema):
    error: ErrorDetail
