"""The HTTP API of the chatbot backend: write and resume conversation state from any language.

Thin handlers: validate (ninja Schemas) → state layer (``configured.get_state_manager()``) → Schema out.
Every typed error of the state layer has one answer in the error shape of ``auth.error_response``;
the table is in the README ("HTTP API for the chatbot"). Mounted at ``/api/v1/`` by ``ifemotion/urls.py``.
"""

from __future__ import annotations

import logging
from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Query, Status

import sessions_app.state.configured as configured
from sessions_app.api import sources as api_sources
from sessions_app.api.answers import Kind, answers
from sessions_app.api.app import api
from sessions_app.api.auth import (
    ApiError,
    note_subject,
    request_token,
)
from sessions_app.api.emotion_schemas import EmotionLabelOut, EmotionVocabularyOut
from sessions_app.api.fields import ID_DESCRIPTION, ID_REGEX, ONE_LINE, Label
from sessions_app.api.schemas import (
    AppendOut,
    BreakthroughIn,
    BreakthroughOut,
    CitationListOut,
    CitationOut,
    CitationQuery,
    CloseOut,
    ContextOut,
    ContextPatchIn,
    EmotionIn,
    EmotionOut,
    MessageIn,
    MilestoneIn,
    MilestoneOut,
    SessionCreateIn,
    SessionListOut,
    SessionOut,
    SessionStateOut,
    SessionSummaryOut,
)
from sessions_app.domain import SessionStatus
from sessions_app.emotions import INFERRED_NOTE, vocabulary
from sessions_app.errors import (
    SessionNotFound,
    StateReadOnly,
    StateStorageFull,
    StateUnavailable,
)
from sessions_app.notes.reads import note_is_signed
from sessions_app.risk import intake as risk_intake
from sessions_app.risk.schemas import RiskAssessmentOut

logger = logging.getLogger(__name__)

UserId = Annotated[str, Path(pattern=ID_REGEX, min_length=1, max_length=64, description=ID_DESCRIPTION)]
SessionId = Annotated[str, Path(pattern=ID_REGEX, min_length=1, max_length=64, description=ID_DESCRIPTION)]

SESSION = "/sessions/{user_id}/{session_id}"
CLOSED = "`session_closed`: the session is closed to chatbot writes"


# ---------------------------------------------------------------------------- endpoints


@api.post(
    "/sessions",
    **answers(
        {201: SessionOut},
        Kind.BODY,
        conflict="`session_exists`: a session with this `session_id` exists (a retried create went through)",
    ),
    tags=["sessions"],
    operation_id="createSession",
)
def create_session(request: HttpRequest, payload: SessionCreateIn) -> Status[SessionOut]:
    """Start a session. With your own `session_id`, a second create answers 409 `session_exists`."""
    note_subject(request, user_id=payload.user_id, session_id=payload.session_id)
    manager = configured.get_state_manager()
    session_id = manager.initialize_session(
        payload.user_id, model=payload.model, session_id=payload.session_id
    )
    note_subject(request, user_id=payload.user_id, session_id=session_id)
    return Status(201, SessionOut.of(manager.read_session(payload.user_id, session_id).metadata))


@api.post(
    f"{SESSION}/messages",
    **answers({201: AppendOut, 200: AppendOut}, Kind.BODY, conflict=CLOSED),
    tags=["sessions"],
    operation_id="appendMessage",
)
def append_message(
    request: HttpRequest, user_id: UserId, session_id: SessionId, payload: MessageIn
) -> Status[AppendOut]:
    """Append a message (with an optional emotion update in the same atomic step).

    201: stored now. 200: a message with this `message_id` was stored before; nothing new is stored and
    the stored message is returned. A client message (`role` user) is assessed for risk: `risk` says
    whether it was flagged, so the chatbot can show crisis resources at once.
    """
    feeling = payload.emotion
    result = configured.get_state_manager().append_message_result(
        user_id,
        session_id,
        role=payload.role,
        content=payload.content,
        message_id=payload.message_id,
        emotion=feeling.emotion if feeling else None,
        intensity=feeling.intensity if feeling else None,
        confidence=feeling.confidence if feeling else None,
    )
    assessed = risk_intake.assess_append(configured.get_state_manager(), user_id, session_id, result.message)
    out = AppendOut.of(
        result.message, created=result.created, risk=RiskAssessmentOut.of(assessed) if assessed else None
    )
    return Status(201 if result.created else 200, out)


