"""The conversation-state domain: frozen dataclasses, no Django or Redis imports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar


class Emotion(str):
    """An emotion label, e.g. ``Emotion("sad")``: a string, so it compares, hashes and serialises as one.

    Which labels exist is configuration (``sessions_app.emotions``: the vocabulary with a valence per
    label), checked where input enters; a stored label always reads back, even after the vocabulary
    changed. The design report's eight are constants (``Emotion.NEUTRAL`` ...).
    """

    __slots__ = ()
    NEUTRAL: ClassVar[Emotion]
    HAPPY: ClassVar[Emotion]
    FRUSTRATED: ClassVar[Emotion]
    ANXIOUS: ClassVar[Emotion]
    BREAKTHROUGH: ClassVar[Emotion]
    INTEGRATED: ClassVar[Emotion]
    EXPLORING: ClassVar[Emotion]
    RESISTANT: ClassVar[Emotion]

    @property
    def value(self) -> str:
        """The label as a plain ``str`` (the name enums use, kept for the code that reads ``.value``)."""
        return str.__str__(self)


for _label in (
    "neutral",
    "happy",
    "frustrated",
    "anxious",
    "breakthrough",
    "integrated",
    "exploring",
    "resistant",
):
    setattr(Emotion, _label.upper(), Emotion(_label))
del _label


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class BreakthroughCategory(StrEnum):
    PATTERN_RECOGNITION = "pattern_recognition"
    EMOTIONAL_RELEASE = "emotional_release"
    COGNITIVE_REFRAME = "cognitive_reframe"
    SELF_COMPASSION = "self_compassion"
    RELATIONAL_INSIGHT = "relational_insight"
    SOMATIC_AWARENESS = "somatic_awareness"
    EXISTENTIAL_INSIGHT = "existential_insight"
    BEHAVIORAL_COMMITMENT = "behavioral_commitment"


class SessionStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class CitationType(StrEnum):
    SESSION_INITIALIZED = "session_initialized"
    MESSAGE_APPENDED = "message_appended"
    EMOTION_STATE_UPDATE = "emotion_state_update"
    MILESTONE_RECORDED = "milestone_recorded"
    BREAKTHROUGH_RECORDED = "breakthrough_recorded"
    CONTEXT_SNAPSHOT_UPDATED = "context_snapshot_updated"
    SESSION_RESUMED = "session_resumed"
    SESSION_CLOSED = "session_closed"


CONTEXT_FIELDS: tuple[str, ...] = (
    "current_theme",
    "therapeutic_focus",
    "client_state_summary",
    "session_notes",
    "topics_to_avoid",
)
# The therapist's standing guidance for a client's conversations (set per client in the dashboard,
# seeded into every new session, written into live ones). The chatbot may write them too; whoever
# wrote them last is kept in ``guidance_updated_by``.
GUIDANCE_FIELDS: tuple[str, ...] = ("current_theme", "therapeutic_focus", "topics_to_avoid")
# Authors of context writes: a clinician's username as it is (usernames never contain ':'), and
# everything else the chatbot writes as "chatbot" or "chatbot:<label>", so the chatbot can never
# pass for a clinician.
CHATBOT_AUTHOR = "chatbot"


@dataclass(frozen=True)
class UnreadableEntry:
    """A list or set member that could not be decoded. Shown as a gap; its content is never logged."""

    kind: str
    position: int
    reason: str


@dataclass(frozen=True)
class Message:
    id: str
    seq: int
    role: Role
    content: str
    timestamp: datetime
    citation_id: str
    emotion: Emotion | None = None
    intensity: float | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class EmotionState:
    current_emotion: Emotion
    emotion_intensity: float
    emotion_confidence: float
    last_emotion_change: datetime | None
    emotion_tracking_id: str | None


@dataclass(frozen=True)
class EmotionTransition:
    from_emotion: Emotion | None
    to_emotion: Emotion
    intensity: float
    confidence: float
    at: datetime
    citation_id: str
    message_id: str | None = None


@dataclass(frozen=True)
class Milestone:
    id: str
    description: str
    emotion: Emotion | None
    at: datetime
    message_count: int
    citation_id: str


@dataclass(frozen=True)
class Breakthrough:
    id: str
    description: str
    category: BreakthroughCategory
    confidence: float
    evidence: tuple[str, ...]
    at: datetime
    citation_id: str


@dataclass(frozen=True)
class ContextSnapshot:
    current_theme: str = ""
    therapeutic_focus: str = ""
    client_state_summary: str = ""
    session_notes: str = ""
    last_summarized: datetime | None = None
    version: int = 0
    notes_updated_by: str = ""
    topics_to_avoid: str = ""
    guidance_version: int = 0  # the client's guidance version last written here by a clinician (0: none)
    guidance_updated_by: str = ""  # who last wrote a guidance field: a clinician, or "chatbot:..."


@dataclass(frozen=True)
class Citation:
    citation_id: str
    type: CitationType
    timestamp: datetime
    user_id: str
    session_id: str
    event: str
    evidence: tuple[str, ...] = ()
    confidence: float | None = None
    status: str = "verified"


@dataclass(frozen=True)
class SessionMetadata:
    user_id: str
    session_id: str
    conversation_id: str
    started_at: datetime
    last_updated: datetime
    last_model: str
    status: SessionStatus
    message_count: int
    milestone_count: int
    breakthrough_count: int
    last_resumed: datetime | None = None
    closed_at: datetime | None = None
    archived_at: datetime | None = None


@dataclass(frozen=True)
class SessionState:
    """One consistent read of a whole live session."""

    metadata: SessionMetadata
    emotion: EmotionState
    emotion_log: tuple[EmotionTransition | UnreadableEntry, ...]
    messages: tuple[Message | UnreadableEntry, ...]
    milestones: tuple[Milestone | UnreadableEntry, ...]
    breakthroughs: tuple[Breakthrough | UnreadableEntry, ...]
    context: ContextSnapshot
    overflow_count: int = 0
    pending_citations: tuple[Citation | UnreadableEntry, ...] = field(default=())

    @property
    def unreadable_count(self) -> int:
        groups = (
            self.emotion_log,
            self.messages,
            self.milestones,
            self.breakthroughs,
            self.pending_citations,
        )
        return sum(isinstance(item, UnreadableEntry) for group in groups for item in group)


@dataclass(frozen=True)
class SessionSummary:
    """A row of a user's session list."""

    user_id: str
    session_id: str
    status: SessionStatus
    started_at: datetime
    last_updated: datetime
    message_count: int
    milestone_count: int
    breakthrough_count: int
    current_emotion: Emotion | None
    emotion_intensity: float | None


@dataclass(frozen=True)
class JourneySummary:
    current: EmotionState
    transitions: tuple[EmotionTransition | UnreadableEntry, ...]
    milestones: tuple[Milestone | UnreadableEntry, ...]
    breakthroughs: tuple[Breakthrough | UnreadableEntry, ...]

    def breakthroughs_by_confidence(self) -> list[Breakthrough]:
        readable = [b for b in self.breakthroughs if isinstance(b, Breakthrough)]
        return sorted(readable, key=lambda b: (-b.confidence, b.at))


@dataclass(frozen=True)
class SessionStats:
    user_id: str
    session_id: str
    status: SessionStatus
    message_count: int
    messages_in_window: int
    messages_in_overflow: int
    milestone_count: int
    breakthrough_count: int
    emotion_transitions: int
    pending_citations: int
    duration_seconds: float
    ttl_seconds: int | None
