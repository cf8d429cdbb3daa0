"""Archived sessions totalled per client for one clinician's inbox, by the database.

An inbox of 200 clients with 20 sessions each must not turn 4,000 archived sessions into Python objects
on every view: the database joins each session with the clinician's read cursor and the length of its
emotion log and returns one row per client (unread messages, milestones, breakthroughs and emotion
changes, sessions, the latest activity). Plain SQL with LEFT JOINs: the ORM has no relation to join on
(archive rows and cursors share ids, not foreign keys), and correlated subqueries per column would
repeat the lookups. Portable SQL only (SQLite and PostgreSQL). No message row is read.

Sessions that are also live are excluded by the caller (``exclude``): Redis has the newer counts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.db import connection
from django.utils.dateparse import parse_datetime

from sessions_app.models import ArchivedEmotionTransition, ArchivedSession
from sessions_app.review.models import ReviewCursor

S = ArchivedSession._meta.db_table
T = ArchivedEmotionTransition._meta.db_table
C = ReviewCursor._meta.db_table
EPOCH = datetime.fromtimestamp(0, tz=UTC)


class ClientTotals(NamedTuple):
    sessions: int
    last_activity: datetime | None
    messages: int  # unread ...
    milestones: int
    breakthroughs: int
    emotion_changes: int
    unread_sessions: int
    latest_unread_at: datetime | None  # the latest activity among sessions with something unread


class RecentSession(NamedTuple):
    client_id: str
    session_id: str
    last_updated: datetime
    emotion: str
    intensity: float | None


class UnreadSession(NamedTuple):
    client_id: str
    session_id: str
    last_updated: datetime
    reviewed_seq: int
    unread_messages: int


def _datetime(value: Any) -> datetime | None:
    """A datetime from a raw row: SQLite gives UTC as text or a naive datetime (aggregates lose the
    column's type), PostgreSQL an aware datetime."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _above(total: str, seen: str) -> str:
    """How far ``total`` is above ``seen`` (never negative)."""
    return f"CASE WHEN {total} > {seen} THEN {total} - {seen} ELSE 0 END"


# Each archived session of the clients (without those the caller excludes: they are live), with its
# emotion log's length (the last position + 1: the same number Redis's LLEN gave while the session
# was live; one index seek per session), joined with the clinician's cursor.
SESSIONS = f"""
    FROM (
        SELECT s.user_id, s.session_id, s.last_updated, s.message_count, s.milestone_count,
               s.breakthrough_count,
               (SELECT MAX(t.position) + 1 FROM {T} t
                WHERE t.user_id = s.user_id AND t.session_id = s.session_id) AS log_length
        FROM {S} s WHERE s.user_id IN ({{clients}}){{exclude}}
    ) s
    LEFT JOIN {C} c
        ON c.clinician_id = %(clinician)s AND c.client_id = s.user_id AND c.session_id = s.session_id
"""  # noqa: S608 - table names from the models, every value a parameter  # nosec B608
UNREAD = {
    "messages": _above("s.message_count", "COALESCE(c.seq, 0)"),
    "milestones": _above("s.milestone_count", "COALESCE(c.milestones, 0)"),
    "breakthroughs": _above("s.breakthrough_count", "COALESCE(c.breakthroughs, 0)"),
    "emotion_changes": _above("COALESCE(s.log_length, 0)", "COALESCE(c.emotion_changes, 0)"),
}
ANY_UNREAD = " OR ".join(f"({expression}) > 0" for expression in UNREAD.values())


def _query(
    sql: str, clinician_id: int | None, client_ids: Sequence[str], exclude: Collection[tuple[str, str]]
) -> list[Any]:
    """Run ``sql`` with ``{clients}`` and ``{exclude}`` expanded to named parameters."""
    params: dict[str, str | int] = {} if clinician_id is None else {"clinician": clinician_id}
    params |= {f"c{n}": client for n, client in enumerate(client_ids)}
    excluded = {f"x{n}": f"{client}:{session}" for n, (client, session) in enumerate(exclude)}
    params |= excluded
    clients = ", ".join(f"%(c{n})s" for n in range(len(client_ids)))
    where = ""
    if excluded:
        where = (
            f" AND s.user_id || ':' || s.session_id NOT IN ({', '.join(f'%({name})s' for name in excluded)})"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql.format(clients=clients, exclude=where), params)
        return list(cursor.fetchall())


def archived_client_totals(
    clinician_id: int, client_ids: Sequence[str], *, exclude: Collection[tuple[str, str]] = ()
) -> dict[str, ClientTotals]:
    """Per client: archived sessions, their latest activity, and what the clinician has not reviewed."""
    if not client_ids:
        return {}
    sql = f"""
        SELECT s.user_id, COUNT(*), MAX(s.last_updated),
               {", ".join(f"SUM({expression})" for expression in UNREAD.values())},
               SUM(CASE WHEN {ANY_UNREAD} THEN 1 ELSE 0 END),
               MAX(CASE WHEN {ANY_UNREAD} THEN s.last_updated END)
        {SESSIONS}
        GROUP BY s.user_id
    """
    totals = {}
    for client, sessions, last, messages, milestones, breakthroughs, changes, unread, latest in _query(
        sql, clinician_id, client_ids, exclude
    ):
        totals[client] = ClientTotals(
            int(sessions), _datetime(last), int(messages or 0), int(milestones or 0), int(breakthroughs or 0),
            int(changes or 0), int(unread or 0), _datetime(latest),
        )  # fmt: skip
    return totals


def recent_archived(
    client_ids: Sequence[str], *, exclude: Collection[tuple[str, str]] = (), per_client: int = 2
) -> list[RecentSession]:
    """The ``per_client`` most recently active archived sessions of each client (emotion and intensity
    for the inbox's current emotion and trend arrow)."""
    if not client_ids:
        return []
    sql = f"""
        SELECT user_id, session_id, last_updated, current_emotion, emotion_intensity FROM (
            SELECT s.user_id, s.session_id, s.last_updated, s.current_emotion, s.emotion_intensity,
                   ROW_NUMBER() OVER (
                       PARTITION BY s.user_id ORDER BY s.last_updated DESC, s.session_id DESC
                   ) AS r
            FROM {S} s WHERE s.user_id IN ({{clients}}){{exclude}}
        ) ranked WHERE r <= {int(per_client)}
    """  # noqa: S608 - table names from the models, every value a parameter  # nosec B608
    return [
        RecentSession(client, session, _datetime(last) or EPOCH, emotion, intensity)
        for client, session, last, emotion, intensity in _query(sql, None, client_ids, exclude)
    ]


def latest_unread_archived(
    clinician_id: int, client_ids: Sequence[str], *, exclude: Collection[tuple[str, str]] = ()
) -> dict[str, UnreadSession]:
    """Per client, the most recently active archived session with something the clinician has not
    reviewed, and how far they had read it (where "Review" should open)."""
    if not client_ids:
        return {}
    sql = f"""
        SELECT s.user_id, s.session_id, s.last_updated, COALESCE(c.seq, 0), {UNREAD["messages"]}
        {SESSIONS} AND ({ANY_UNREAD})
        ORDER BY s.last_updated DESC, s.session_id DESC
    """
    latest: dict[str, UnreadSession] = {}
    for client, session, last, seq, messages in _query(sql, clinician_id, client_ids, exclude):
        if client not in latest:
            when = _datetime(last) or EPOCH
            latest[client] = UnreadSession(client, session, when, int(seq), int(messages))
    return latest