@api.put(
    f"{SESSION}/emotion",
    **answers({200: EmotionOut}, Kind.BODY, conflict=CLOSED),
    tags=["sessions"],
    operation_id="updateEmotion",
)
def update_emotion(
    request: HttpRequest, user_id: UserId, session_id: SessionId, payload: EmotionIn
) -> EmotionOut:
    """Set the client's current emotion; the transition is logged with a citation."""
    state = configured.get_state_manager().update_emotion(
        user_id,
        session_id,
        emotion=payload.emotion,
        intensity=payload.intensity,
        confidence=payload.confidence,
    )
    return EmotionOut.of(state)


@api.post(
    f"{SESSION}/milestones",
    **answers({201: MilestoneOut}, Kind.BODY, conflict=CLOSED),
    tags=["sessions"],
    operation_id="recordMilestone",
)
def record_milestone(
    request: HttpRequest, user_id: UserId, session_id: SessionId, payload: MilestoneIn
) -> Status[MilestoneOut]:
    milestone = configured.get_state_manager().record_milestone(
        user_id, session_id, description=payload.description, emotion=payload.emotion
    )
    return Status(201, MilestoneOut.of(milestone))


@api.post(
    f"{SESSION}/breakthroughs",
    **answers({201: BreakthroughOut}, Kind.BODY, conflict=CLOSED),
    tags=["sessions"],
    operation_id="recordBreakthrough",
)
def record_breakthrough(
    request: HttpRequest, user_id: UserId, session_id: SessionId, payload: BreakthroughIn
) -> Status[BreakthroughOut]:
    breakthrough = configured.get_state_manager().record_breakthrough(
        user_id,
        session_id,
        description=payload.description,
        category=payload.category,
        confidence=payload.confidence,
        evidence=payload.evidence,
    )
    return Status(201, BreakthroughOut.of(breakthrough))


@api.patch(
    f"{SESSION}/context",
    **answers(
        {200: ContextOut},
        Kind.BODY,
        conflict="`version_conflict`: someone saved since `expected_version`; `error.current` is the "
        "snapshot now (nothing was written)",
    ),
    tags=["sessions"],
    operation_id="updateContext",
)
def update_context(
    request: HttpRequest, user_id: UserId, session_id: SessionId, payload: ContextPatchIn
) -> ContextOut:
    """Change fields of the context snapshot if its version is still `expected_version`.

    On a conflict nothing is written and the answer is 409 `version_conflict` with `error.current`,
    the snapshot as it is now: merge, then send again with `current.version`.
    """
    fields = payload.model_dump(exclude_none=True, exclude={"expected_version", "author"})
    if "session_notes" in fields and note_is_signed(user_id, session_id):
        raise ApiError(
            409,
            "note_signed",
            "a clinician has signed this session's note; it can no longer be changed",
            field="session_notes",
        )
    # Recorded as the chatbot's (chatbot:<token>[/<author>]) by the state layer, whatever it says.
    token = request_token(request)
    author = "/".join(part for part in (token.name if token else "", payload.author or "") if part) or None
    snapshot = configured.get_state_manager().update_context_snapshot(
        user_id, session_id, expected_version=payload.expected_version, author=author, **fields
    )
    return ContextOut.of(snapshot)


