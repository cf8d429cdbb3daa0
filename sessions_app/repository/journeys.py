"""Every session of one client, as the client page needs them: metadata, the emotion log and the times
of the client's own turns, live sessions from Redis and archived ones from the database.

Archived sessions cost three queries whatever their number (sessions, transitions, the client's turn
times: index columns only, never message text). Live sessions are read one consistent snapshot each
(a client has few at a time); their older turns come from the live overflow and the archive. A session
both live and archived is taken once, from Redis. Access control is the caller's job.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sessions_app.state.codec as codec
from sessions_app.archive import mapping
from sessions_app.domain import EmotionTransition, Message, Role, SessionState, UnreadableEntry
from sessions_app.errors import CorruptSession, SessionNotFound, StateUnavailable
from sessions_app.models import ArchivedEmotionTransition, ArchivedMessage, ArchivedSession
from sessions_app.repository.sessions import state_manager
from sessions_app.state.live import LiveStore
from sessions_app.state.manager import ConversationStateManager
from sessions_app.state.overview import live_entries

logger = logging.getLogger(__name__)
SESSION_COLUMNS = (
    "session_id", "status", "started_at", "last_updated", "message_count",
    "milestone_count", "breakthrough_count",
)  # fmt: skip


@dataclass(frozen=True)
class SessionJourney:
    client_id: str
    session_id: str
    source: Literal["live", "archive"]
    status: str
    started_at: datetime
    last_updated: datetime
    message_count: int
    milestone_count: int
    breakthrough_count: int
    transitions: tuple[EmotionTransition, ...]  # readable ones, in log order
    unreadable: int  # entries of the emotion log or transcript that could not be decoded
    client_turns: tuple[datetime, ...]  # times of the client's messages, oldest first


@dataclass(frozen=True)
class ClientJourneys:
    sessions: tuple[SessionJourney, ...]  # oldest first (by start)
    live_unavailable: bool  # Redis could not be asked: only archived sessions are shown
    unreadable_sessions: int = 0  # live sessions whose metadata is damaged (not shown, logged)


def _in_period(started: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or started >= since) and (until is None or started < until)


def _user_turns(items: Iterable[object]) -> list[tuple[int, datetime]]:
    return [(m.seq, m.timestamp) for m in items if isinstance(m, Message) and m.role == Role.USER]


def _live_journey(client_id: str, state: SessionState, mgr: ConversationStateManager) -> SessionJourney:
    """One live session; turns older than its window come from the overflow, then the archive."""
    session_id = state.metadata.session_id
    held: list[object] = list(state.messages)
    if state.overflow_count:
        raws = LiveStore(mgr.redis).history(client_id, session_id) or ()
        held = list(codec.decode_members(raws, "message", codec.message_from, key=session_id))
    seqs = [m.seq for m in held if isinstance(m, Message)]
    turns = _user_turns(held)
    if seqs and min(seqs) > 1:
        older = ArchivedMessage.objects.filter(
            user_id=client_id, session_id=session_id, role=Role.USER.value, seq__lt=min(seqs)
        ).values_list("seq", "timestamp")
        turns = [*older, *turns]
    meta = state.metadata
    readable = tuple(t for t in state.emotion_log if isinstance(t, EmotionTransition))
    unreadable = sum(isinstance(x, UnreadableEntry) for x in (*state.emotion_log, *held))
    return SessionJourney(
        client_id, session_id, "live", meta.status.value, meta.started_at, meta.last_updated,
        meta.message_count, meta.milestone_count, meta.breakthrough_count, readable, unreadable,
        tuple(at for _, at in sorted(turns)),
    )  # fmt: skip


def _live(
    client_id: str, mgr: ConversationStateManager, since: datetime | None, until: datetime | None
) -> tuple[list[SessionJourney], set[str], int]:
    """Live sessions in the period, the ids of those read (archived copies of them are not shown
    again), and how many could not be read (their archived copies, if any, are shown instead)."""
    found: list[SessionJourney] = []
    ids: set[str] = set()
    damaged = 0
    for entry in live_entries([client_id], mgr.redis):
        if entry.unreadable:
            damaged += 1
            continue
        try:
            state = mgr.read_session(client_id, entry.session_id)
        except SessionNotFound:
            continue  # expired (or archived and removed) since it was listed
        except CorruptSession:
            logger.error("a live session of the client page is unreadable: %s", entry.session_id)
            damaged += 1
            continue
        ids.add(entry.session_id)  # shown from Redis (or out of the period): not from the archive
        if _in_period(state.metadata.started_at, since, until):
            found.append(_live_journey(client_id, state, mgr))
    return found, ids, damaged


def _archived(
    client_id: str, skip: set[str], since: datetime | None, until: datetime | None
) -> list[SessionJourney]:
    rows = ArchivedSession.objects.filter(user_id=client_id)
    if since is not None:
        rows = rows.filter(started_at__gte=since)
    if until is not None:
        rows = rows.filter(started_at__lt=until)
    sessions = [row for row in rows.values_list(*SESSION_COLUMNS) if row[0] not in skip]
    if not sessions:
        return []
    ids = [row[0] for row in sessions]
    transitions: dict[str, list[EmotionTransition]] = defaultdict(list)
    for t in ArchivedEmotionTransition.objects.filter(user_id=client_id, session_id__in=ids).order_by(
        "session_id", "position"
    ):
        transitions[t.session_id].append(mapping.transition_from_row(t))
    turns: dict[str, list[datetime]] = defaultdict(list)
    for session_id, at in (
        ArchivedMessage.objects.filter(user_id=client_id, session_id__in=ids, role=Role.USER.value)
        .order_by("session_id", "seq")
        .values_list("session_id", "timestamp")
    ):
        turns[session_id].append(at)
    return [
        SessionJourney(
            client_id,
            sid,
            "archive",
            status,
            started,
            updated,
            messages,
            milestones,
            breakthroughs,
            tuple(transitions[sid]),
            0,
            tuple(turns[sid]),
        )
        for sid, status, started, updated, messages, milestones, breakthroughs in sessions
    ]


def client_journeys(
    client_id: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    manager: ConversationStateManager | None = None,
) -> ClientJourneys:
    """The client's sessions that started in [since, until), oldest first. Redis down → the archived
    ones, with ``live_unavailable`` (never passed off as "no live sessions")."""
    mgr = state_manager(manager)
    live_unavailable = False
    try:
        live, live_ids, damaged = _live(client_id, mgr, since, until)
    except StateUnavailable:
        live, live_ids, damaged, live_unavailable = [], set(), 0, True
    archived = _archived(client_id, live_ids, since, until)
    ordered = sorted([*live, *archived], key=lambda j: (j.started_at, j.session_id))
    return ClientJourneys(tuple(ordered), live_unavailable, damaged)
