"""Request and response bodies of the HTTP API (django-ninja Schemas).

The same classes validate requests, build responses and generate the OpenAPI document, so what the docs
page shows is what the server enforces. Length limits of free text are settings of the state layer and
are checked there (too long → 413), not here. Unknown fields are refused: a typo must not be ignored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from ninja import Field, Schema
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sessions_app.api.emotion_schemas import EmotionLabel, EmotionName
from sessions_app.api.fields import ONE_LINE, Id, Integral, Label, Notes, Text, UnitInterval, iso_8601
from sessions_app.domain import (
    CONTEXT_FIELDS,
    BreakthroughCategory,
    CitationType,
    Role,
    SessionStatus,
    UnreadableEntry,
)
from sessions_app.risk.schemas import RiskAssessmentOut


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------- requests


class SessionCreateIn(In):
    user_id: Id
    model: Label = Field(description=f"the language model the chatbot starts with: {ONE_LINE}")
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


def _changes_something(schema: dict[str, Any]) -> None:
    """An update that changes nothing is refused (400): at least one field must be a string."""
    string = {"type": "string"}
    schema["anyOf"] = [{"required": [name], "properties": {name: string}} for name in CONTEXT_FIELDS]
    schema["description"] = f"At least one of {', '.join(CONTEXT_FIELDS)}: an update must change something."


class ContextPatchIn(In):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_changes_something)

    expected_version: Integral = Field(
        ge=0,
        strict=True,
        description="the version you read (0 for a new session); if someone saved since, nothing is "
        "written and the answer is 409 with the current snapshot",
    )
    current_theme: Notes | None = None
    therapeutic_focus: Notes | None = None
    client_state_summary: Notes | None = None
    session_notes: Notes | None = Field(
        None,
        description="refused (409 note_signed) once a clinician has signed the session's note; the "
        "dashboard writes the clinician's notes here",
    )
    topics_to_avoid: Notes | None = Field(None, description="part of the client's guidance")
    author: Label | None = Field(
        None,
        description="your component's label; the change is always recorded as the chatbot's: "
        "chatbot:<token name>/<author>",
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if all(getattr(self, name) is None for name in CONTEXT_FIELDS):
            message = f"give at least one of: {', '.join(CONTEXT_FIELDS)}"
            raise PydanticCustomError("nothing_to_change", message, {"field": "fields"})
        return self


class CitationQuery(In):
    user_id: Id = Field(description="required: session ids are unique per user only")
    session_id: Id | None = None
    type: CitationType | None = None
    since: AwareDatetime | None = Field(None, description="ISO 8601 with a time zone, inclusive")
    until: AwareDatetime | None = Field(
        None, description="ISO 8601 with a time zone, inclusive; not earlier than `since` (else 400)"
    )
    limit: int = Field(500, ge=1, le=500)

    @field_validator("since", "until", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)

    @field_validator("until")
    @classmethod
    def _after_since(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        since = info.data.get("since")
        if value is not None and since is not None and since > value:
            raise ValueError("until must not be earlier than since")
        return value


# ---------------------------------------------------------------------------- responses
# Each response body is read from a domain object: a field takes the attribute of the same name, or the
# one its ``validation_alias`` names where the API's name differs (``message_id`` is ``Message.id``).


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


Finite = Annotated[float | None, BeforeValidator(_finite)]  # NaN and infinities are not JSON: null


class Out(BaseModel):
    # pydantic reads the attributes itself (ninja's Schema would route each through Django's template
    # variable lookup: ten times slower on a resumed session of 100 messages).
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    @classmethod
    def of(cls, item: object, **extra: object) -> Self:
        """The body for ``item``; ``extra`` gives fields the domain object does not have."""
        return cls.model_validate(_With(item, extra) if extra else item)


@dataclass(frozen=True)
class _With:
    """A domain object seen with a few more attributes (flags of the answer, not of the domain)."""

    item: object
    extra: dict[str, object]

    def __getattr__(self, name: str) -> object:
        return self.extra[name] if name in self.extra else getattr(self.item, name)


class UnreadableOut(Out):
    """An entry that could not be decoded: shown as a gap, its content is never sent or logged."""

    unreadable: Literal[True] = True
    kind: str
    position: int
    reason: str


def _entries(build: type[Out]) -> BeforeValidator:
    """Domain entries as bodies: each readable one as ``build``, each unreadable one as a gap."""

    def convert(items: Iterable[object]) -> list[Out]:
        return [UnreadableOut.of(i) if isinstance(i, UnreadableEntry) else build.of(i) for i in items]

    return BeforeValidator(convert)


class MessageOut(Out):
    message_id: str = Field(validation_alias="id")
    seq: int
    role: Role
    content: str
    timestamp: datetime
    citation_id: str
    emotion: EmotionLabel | None = None
    intensity: Finite = None
    confidence: Finite = None


class AppendOut(MessageOut):
    created: bool = Field(description="true: stored by this request (201); false: stored before (200)")
    risk: RiskAssessmentOut | None = Field(
        None, description="risk assessment of a client (role user) message; null for other roles"
    )


class EmotionOut(Out):
    current_emotion: EmotionLabel
    intensity: Finite = Field(validation_alias="emotion_intensity")
    confidence: Finite = Field(validation_alias="emotion_confidence")
    last_emotion_change: datetime | None
    emotion_tracking_id: str | None = Field(description="citation id of the last change")


class TransitionOut(Out):
    from_emotion: EmotionLabel | None
    to_emotion: EmotionLabel
    intensity: Finite
    confidence: Finite
    at: datetime
    citation_id: str
    message_id: str | None = None


class MilestoneOut(Out):
    milestone_id: str = Field(validation_alias="id")
    description: str
    emotion: EmotionLabel | None
    at: datetime
    message_count: int
    citation_id: str


class BreakthroughOut(Out):
    breakthrough_id: str = Field(validation_alias="id")
    description: str
    category: BreakthroughCategory
    confidence: Finite
    evidence: list[str]
    at: datetime
    citation_id: str


class ContextOut(Out):
    current_theme: str
    therapeutic_focus: str
    client_state_summary: str
    session_notes: str
    last_summarized: datetime | None
    version: int
    notes_updated_by: str = Field(
        description="a clinician's username, or chatbot:... for the chatbot's writes"
    )
    topics_to_avoid: str = Field(description="guidance: topics the therapist asks the chatbot to avoid")
    guidance_version: int = Field(
        description="the client's guidance version a clinician wrote here (0: none)"
    )
    guidance_updated_by: str = Field(description="who last wrote a guidance field (theme, focus, topics)")


class SessionOut(Out):
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


class SessionStateOut(Out):
    source: Literal["live", "archive"] = Field(description="live: Redis; archive: the record after expiry")
    read_only: bool = Field(description="true for an archived session: it accepts no writes")
    live_unavailable: bool = Field(description="true when Redis could not be asked (archive shown)")
    resumed: bool = Field(description="true when this request recorded a resume (write tokens, live)")
    session: SessionOut = Field(validation_alias="metadata")
    emotion: EmotionOut
    emotion_log: Annotated[list[TransitionOut | UnreadableOut], _entries(TransitionOut)]
    messages: Annotated[list[MessageOut | UnreadableOut], _entries(MessageOut)] = Field(
        description="the live window, oldest first"
    )
    messages_in_overflow: int = Field(
        validation_alias="overflow_count", description="older messages waiting for the archiver"
    )
    milestones: Annotated[list[MilestoneOut | UnreadableOut], _entries(MilestoneOut)]
    breakthroughs: Annotated[list[BreakthroughOut | UnreadableOut], _entries(BreakthroughOut)]
    context: ContextOut
    unreadable_entries: int = Field(validation_alias="unreadable_count")

    @classmethod
    def of(cls, item: object, **extra: object) -> Self:
        """``extra``: ``source`` ("live" by default, or "archive"), ``live_unavailable``, ``resumed``."""
        source = extra.get("source", "live")
        flags = {"source": source, "read_only": source == "archive", "live_unavailable": False}
        return super().of(item, **(flags | {"resumed": False} | extra))


class SessionSummaryOut(Out):
    session_id: str
    status: SessionStatus
    started_at: datetime
    last_updated: datetime
    message_count: int
    milestone_count: int
    breakthrough_count: int
    current_emotion: EmotionLabel | None
    emotion_intensity: Finite


class SessionListOut(Schema):
    user_id: str
    sessions: list[SessionSummaryOut] = Field(description="live sessions, newest activity first")


class CloseOut(Schema):
    user_id: str
    session_id: str
    status: SessionStatus
    changed: bool = Field(description="false when the session was closed already")


class CitationOut(Out):
    citation_id: str
    type: CitationType
    timestamp: datetime
    user_id: str
    session_id: str
    event: str
    evidence: list[str]
    confidence: Finite
    status: str


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
