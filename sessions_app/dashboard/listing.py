"""The therapist's session list: live sessions (Redis) and archived ones (DB), merged and paged.

Only the caller's client ids are read: live ones in one round trip (``state.overview``), archived
ones from one indexed query limited to what the requested page can need (``repository``); sessions
that are also live are shown once, from Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import redis

from sessions_app.errors import StateUnavailable
from sessions_app.repository.summaries import archived_sessions
from sessions_app.state.overview import LiveEntry, as_float, as_int, live_entries

logger = logging.getLogger(__name__)

META_FIELDS = ("status", "last_updated", "message_count", "milestone_count", "breakthrough_count")
EMOTION_FIELDS = ("current_emotion", "emotion_intensity")
EPOCH = datetime.fromtimestamp(0, tz=UTC)
PER_PAGE = 50


@dataclass(frozen=True)
class SessionRow:
    client_id: str
    session_id: str
    source: str  # "live" | "archive"
    status: str
    last_updated: datetime
    message_count: int
    milestone_count: int
    breakthrough_count: int
    current_emotion: str
    emotion_intensity: float | None
    unreadable: bool = False


@dataclass(frozen=True)
class ListFilters:
    client: str = ""
    emotion: str = ""
    status: str = ""
    since: date | None = None
    until: date | None = None

    def since_at(self) -> datetime | None:
        return datetime.combine(self.since, time.min, tzinfo=UTC) if self.since else None

    def until_at(self) -> datetime | None:
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=UTC) if self.until else None


@dataclass(frozen=True)
class ListPage:
    rows: list[SessionRow]
    page: int
    pages: int
    total: int
    live_unavailable: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _live_row(entry: LiveEntry) -> SessionRow:
    messages, milestones, breakthroughs = entry.counts
    return SessionRow(
        client_id=entry.client_id,
        session_id=entry.session_id,
        source="live",
        status=entry.status,
        last_updated=entry.last_updated,
        message_count=as_int(messages),
        milestone_count=as_int(milestones),
        breakthrough_count=as_int(breakthroughs),
        current_emotion=entry.emotion,
        emotion_intensity=as_float(entry.intensity),
        unreadable=entry.unreadable,
    )


def live_rows(client_ids: Sequence[str], client: redis.Redis | None = None) -> list[SessionRow]:
    return [_live_row(entry) for entry in live_entries(client_ids, client)]


def _matches(entry: LiveEntry, filters: ListFilters, since: datetime | None, until: datetime | None) -> bool:
    return (
        (not filters.emotion or entry.emotion == filters.emotion)
        and (not filters.status or entry.status == filters.status)
        and (since is None or entry.last_updated >= since)
        and (until is None or entry.last_updated < until)
    )


def _archived_row(values: tuple[Any, ...]) -> SessionRow:
    user_id, session_id, status, updated, messages, milestones, breakthroughs, emotion, intensity = values
    return SessionRow(
        user_id,
        session_id,
        "archive",
        status,
        updated,
        messages,
        milestones,
        breakthroughs,
        emotion,
        intensity,
    )


def list_sessions(
    client_ids: Sequence[str],
    filters: ListFilters,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    redis_client: redis.Redis | None = None,
) -> ListPage:
    """One page of the sessions of ``client_ids`` (already access-checked), newest activity first.

    Live sessions are sorted and filtered as light entries; only the rows of the page are built.
    A session both live and archived is listed once, from Redis.
    """
    wanted = [c for c in client_ids if not filters.client or c == filters.client]
    since, until = filters.since_at(), filters.until_at()
    live_unavailable = False
    try:
        live = [e for e in live_entries(wanted, redis_client) if _matches(e, filters, since, until)]
    except StateUnavailable:
        live, live_unavailable = [], True
    stored = archived_sessions(
        wanted, emotion=filters.emotion, status=filters.status, since=since, until=until
    )
    archived_count = stored.count() if wanted else 0
    live_keys = {(e.client_id, e.session_id) for e in live}
    overlap = len(stored.keys() & live_keys) if live_keys and archived_count else 0
    total = len(live) + archived_count - overlap
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    end = page * per_page
    archived: list[SessionRow] = []
    if archived_count:
        archived = [_archived_row(v) for v in stored.newest(end + overlap) if (v[0], v[1]) not in live_keys]
    live.sort(key=lambda e: (e.last_updated, e.session_id), reverse=True)
    merged: list[LiveEntry | SessionRow] = [*live[:end], *archived]
    merged.sort(key=lambda r: (r.last_updated, r.session_id), reverse=True)
    rows = [_live_row(item) if isinstance(item, LiveEntry) else item for item in merged[end - per_page : end]]
    return ListPage(rows, page, pages, total, live_unavailable)
