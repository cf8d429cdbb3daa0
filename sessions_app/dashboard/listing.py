"""The therapist's session list: live sessions (Redis) and archived ones (DB), merged and paged.

Only the caller's client ids are read (their per-user indexes; never the global index). Live reads
are two pipelined round trips however many clients there are: the indexes, then two HMGETs per
session with only the listed fields. Archived sessions come from one indexed query limited to what
the requested page can need; sessions that are also live are shown once, from Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import redis

import sessions_app.state.codec as codec
import sessions_app.state.configured as configured
from sessions_app.domain import Emotion, SessionStatus
from sessions_app.errors import StateUnavailable
from sessions_app.models import ArchivedSession
from sessions_app.state.connection import read_with_retry
from sessions_app.state.keys import SessionKeys, user_index

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


def _int(value: Any) -> int:
    try:
        return int(codec.text(value) or 0)
    except ValueError:
        return 0


def _float(value: Any) -> float | None:
    try:
        return float(codec.text(value)) if value is not None else None
    except ValueError:
        return None


def _time(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(_decode(value))
    except ValueError:
        return EPOCH
    return parsed if parsed.tzinfo is not None else EPOCH


# One script per client: the client's index and, for each of its sessions, the listed fields. All
# keys share the client's {hash tag}, so this is one slot even on Redis Cluster; they are derived
# from templates built by keys.py (the only place key formats live). Reads only; TTLs untouched.
LIST_SCRIPT = """
local members = redis.call('SMEMBERS', KEYS[1])
local out = {}
local n = 0
for _, sid in ipairs(members) do
  local meta = redis.pcall('HMGET', ARGV[1] .. sid .. ARGV[2], META_FIELDS)
  local emotion = redis.pcall('HMGET', ARGV[3] .. sid .. ARGV[4], 'current_emotion', 'emotion_intensity')
  if meta.err then meta = {'!unreadable', false, false, false, false} end
  if emotion.err then emotion = {false, false} end
  out[n + 1] = sid
  for i = 1, 5 do out[n + 1 + i] = meta[i] end
  out[n + 7] = emotion[1]
  out[n + 8] = emotion[2]
  n = n + 8
