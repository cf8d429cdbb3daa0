"""Reads for the dashboard and the HTTP API: live state first, the archive once Redis has forgotten.

Access control is the caller's job: every function here returns whatever it is asked for, so call it
only after the access check (``search_messages`` takes the ids the caller may see).

Each function takes an optional ``manager`` (the process's ``get_state_manager()`` by default); tests
pass their own.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from django.db.models import Q

import sessions_app.state.codec as codec
from sessions_app.archive import mapping
from sessions_app.archive.search import chroma
from sessions_app.archive.search.chroma import SearchUnavailable
from sessions_app.domain import (
    CONTEXT_FIELDS,
    Citation,
    CitationType,
    Message,
    SessionState,
    UnreadableEntry,
)
from sessions_app.errors import InvalidInput, SessionNotFound, StateUnavailable
from sessions_app.models import (
    ArchivedBreakthrough,
    ArchivedCitation,
    ArchivedEmotionTransition,
    ArchivedMessage,
    ArchivedMilestone,
    ArchivedSession,
    NoteRevision,
)
from sessions_app.state.keys import check_id
from sessions_app.state.live import LiveStore
from sessions_app.state.manager import ConversationStateManager
from sessions_app.state.validation import check_choice, check_int

__all__ = [
    "HistoryPage",
    "MessageHit",
    "SearchUnavailable",
    "SessionRecord",
    "get_history",
    "get_session",
    "search_citations",
    "search_messages",
]

SNIPPET_CHARS = 200


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


@dataclass(frozen=True)
class MessageHit:
    user_id: str
    session_id: str
    seq: int
    message_id: str
    timestamp: datetime
    snippet: str
    score: float  # cosine similarity, 1.0 = identical


def _manager(manager: ConversationStateManager | None) -> ConversationStateManager:
    if manager is not None:
        return manager
    from sessions_app.state.configured import get_state_manager

    return get_state_manager()


# ------------------------------------------------------------------------------ sessions


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
    fields = {name: str(value) for name, value in later.fields.items() if name in CONTEXT_FIELDS}
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
    mgr = _manager(manager)
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
        raws = LiveStore(_manager(manager).redis).history(user_id, session_id)
    except StateUnavailable:
        raws, live_unavailable = None, True
    live = list(codec.decode_members(raws or (), "message", codec.message_from, key=session_id))
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


# ------------------------------------------------------------------------------ citations


def _aware(value: datetime | None, field: str) -> datetime | None:
    """A timezone-aware bound, in UTC: PostgreSQL refuses UTC offsets beyond ±15:59 that Python allows."""
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(field, f"{field} must be a timezone-aware datetime")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(field, f"{field} is outside the supported range of dates") from None


def _live_citations(
    mgr: ConversationStateManager, user_id: str | None, session_id: str | None
) -> list[Citation]:
    if user_id is not None and session_id is not None:
        targets = [(user_id, session_id)]
    elif user_id is not None:
        targets = [(user_id, summary.session_id) for summary in mgr.get_user_sessions(user_id)]
    else:
        targets = [
            (u, s) for u, s in LiveStore(mgr.redis).sessions() if session_id is None or s == session_id
        ]
    found: list[Citation] = []
    for uid, sid in targets:
        try:
            found += mgr.get_pending_citations(uid, sid)
        except SessionNotFound:
            continue  # expired (or archived and removed) since it was listed
    return found


def search_citations(
    *,
    user_id: str | None = None,
    session_id: str | None = None,
    citation_type: str | CitationType | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
    include_live: bool = True,
    manager: ConversationStateManager | None = None,
) -> list[Citation]:
    """Citations by session, user, time range and type (the report's four filters), oldest first.

    Archived and still-buffered live citations together, each once (by citation id). Raises
    ``StateUnavailable`` when Redis is down, since the answer would be incomplete; pass
    ``include_live=False`` to search the archive alone.
    """
    if user_id is not None:
        check_id(user_id, "user_id")
    if session_id is not None:
        check_id(session_id, "session_id")
    ctype = None if citation_type is None else check_choice(citation_type, CitationType, "citation_type")
    since, until = _aware(since, "since"), _aware(until, "until")
    check_int(limit, "limit", minimum=1)
    rows = ArchivedCitation.objects.all()
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    if session_id is not None:
        rows = rows.filter(session_id=session_id)
    if ctype is not None:
        rows = rows.filter(type=ctype.value)
    if since is not None:
        rows = rows.filter(timestamp__gte=since)
    if until is not None:
        rows = rows.filter(timestamp__lte=until)
    by_id = {
        row.citation_id: mapping.citation_from_row(row) for row in rows.order_by("timestamp", "id")[:limit]
    }
    if include_live:
        for citation in _live_citations(_manager(manager), user_id, session_id):
            if (
                (ctype is None or citation.type is ctype)
                and (since is None or citation.timestamp >= since)
                and (until is None or citation.timestamp <= until)
            ):
                by_id.setdefault(citation.citation_id, citation)
    return sorted(by_id.values(), key=lambda c: (c.timestamp, c.citation_id))[:limit]


# ------------------------------------------------------------------------------ text search


def _snippet(text: str, query: str) -> str:
    """About SNIPPET_CHARS characters of ``text`` around the first word it shares with ``query``."""
    if len(text) <= SNIPPET_CHARS:
        return text
    start = 0
    for word in re.findall(r"\w{3,}", query.lower()):
        found = text.lower().find(word)
        if found >= 0:
            start = max(0, found - SNIPPET_CHARS // 4)
            break
    piece = text[start : start + SNIPPET_CHARS]
    return ("…" if start > 0 else "") + piece + ("…" if start + SNIPPET_CHARS < len(text) else "")


def search_messages(query: str, *, user_ids: Collection[str], limit: int = 20) -> list[MessageHit]:
    """Archived messages most similar to ``query``, only of the given clients, best first.

    Only archived messages are indexed (the live window is not). Snippets come from the database,
    the record of truth; a hit the database does not hold (a stale index) is left out. Raises
    ``SearchUnavailable`` when the search index cannot be used; the records themselves are unaffected.
    """
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput("query", "query must not be empty")
    if isinstance(user_ids, str):
        raise InvalidInput("user_ids", "user_ids must be a collection of ids, not one string")
    check_int(limit, "limit", minimum=1, maximum=500)
    ids = sorted({check_id(uid, "user_id") for uid in user_ids})
    if not ids:
        return []
    where = {"user_id": ids[0]} if len(ids) == 1 else {"user_id": {"$in": ids}}
    hits = chroma.query(chroma.MESSAGES, query, where=where, limit=limit)
    keys = []
    for hit in hits:
        meta = hit.metadata
        if meta.get("user_id") in ids:  # belt and braces: never show another client's words
            keys.append((str(meta["user_id"]), str(meta["session_id"]), int(meta["seq"]), 1.0 - hit.distance))
    rows = {
        (row.user_id, row.session_id, row.seq): row
        for row in ArchivedMessage.objects.filter(
            user_id__in={k[0] for k in keys},
            session_id__in={k[1] for k in keys},
            seq__in={k[2] for k in keys},
        )
    }
    results = []
    for user_id, session_id, seq, score in keys:
        row = rows.get((user_id, session_id, seq))
        if row is not None:
            results.append(
                MessageHit(
                    user_id=user_id,
                    session_id=session_id,
                    seq=seq,
                    message_id=row.message_id,
                    timestamp=row.timestamp,
                    snippet=_snippet(row.content, query),
                    score=score,
                )
            )
    return results
