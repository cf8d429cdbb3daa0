"""Domain objects for export tests, with a fixed clock and fixed ids (golden files depend on them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from exports_app.records import ExportContext, ExportRecord, assemble
from sessions_app.domain import (
    Breakthrough,
    BreakthroughCategory,
    Citation,
    CitationType,
    ContextSnapshot,
    Emotion,
    EmotionState,
    EmotionTransition,
    Message,
    Milestone,
    Role,
    SessionMetadata,
    SessionState,
    SessionStatus,
)

T0 = datetime(2025, 11, 30, 14, 0, 0, tzinfo=UTC)
GENERATED = datetime(2025, 11, 30, 15, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def message(seq: int, content: str, role: Role | None = None) -> Message:
    return Message(
        id=f"m{seq}",
        seq=seq,
        role=role or (Role.USER if seq % 2 else Role.ASSISTANT),
        content=content,
        timestamp=at(seq * 10),
        citation_id=f"if://citation/00000000-0000-4000-8000-{seq:012d}",
        emotion=Emotion.ANXIOUS if seq == 1 else None,
        intensity=0.6 if seq == 1 else None,
        confidence=0.8 if seq == 1 else None,
    )


def make_state(
    messages: Sequence[Message],
    *,
    user_id: str = "client-7",
    session_id: str = "sess-42",
    notes: str = "Working hypothesis: abandonment schema.",
    milestone_text: str = "Client realized family pattern",
    breakthrough_text: str = "Understood how fear of abandonment shapes all relationships",
    message_count: int | None = None,
) -> SessionState:
    count = message_count if message_count is not None else max((m.seq for m in messages), default=0)
    last = at(count * 10 + 5)
    return SessionState(
        metadata=SessionMetadata(
            user_id=user_id,
            session_id=session_id,
            conversation_id="conv-1",
            started_at=T0,
            last_updated=last,
            last_model="claude-haiku-4-5",
            status=SessionStatus.ACTIVE,
            message_count=count,
            milestone_count=1,
            breakthrough_count=1,
        ),
        emotion=EmotionState(
            current_emotion=Emotion.BREAKTHROUGH,
            emotion_intensity=0.8,
            emotion_confidence=0.92,
            last_emotion_change=at(25),
            emotion_tracking_id="if://citation/00000000-0000-4000-8000-0000000000e2",
        ),
        emotion_log=(
            EmotionTransition(None, Emotion.ANXIOUS, 0.6, 0.8, at(10), "if://citation/e1"),
            EmotionTransition(Emotion.ANXIOUS, Emotion.BREAKTHROUGH, 0.8, 0.92, at(25), "if://citation/e2"),
        ),
        messages=tuple(messages),
        milestones=(Milestone("ms1", milestone_text, Emotion.BREAKTHROUGH, at(20), 2, "if://citation/ms1"),),
        breakthroughs=(
            Breakthrough(
                "b1",
                breakthrough_text,
                BreakthroughCategory.PATTERN_RECOGNITION,
                0.95,
                ("m1", "m2"),
                at(25),
                "if://citation/b1",
            ),
        ),
        context=ContextSnapshot(
            current_theme="family patterns",
            therapeutic_focus="relational",
            client_state_summary="Opening up.",
            session_notes=notes,
            last_summarized=at(30),
            version=3,
            notes_updated_by="alice",
        ),
    )


def citation(seq: int, user_id: str = "client-7", session_id: str = "sess-42") -> Citation:
    return Citation(
        citation_id=f"if://citation/00000000-0000-4000-8000-{seq:012d}",
        type=CitationType.MESSAGE_APPENDED,
        timestamp=at(seq * 10),
        user_id=user_id,
        session_id=session_id,
        event="message_appended",
        evidence=(f"m{seq}",),
    )


def make_record(contents: Sequence[str], **kwargs: object) -> ExportRecord:
    messages = [message(i + 1, text) for i, text in enumerate(contents)]
    state = make_state(messages, **kwargs)  # type: ignore[arg-type]
    return assemble(state, [], [citation(m.seq) for m in messages])


def make_context(**kwargs: object) -> ExportContext:
    defaults: dict[str, object] = {
        "requested_by": "alice",
        "generated_at": GENERATED,
        "export_id": "00000000-0000-4000-8000-00000000e001",
    }
    defaults.update(kwargs)
    return ExportContext(**defaults)  # type: ignore[arg-type]