@api.get(
    SESSION,
    **answers(
        {200: SessionStateOut},
        Kind.READ,
        scope="`insufficient_scope`: `?model=` records a model switch, which needs a write token",
    ),
    tags=["sessions"],
    operation_id="getSession",
)
def get_session(
    request: HttpRequest,
    user_id: UserId,
    session_id: SessionId,
    model: Annotated[
        Label | None, Query(description=f"the model now in use: records a model switch; {ONE_LINE}")
    ] = None,
) -> SessionStateOut:
    """Resume a session: its whole state in one consistent read.

    With a write token this records the resume (and a model switch, with `?model=`) and extends the
    session's retention. With a read token it is a plain read that changes nothing (`?model=` → 403).
    While Redis refuses writes (full or read-only) the state is still returned, with `resumed: false`.
    A session Redis has forgotten comes from the archive: `source: "archive"`, `read_only: true`;
    so does an archived session while Redis is unreachable, with `live_unavailable: true` (the live
    session may be newer). Redis unreachable and nothing archived → 503.
    """
    token = request_token(request)
    writes = token is not None and token.scope == "write"
    if model is not None and not writes:
        raise ApiError(
            403, "insufficient_scope", "recording a model switch needs a write token", field="model"
        )
    manager = configured.get_state_manager()
    try:
        if writes:
            try:
                return SessionStateOut.of(
                    manager.resume_session(user_id, session_id, model=model), resumed=True
                )
            except (StateStorageFull, StateReadOnly):
                # Redis refuses writes (full, read-only) but still reads: resume without recording it.
                logger.warning("resume of session %s not recorded: Redis refuses writes", session_id)
        return SessionStateOut.of(manager.read_session(user_id, session_id))
    except (SessionNotFound, StateUnavailable) as exc:
        if isinstance(exc, StateStorageFull | StateReadOnly):
            raise
        # Redis has forgotten it (or is down): the archive, read-only. Neither has it → 404 (or 503).
        stored = api_sources.stored_session(user_id, session_id)
        return SessionStateOut.of(
            stored.state, source=stored.source, live_unavailable=stored.live_unavailable
        )


@api.post(
    f"{SESSION}/close", **answers({200: CloseOut}, Kind.WRITE), tags=["sessions"], operation_id="closeSession"
)
def close_session(request: HttpRequest, user_id: UserId, session_id: SessionId) -> CloseOut:
    """Close the session to chatbot writes (notes may still be written). Closing twice is harmless."""
    changed = configured.get_state_manager().close_session(user_id, session_id)
    return CloseOut(user_id=user_id, session_id=session_id, status=SessionStatus.CLOSED, changed=changed)


@api.get(
    "/users/{user_id}/sessions",
    **answers({200: SessionListOut}, Kind.READ, corrupt=False),  # 404: a client beyond the token's reach
    tags=["sessions"],
    operation_id="listSessions",
)
def list_sessions(request: HttpRequest, user_id: UserId) -> SessionListOut:
    """The user's live sessions (those Redis still holds), newest activity first."""
    summaries = configured.get_state_manager().get_user_sessions(user_id)
    return SessionListOut(user_id=user_id, sessions=[SessionSummaryOut.of(s) for s in summaries])


@api.get(
    "/citations",
    **answers({200: CitationListOut}, Kind.READ, corrupt=False),  # 404: a client beyond the token's reach
    tags=["citations"],
    operation_id="searchCitations",
)
def search_citations(request: HttpRequest, filters: Query[CitationQuery]) -> CitationListOut:
    """Citations of a user (optionally one session), filtered by type and time, oldest first.

    `user_id` is required: session ids are only unique per user. Archived and live citations are
    searched together, each once; Redis unreachable → 503 (the answer would be incomplete).
    """
    note_subject(request, user_id=filters.user_id, session_id=filters.session_id)
    found = api_sources.search_citations(
        user_id=filters.user_id,
        session_id=filters.session_id,
        citation_type=filters.type,
        since=filters.since,
        until=filters.until,
        limit=filters.limit + 1,
    )
    shown = found[: filters.limit]
    return CitationListOut(
        citations=[CitationOut.of(c) for c in shown], count=len(shown), truncated=len(found) > filters.limit
    )


@api.get(
    "/emotions",
    **answers({200: EmotionVocabularyOut}, Kind.READ, missing=False, corrupt=False),
    tags=["emotions"],
    operation_id="listEmotions",
)
def list_emotions(request: HttpRequest) -> EmotionVocabularyOut:
    """The emotion vocabulary this server accepts (`EMOTION_VOCABULARY`), each label with its valence.

    Any other label in an `emotion` field is refused with 400 `invalid_input` naming these.
    """
    vocab = vocabulary()
    return EmotionVocabularyOut(
        labels=[EmotionLabelOut(label=label, valence=vocab.valence(label).value) for label in vocab.labels],
        note=f"Emotions are {INFERRED_NOTE}.",
    )