end
return out
""".replace("META_FIELDS", ", ".join(f"'{name}'" for name in META_FIELDS))
STRIDE = 8  # values per session in LIST_SCRIPT's flat reply
PLACEHOLDER = "SIDPLACEHOLDER"


def _templates(client_id: str) -> list[str]:
    keys = SessionKeys.for_session(client_id, PLACEHOLDER)
    meta_prefix, meta_suffix = keys.metadata.split(PLACEHOLDER)
    emotion_prefix, emotion_suffix = keys.emotion.split(PLACEHOLDER)
    return [meta_prefix, meta_suffix, emotion_prefix, emotion_suffix]


@dataclass(slots=True)
class LiveEntry:
    """A live session as read, parsed only as far as sorting and filtering need (thousands per list)."""

    client_id: str
    session_id: str
    last_updated: datetime
    status: str
    emotion: str
    counts: tuple[Any, Any, Any]
    intensity: Any
    unreadable: bool = False

    def row(self) -> SessionRow:
        messages, milestones, breakthroughs = self.counts
        return SessionRow(
            client_id=self.client_id,
            session_id=self.session_id,
            source="live",
            status=self.status,
            last_updated=self.last_updated,
            message_count=_int(messages),
            milestone_count=_int(milestones),
            breakthrough_count=_int(breakthroughs),
            current_emotion=self.emotion,
            emotion_intensity=_float(self.intensity),
            unreadable=self.unreadable,
        )


def _decode(value: Any) -> str:
    return (
        value.decode("utf-8", "replace")
        if isinstance(value, bytes)
        else ("" if value is None else str(value))
    )


def _entries(client_id: str, flat: list[Any]) -> list[LiveEntry]:
    entries: list[LiveEntry] = []
    for i in range(0, len(flat) - STRIDE + 1, STRIDE):
        sid, status, updated, messages, milestones, breakthroughs, emotion, intensity = flat[i : i + STRIDE]
        if status == b"!unreadable":
            logger.error("metadata of a session of %s is unreadable (wrong type)", client_id)
            entries.append(LiveEntry(client_id, _decode(sid), EPOCH, "unreadable", "", (0, 0, 0), None, True))
        elif status is not None or updated is not None:  # else a ghost member: the sweeper removes it
            entries.append(
                LiveEntry(
                    client_id,
                    _decode(sid),
                    _time(updated),
                    _decode(status) or SessionStatus.ACTIVE,
                    _decode(emotion) or Emotion.NEUTRAL,
                    (messages, milestones, breakthroughs),
                    intensity,
                )
            )
    return entries


def live_entries(client_ids: Sequence[str], client: redis.Redis | None = None) -> list[LiveEntry]:
    """Every live session of these clients, in one pipelined round trip. Raises StateUnavailable."""
    if not client_ids:
        return []
    conn = client or configured.get_state_manager().redis
    script = conn.register_script(LIST_SCRIPT)

    def read() -> list[Any]:
        pipe = conn.pipeline(transaction=False)
        for client_id in client_ids:
            script(keys=[user_index(client_id)], args=_templates(client_id), client=pipe)
        return list(pipe.execute(raise_on_error=False))

    replies = read_with_retry("list sessions", read)
    entries: list[LiveEntry] = []
    for client_id, reply in zip(client_ids, replies, strict=True):
        if isinstance(reply, redis.ResponseError):
            logger.error("the session index of %s is unreadable (wrong type)", client_id)
            continue
        entries.extend(_entries(client_id, reply))
    return entries


def live_rows(client_ids: Sequence[str], client: redis.Redis | None = None) -> list[SessionRow]:
    return [entry.row() for entry in live_entries(client_ids, client)]


def _matches(entry: LiveEntry, filters: ListFilters, since: datetime | None, until: datetime | None) -> bool:
    return (
        (not filters.emotion or entry.emotion == filters.emotion)
        and (not filters.status or entry.status == filters.status)
        and (since is None or entry.last_updated >= since)
        and (until is None or entry.last_updated < until)
    )


def _archived_queryset(client_ids: Sequence[str], filters: ListFilters) -> Any:
    qs = ArchivedSession.objects.filter(user_id__in=list(client_ids))
    if filters.emotion:
        qs = qs.filter(current_emotion=filters.emotion)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.since:
        qs = qs.filter(last_updated__gte=filters.since_at())
    if filters.until:
        qs = qs.filter(last_updated__lt=filters.until_at())
    return qs


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


def _archived_keys(qs: Any) -> set[tuple[str, str]]:
    return set(qs.values_list("user_id", "session_id"))


ARCHIVE_COLUMNS = (
    "user_id", "session_id", "status", "last_updated", "message_count",
    "milestone_count", "breakthrough_count", "current_emotion", "emotion_intensity",
)  # fmt: skip


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
    qs = _archived_queryset(wanted, filters) if wanted else ArchivedSession.objects.none()
    archived_count = qs.count()
    live_keys = {(e.client_id, e.session_id) for e in live}
    overlap = len(_archived_keys(qs) & live_keys) if live_keys and archived_count else 0
    total = len(live) + archived_count - overlap
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    end = page * per_page
    archived: list[SessionRow] = []
    if archived_count:
        candidates = qs.order_by("-last_updated", "-id").values_list(*ARCHIVE_COLUMNS)[: end + overlap]
        archived = [_archived_row(v) for v in candidates if (v[0], v[1]) not in live_keys]
    live.sort(key=lambda e: (e.last_updated, e.session_id), reverse=True)
    merged: list[LiveEntry | SessionRow] = [*live[:end], *archived]
    merged.sort(key=lambda r: (r.last_updated, r.session_id), reverse=True)
    rows = [item.row() if isinstance(item, LiveEntry) else item for item in merged[end - per_page : end]]
    return ListPage(rows, page, pages, total, live_unavailable)
