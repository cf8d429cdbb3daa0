"""Every session of one client, as the client page needs them: metadata, the emotion log and the times
of the client's own turns, live sessions from Redis and archived ones from the database.

Archived sessions cost three queries whatever their number (sessions, transitions, the client's turn
times: index columns only, never message text), and one once their details are cached: an archived
session's details change only with a new snapshot, whose fingerprint is in the cache key. The cache
(the Django cache) holds emotion labels, intensities and times of the client's turns, never text.
Live sessions are read one consistent snapshot each (a client has few at a time); their older turns
come from the live overflow and the archive. A session both live and archived is taken once, from
Redis. Access control is the caller's job.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.core.cache import cache

import sessions_app.state.members as members
from sessions_app.archive import mapping
from sessions_app.domain import EmotionTransition, Message, Role, SessionState, UnreadableEntry
from sessions_app.errors import CorruptSession, SessionNotFound, StateUnavailable
from sessions_app.models import ArchivedEmotionTransition, ArchivedMessage, ArchivedSession
from sessions_app.repository.sessions import state_manager
from sessions_app.state.live import LiveStore
from sessions_app.state.manager import ConversationStateManager
from sessions_app.state.overview import live_entries

logger = logging.getLogger(__name__)
CACHE_SECONDS = 7 * 24 * 3600
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
        held = list(members.messages(raws, key=session_id))
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


def _cache_key(client_id: str, row: tuple[Any, ...]) -> str:
    # The archived record of a session changes only with a new snapshot (a new fingerprint).
    session_id, fingerprint, messages = row[0], row[-1], row[4]
    return f"journey:v1:{client_id}:{session_id}:{fingerprint}:{messages}"


def _cached(keys: list[str]) -> dict[str, Any]:
    """The cache is only a shortcut: if it cannot answer, the database does."""
    try:
        return dict(cache.get_many(keys))
    except Exception as exc:
        logger.warning("journey cache unavailable (%s); reading the archive", type(exc).__name__)
        return {}


def _remember(values: dict[str, Any]) -> None:
    try:
        cache.set_many(values, timeout=CACHE_SECONDS)
    except Exception as exc:
        logger.warning("journey cache unavailable (%s); not kept", type(exc).__name__)


def _details(
    client_id: str, ids: list[str]
) -> dict[str, tuple[tuple[EmotionTransition, ...], tuple[datetime, ...]]]:
    """Transitions and client-turn times of archived sessions: two queries, index columns for turns."""
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
    return {sid: (tuple(transitions[sid]), tuple(turns[sid])) for sid in ids}


def _archived(
    client_id: str, skip: set[str], since: datetime | None, until: datetime | None
) -> list[SessionJourney]:
    rows = ArchivedSession.objects.filter(user_id=client_id)
    if since is not None:
        rows = rows.filter(started_at__gte=since)
    if until is not None:
        rows = rows.filter(started_at__lt=until)
    sessions = [row for row in rows.values_list(*SESSION_COLUMNS, "fingerprint") if row[0] not in skip]
    if not sessions:
        return []
    keys = {row[0]: _cache_key(client_id, row) for row in sessions}
    hits = _cached(list(keys.values()))
    details = {sid: hits[key] for sid, key in keys.items() if key in hits}
    missing = [sid for sid in keys if sid not in details]
    if missing:
        fresh = _details(client_id, missing)
        details.update(fresh)
        _remember({keys[sid]: value for sid, value in fresh.items()})
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
            details[sid][0],
            0,
            details[sid][1],
        )
        for sid, status, started, updated, messages, milestones, breakthroughs, _ in sessions
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
