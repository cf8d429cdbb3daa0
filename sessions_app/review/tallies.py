"""Per-session counts of some clients, live (Redis) first and archived otherwise, in two reads.

Live sessions come from one pipelined read of the clients' indexes (``state.overview``: metadata
counts, the emotion log's length, the time left; TTLs untouched), archived ones from the session
rows (``repository.tallies``). A session in both is taken from Redis. Redis being down is reported,
not hidden: archived sessions are still counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

import redis

from sessions_app.errors import StateUnavailable
from sessions_app.repository.tallies import ArchivedTally, archived_tallies, archived_tally
from sessions_app.state.overview import LiveEntry, LiveTally, as_float, as_int, live_entries, live_tally

Source = Literal["live", "archive"]


class Counts(NamedTuple):
    """Counts of the four kinds of activity a cursor tracks (or of what is unread). A tuple, not a
    frozen dataclass: an inbox builds thousands, and tuples are several times cheaper to make."""

    messages: int = 0
    milestones: int = 0
    breakthroughs: int = 0
    emotion_changes: int = 0

    def minus(self, other: Counts) -> Counts:
        return Counts(
            max(0, self.messages - other.messages),
            max(0, self.milestones - other.milestones),
            max(0, self.breakthroughs - other.breakthroughs),
            max(0, self.emotion_changes - other.emotion_changes),
        )

    def plus(self, other: Counts) -> Counts:
        return Counts(
            self.messages + other.messages,
            self.milestones + other.milestones,
            self.breakthroughs + other.breakthroughs,
            self.emotion_changes + other.emotion_changes,
        )

    def at_most(self, other: Counts) -> Counts:
        return Counts(
            min(self.messages, other.messages),
            min(self.milestones, other.milestones),
            min(self.breakthroughs, other.breakthroughs),
            min(self.emotion_changes, other.emotion_changes),
        )

    def at_least(self, other: Counts) -> Counts:
        return Counts(
            max(self.messages, other.messages),
            max(self.milestones, other.milestones),
            max(self.breakthroughs, other.breakthroughs),
            max(self.emotion_changes, other.emotion_changes),
        )

    @property
    def any(self) -> bool:
        return bool(self.messages or self.milestones or self.breakthroughs or self.emotion_changes)

    @property
    def total(self) -> int:
        return self.messages + self.milestones + self.breakthroughs + self.emotion_changes


ZERO = Counts()


class SessionTally(NamedTuple):
    client_id: str
    session_id: str
    source: Source
    status: str
    last_updated: datetime
    counts: Counts
    emotion: str
    intensity: float | None
    ttl_ms: int | None = None  # live only: time left in Redis (None: archived, or no TTL)
    unreadable: bool = False  # live metadata of the wrong type: shown, never counted

    @property
    def key(self) -> tuple[str, str]:
        return (self.client_id, self.session_id)


@dataclass(frozen=True)
class Tallies:
    sessions: list[SessionTally]
    live_unavailable: bool


def _from_live(entry: LiveEntry) -> SessionTally:
    messages, milestones, breakthroughs = entry.counts
    counts = Counts(
        as_int(messages), as_int(milestones), as_int(breakthroughs), max(0, entry.emotion_changes)
    )
    return SessionTally(
        entry.client_id, entry.session_id, "live", entry.status, entry.last_updated, counts, entry.emotion,
        as_float(entry.intensity), entry.ttl_ms, entry.unreadable,
    )  # fmt: skip


def _from_archive(row: ArchivedTally) -> SessionTally:
    counts = Counts(row.message_count, row.milestone_count, row.breakthrough_count, row.emotion_changes)
    return SessionTally(
        row.client_id, row.session_id, "archive", row.status, row.last_updated, counts, row.current_emotion,
        row.emotion_intensity,
    )  # fmt: skip


def gather(
    client_ids: Sequence[str], *, archived: bool = True, redis_client: redis.Redis | None = None
) -> Tallies:
    """Every session of ``client_ids`` (already access-checked) with its counts; with
    ``archived=False`` only the live ones."""
    if not client_ids:
        return Tallies([], False)
    live_unavailable = False
    try:
        live = [_from_live(entry) for entry in live_entries(client_ids, redis_client, clock=True)]
    except StateUnavailable:
        live, live_unavailable = [], True
    if not archived:
        return Tallies(live, live_unavailable)
    seen = {tally.key for tally in live}
    stored = [
        _from_archive(row)
        for row in archived_tallies(client_ids)
        if (row.client_id, row.session_id) not in seen
    ]
    return Tallies(live + stored, live_unavailable)


@dataclass(frozen=True)
class OneTally:
    counts: Counts
    source: Source
    ttl_ms: int | None


def _live_counts(tally: LiveTally) -> OneTally:
    counts = Counts(
        tally.message_count, tally.milestone_count, tally.breakthrough_count, tally.emotion_changes
    )
    return OneTally(counts, "live", tally.ttl_ms)


def tally_of(client_id: str, session_id: str) -> OneTally | None:
    """One session's counts: Redis if it holds the session, else the archive; None when neither does.

    Raises ``StateUnavailable`` when Redis is down and the archive does not have the session.
    """
    try:
        live = live_tally(client_id, session_id)
    except StateUnavailable:
        archived = archived_tally(client_id, session_id)
        if archived is None:
            raise
        return OneTally(_from_archive(archived).counts, "archive", None)
    if live is not None:
        return _live_counts(live)
    archived = archived_tally(client_id, session_id)
    return None if archived is None else OneTally(_from_archive(archived).counts, "archive", None)
