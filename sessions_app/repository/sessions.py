"""Sessions and their whole history: live state first (its TTL untouched), the archive once Redis has
forgotten."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from django.db.models import Q

import sessions_app.state.members as members
from sessions_app.archive import mapping
from sessions_app.domain import (
    CONTEXT_FIELDS,
    Message,
    SessionState,
    UnreadableEntry,
)
from sessions_app.errors import SessionNotFound, StateUnavailable
from sessions_app.models import (
    ArchivedBreakthrough,
    ArchivedEmotionTransition,
    ArchivedMessage,
    ArchivedMilestone,
    ArchivedSession,
    NoteRevision,
)
from sessions_app.state.keys import check_id
from sessions_app.state.live import LiveStore
from sessions_app.state.manager import ConversationStateManager
from sessions_app.state.validation import check_int


@dataclass(frozen=True)
class SessionRecord:
    """A session as the dashboard shows it.

    ``state.messages`` is the most recent window (as live); ``state.overflow_count`` counts the
    earlier messages, which ``get_history`` pages through. ``live_unavailable`` is True when Redis
    could not be asked and the archive answered instead (the live session may be newer).
    """

    state: SessionState
    source: Literal["live", "archive"]
    live_unavailable: bool = False


@dataclass(frozen=True)
class HistoryPage:
    """A page of a session's whole message history (archive + overflow + window), by seq."""

    total: int
    offset: int
    items: tuple[Message | UnreadableEntry, ...]
    live_unavailable: bool = False  # True: Redis was down, only the archived part is shown


def state_manager(manager: ConversationStateManager | None) -> ConversationStateManager:
    if manager is not None:
        return manager
    from sessions_app.state.configured import get_state_manager

    return get_state_manager()


def _archived_state(user_id: str, session_id: str, window: int) -> SessionState | None:
    row = ArchivedSession.objects.filter(user_id=user_id, session_id=session_id).first()
    if row is None:
        return None
    where = Q(user_id=user_id, session_id=session_id)
    messages = ArchivedMessage.objects.filter(where)
    total = messages.count()
    recent = list(reversed(messages.order_by("-seq")[:window]))
    state = mapping.state_from_rows(
        row,
        transitions=list(ArchivedEmotionTransition.objects.filter(where).order_by("position")),
        messages=recent,
        earlier_messages=total - len(recent),
        milestones=list(ArchivedMilestone.objects.filter(where).order_by("at", "position")),
        breakthroughs=list(ArchivedBreakthrough.objects.filter(where).order_by("at", "position")),
    )
    return _with_later_notes(state, where)


def _with_later_notes(state: SessionState, where: Q) -> SessionState:
    """Notes saved after the last snapshot (a therapist's save does not extend the session's life, so
    Redis may forget it before the archiver's next pass) come from the revision the dashboard kept."""
    later = (
        NoteRevision.objects.filter(where, text_captured=True, version__gt=state.context.version)
        .order_by("-version")
        .first()
    )
    if later is None:
        return state
    fields: dict[str, Any] = {
        name: str(value) for name, value in later.fields.items() if name in CONTEXT_FIELDS
    }
    context = replace(
        state.context,
        **fields,
        version=later.version,
        notes_updated_by=later.author,
        last_summarized=later.saved_at,
    )
    return replace(state, context=context)


def get_session(
    user_id: str, session_id: str, *, manager: ConversationStateManager | None = None
) -> SessionRecord:
    """The session from Redis if it is live (its TTL untouched), else from the archive.

    Raises ``SessionNotFound`` when neither has it, and ``StateUnavailable`` when Redis is down and
    the archive does not have it (it may be live: never passed off as "not found").
    """
    check_id(user_id, "user_id")
    check_id(session_id, "session_id")
    mgr = state_manager(manager)
    try:
        return SessionRecord(state=mgr.read_session(user_id, session_id), source="live")
    except SessionNotFound:
        archived = _archived_state(user_id, session_id, mgr.window)
        if archived is None:
            raise
        return SessionRecord(state=archived, source="archive")
    except StateUnavailable:
        archived = _archived_state(user_id, session_id, mgr.window)
        if archived is None:
            raise
        return SessionRecord(state=archived, source="archive", live_unavailable=True)


def get_history(
    user_id: str,
    session_id: str,
    *,
    offset: int = 0,
    limit: int | None = None,
    manager: ConversationStateManager | None = None,
) -> HistoryPage:
    """Every message of the session in seq order, each once: archive, then overflow, then window.

    Redis is read first and the database second: the archiver commits before it trims, so a message
    that leaves Redis between the two reads is already in the database. Raises like ``get_session``.
    """
    check_id(user_id, "user_id")
    check_id(session_id, "session_id")
    check_int(offset, "offset")
    if limit is not None:
        check_int(limit, "limit", minimum=1)
    live_unavailable = False
    try:
        raws = LiveStore(state_manager(manager).redis).history(user_id, session_id)
    except StateUnavailable:
        raws, live_unavailable = None, True
    live = list(members.messages(raws or (), key=session_id))
    live_seqs = [item.seq for item in live if isinstance(item, Message)]
    archived = ArchivedMessage.objects.filter(user_id=user_id, session_id=session_id)
    if live_seqs:
        archived = archived.filter(seq__lt=min(live_seqs))
    archived_total = archived.count()
    known = raws is not None or archived_total > 0
    if not known and not ArchivedSession.objects.filter(user_id=user_id, session_id=session_id).exists():
        if live_unavailable:
            raise StateUnavailable("live records are temporarily unavailable and nothing is archived")
        raise SessionNotFound(user_id, session_id)
    stop = None if limit is None else offset + limit
    items: list[Message | UnreadableEntry] = []
    if offset < archived_total:
        rows = archived.order_by("seq")[offset : stop if stop is None else min(stop, archived_total)]
        items += [mapping.message_from_row(row) for row in rows]
    live_start = max(0, offset - archived_total)
    live_stop = None if stop is None else max(0, stop - archived_total)
    items += live[live_start:live_stop]
    return HistoryPage(
        total=archived_total + len(live), offset=offset, items=tuple(items), live_unavailable=live_unavailable
    )
