"""Mapping between domain objects and archive rows, both ways. No queries here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

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
from sessions_app.models import (
    ArchivedBreakthrough,
    ArchivedCitation,
    ArchivedEmotionTransition,
    ArchivedMessage,
    ArchivedMilestone,
    ArchivedSession,
)


def _emotion(value: str) -> Emotion | None:
    return Emotion(value) if value else None


# ------------------------------------------------------------------------------ to rows


def message_row(user_id: str, session_id: str, message: Message, now: datetime) -> ArchivedMessage:
    return ArchivedMessage(
        user_id=user_id,
        session_id=session_id,
        seq=message.seq,
        message_id=message.id,
        role=message.role.value,
        content=message.content,
        timestamp=message.timestamp,
        citation_id=message.citation_id,
        emotion=message.emotion.value if message.emotion else "",
        intensity=message.intensity,
        confidence=message.confidence,
        archived_at=now,
    )


def citation_row(citation: Citation, version: int | None) -> ArchivedCitation:
    return ArchivedCitation(
        citation_id=citation.citation_id,
        user_id=citation.user_id,
        session_id=citation.session_id,
        type=citation.type.value,
        timestamp=citation.timestamp,
        event=citation.event,
        evidence=list(citation.evidence),
        confidence=citation.confidence,
        status=citation.status,
        version=version,
    )


def transition_row(
    user_id: str, session_id: str, position: int, transition: EmotionTransition
) -> ArchivedEmotionTransition:
    return ArchivedEmotionTransition(
        user_id=user_id,
        session_id=session_id,
        position=position,
        citation_id=transition.citation_id,
        from_emotion=transition.from_emotion.value if transition.from_emotion else "",
        to_emotion=transition.to_emotion.value,
        intensity=transition.intensity,
        confidence=transition.confidence,
        at=transition.at,
        message_id=transition.message_id or "",
    )


def milestone_row(user_id: str, session_id: str, position: int, milestone: Milestone) -> ArchivedMilestone:
    return ArchivedMilestone(
        user_id=user_id,
        session_id=session_id,
        milestone_id=milestone.id,
        position=position,
        description=milestone.description,
        emotion=milestone.emotion.value if milestone.emotion else "",
        at=milestone.at,
        message_count=milestone.message_count,
        citation_id=milestone.citation_id,
    )


def breakthrough_row(
    user_id: str, session_id: str, position: int, breakthrough: Breakthrough
) -> ArchivedBreakthrough:
    return ArchivedBreakthrough(
        user_id=user_id,
        session_id=session_id,
        breakthrough_id=breakthrough.id,
        position=position,
        description=breakthrough.description,
        category=breakthrough.category.value,
        confidence=breakthrough.confidence,
        evidence=list(breakthrough.evidence),
        at=breakthrough.at,
        citation_id=breakthrough.citation_id,
    )


def session_row(state: SessionState, *, fingerprint: str, now: datetime) -> ArchivedSession:
    meta, emotion, context = state.metadata, state.emotion, state.context
    return ArchivedSession(
        user_id=meta.user_id,
        session_id=meta.session_id,
        conversation_id=meta.conversation_id,
        status=meta.status.value,
        started_at=meta.started_at,
        last_updated=meta.last_updated,
        last_resumed=meta.last_resumed,
        closed_at=meta.closed_at,
        last_model=meta.last_model,
        message_count=meta.message_count,
        milestone_count=meta.milestone_count,
        breakthrough_count=meta.breakthrough_count,
        current_emotion=emotion.current_emotion.value,
        emotion_intensity=emotion.emotion_intensity,
        emotion_confidence=emotion.emotion_confidence,
        last_emotion_change=emotion.last_emotion_change,
        emotion_tracking_id=emotion.emotion_tracking_id or "",
        current_theme=context.current_theme,
        therapeutic_focus=context.therapeutic_focus,
        client_state_summary=context.client_state_summary,
        session_notes=context.session_notes,
        last_summarized=context.last_summarized,
        context_version=context.version,
        notes_updated_by=context.notes_updated_by,
        topics_to_avoid=context.topics_to_avoid,
        guidance_version=context.guidance_version,
        guidance_updated_by=context.guidance_updated_by,
        first_archived_at=now,
        archived_at=now,
        fingerprint=fingerprint,
        indexed=False,
    )


# Fields a new snapshot overwrites; first_archived_at and removed_from_live_at stay as they were.
SESSION_UPDATE_FIELDS = [
    field.name
    for field in ArchivedSession._meta.concrete_fields
    if field.name not in {"id", "user_id", "session_id", "first_archived_at", "removed_from_live_at"}
]


# ------------------------------------------------------------------------------ from rows


def message_from_row(row: ArchivedMessage) -> Message:
    return Message(
        id=row.message_id,
        seq=row.seq,
        role=Role(row.role),
        content=row.content,
        timestamp=row.timestamp,
        citation_id=row.citation_id,
        emotion=_emotion(row.emotion),
        intensity=row.intensity,
        confidence=row.confidence,
    )


def citation_from_row(row: ArchivedCitation) -> Citation:
    return Citation(
        citation_id=row.citation_id,
        type=CitationType(row.type),
        timestamp=row.timestamp,
        user_id=row.user_id,
        session_id=row.session_id,
        event=row.event,
        evidence=tuple(str(item) for item in row.evidence),
        confidence=row.confidence,
        status=row.status,
    )


def transition_from_row(row: ArchivedEmotionTransition) -> EmotionTransition:
    return EmotionTransition(
        from_emotion=_emotion(row.from_emotion),
        to_emotion=Emotion(row.to_emotion),
        intensity=row.intensity,
        confidence=row.confidence,
        at=row.at,
        citation_id=row.citation_id,
        message_id=row.message_id or None,
    )


def milestone_from_row(row: ArchivedMilestone) -> Milestone:
    return Milestone(
        id=row.milestone_id,
        description=row.description,
        emotion=_emotion(row.emotion),
        at=row.at,
        message_count=row.message_count,
        citation_id=row.citation_id,
    )


def breakthrough_from_row(row: ArchivedBreakthrough) -> Breakthrough:
    return Breakthrough(
        id=row.breakthrough_id,
        description=row.description,
        category=BreakthroughCategory(row.category),
        confidence=row.confidence,
        evidence=tuple(str(item) for item in row.evidence),
        at=row.at,
        citation_id=row.citation_id,
    )


def state_from_rows(
    row: ArchivedSession,
    *,
    transitions: Sequence[ArchivedEmotionTransition],
    messages: Sequence[ArchivedMessage],
    earlier_messages: int,
    milestones: Sequence[ArchivedMilestone],
    breakthroughs: Sequence[ArchivedBreakthrough],
) -> SessionState:
    """A ``SessionState`` served from the archive; ``earlier_messages`` plays the role of overflow."""
    return SessionState(
        metadata=SessionMetadata(
            user_id=row.user_id,
            session_id=row.session_id,
            conversation_id=row.conversation_id,
            started_at=row.started_at,
            last_updated=row.last_updated,
            last_model=row.last_model,
            status=SessionStatus(row.status),
            message_count=row.message_count,
            milestone_count=row.milestone_count,
            breakthrough_count=row.breakthrough_count,
            last_resumed=row.last_resumed,
            closed_at=row.closed_at,
            archived_at=row.archived_at,
        ),
        emotion=EmotionState(
            current_emotion=Emotion(row.current_emotion),
            emotion_intensity=row.emotion_intensity,
            emotion_confidence=row.emotion_confidence,
            last_emotion_change=row.last_emotion_change,
            emotion_tracking_id=row.emotion_tracking_id or None,
        ),
        emotion_log=tuple(transition_from_row(t) for t in transitions),
        messages=tuple(message_from_row(m) for m in messages),
        milestones=tuple(milestone_from_row(m) for m in milestones),
        breakthroughs=tuple(breakthrough_from_row(b) for b in breakthroughs),
        context=ContextSnapshot(
            current_theme=row.current_theme,
            therapeutic_focus=row.therapeutic_focus,
            client_state_summary=row.client_state_summary,
            session_notes=row.session_notes,
            last_summarized=row.last_summarized,
            version=row.context_version,
            notes_updated_by=row.notes_updated_by,
            topics_to_avoid=row.topics_to_avoid,
            guidance_version=row.guidance_version,
            guidance_updated_by=row.guidance_updated_by,
        ),
        overflow_count=earlier_messages,
    )
