"""The inbox: one row per assigned client, ranked by what needs the clinician now.

Order (README, "Review inbox"): open risk flags (highest severity, then the earliest deadline), then
unread activity, then the soonest a session would leave live storage unreviewed, then the latest
activity. Everything comes from counts (``tallies``), the clinician's cursors and the holds; the
risk flags are an input (``flags.FlagSummary`` per client), so the ranking is tested without them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.urls import reverse

from sessions_app.dashboard.pages import message_url
from sessions_app.review.cursors import LastReview, cursors_for, last_reviews
from sessions_app.review.flags import NO_FLAGS, FlagSummary
from sessions_app.review.status import SessionReview, holds_for, session_reviews, warning_window
from sessions_app.review.tallies import ZERO, Counts, gather
from sessions_app.review.trend import UNKNOWN, Trend, trend

SHOW_CHOICES: dict[str, str] = {
    "all": "All clients",
    "attention": "Needs attention",
    "unread": "Unread activity",
    "expiring": "Leaving live storage soon, unreviewed",
    "reviewed": "All reviewed",
}
FLAGGED = "flagged"
FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class InboxFilters:
    show: str = "all"
    emotion: str = ""
    query: str = ""  # part of a client id


@dataclass(frozen=True)
class InboxRow:
    client_id: str
    sessions: int
    live_sessions: int
    held_sessions: int
    unread: Counts
    unread_sessions: int
    flags: FlagSummary
    last_activity: datetime | None
    emotion: str
    intensity: float | None
    trend: Trend
    leaving_at: datetime | None  # the soonest an unreviewed, unheld session leaves live storage
    leaving_soon: int  # such sessions leaving within the warning window
    next_url: str
    next_session: str
    last_review: LastReview | None
    unreadable: int = 0

    @property
    def needs_attention(self) -> bool:
        return bool(self.flags.open) or self.unread.any

    def sort_key(self) -> tuple[object, ...]:
        deadline = self.flags.next_deadline
        # "About to leave": only sessions inside the warning window rank by their leave time; the
        # rest of the unread clients follow by latest activity, as in any inbox.
        leaving = self.leaving_at if self.leaving_soon else None
        return (
            -self.flags.rank,
            deadline if deadline else FAR_FUTURE,
            0 if self.unread.any else 1,
            leaving if leaving else FAR_FUTURE,
            -(self.last_activity.timestamp() if self.last_activity else 0.0),
            self.client_id,
        )


@dataclass(frozen=True)
class Inbox:
    rows: list[InboxRow]
    total_clients: int
    counts: dict[str, int]  # rows per "show" choice, before the other filters
    live_unavailable: bool
    token: str
    emotions: list[str] = field(default_factory=list)


def _pressing(reviews: Sequence[SessionReview]) -> SessionReview | None:
    """The session to open first: the soonest to leave live storage unreviewed within the warning
    window, else the most recently active one with something unread."""
    window = warning_window()
    leaving = [r for r in reviews if r.leaves_within(window)]
    if leaving:
        return min(leaving, key=lambda r: r.leaves_at or r.now)
    unread = [r for r in reviews if r.needs_review]
    return max(unread, key=lambda r: r.tally.last_updated) if unread else None


def _next_link(client_id: str, review: SessionReview | None) -> tuple[str, str]:
    if review is None:
        return f"{reverse('sessions:list')}?client={client_id}", ""
    if review.unread.messages:
        first_unread = review.reviewed.messages + 1
        return message_url(client_id, review.session_id, first_unread), review.session_id
    return reverse("sessions:detail", args=[client_id, review.session_id]), review.session_id


def _row(
    client_id: str, reviews: list[SessionReview], flags: FlagSummary, last: LastReview | None
) -> InboxRow:
    readable = [r for r in reviews if not r.tally.unreadable]
    readable.sort(key=lambda r: (r.tally.last_updated, r.session_id), reverse=True)
    unread = ZERO
    for review in readable:
        unread = unread.plus(review.unread)
    at_risk = [r for r in readable if r.at_risk]
    leaving_times = [r.leaves_at for r in at_risk if r.leaves_at is not None]
    window = warning_window()
    latest = readable[0] if readable else None
    previous = readable[1] if len(readable) > 1 else None
    direction = UNKNOWN
    if latest is not None:
        direction = trend(
            (latest.tally.emotion, latest.tally.intensity),
            (previous.tally.emotion, previous.tally.intensity) if previous else None,
        )
    next_url, next_session = _next_link(client_id, _pressing(readable))
    return InboxRow(
        client_id=client_id,
        sessions=len(readable),
        live_sessions=sum(r.is_live for r in readable),
        held_sessions=sum(r.held for r in readable),
        unread=unread,
        unread_sessions=sum(r.needs_review for r in readable),
        flags=flags,
        last_activity=latest.tally.last_updated if latest else None,
        emotion=latest.tally.emotion if latest else "",
        intensity=latest.tally.intensity if latest else None,
        trend=direction,
        leaving_at=min(leaving_times) if leaving_times else None,
        leaving_soon=sum(r.leaves_within(window) for r in at_risk),
        next_url=next_url,
        next_session=next_session,
        last_review=last,
        unreadable=len(reviews) - len(readable),
    )


def _shown(row: InboxRow, show: str) -> bool:
    if show == "attention":
        return row.needs_attention
    if show == "unread":
        return row.unread.any
    if show == "expiring":
        return row.leaving_soon > 0
    if show == "reviewed":
        return not row.unread.any
    if show == FLAGGED:
        return row.flags.open > 0
    return True


def _token(rows: Sequence[InboxRow], live_unavailable: bool) -> str:
    """A fingerprint of what the page shows, for the live refresh's "changed?" check."""
    digest = hashlib.sha256(repr(live_unavailable).encode())
    for row in rows:
        leaving = row.leaving_at.replace(second=0, microsecond=0) if row.leaving_at else None
        digest.update(
            repr(
                (row.client_id, row.unread, row.flags, row.last_activity, row.emotion, row.intensity,
                 row.held_sessions, row.sessions, leaving, row.leaving_soon, row.last_review, row.next_url)
            ).encode()
        )  # fmt: skip
    return digest.hexdigest()[:24]


def build_inbox(
    *,
    clinician_id: int,
    client_ids: Sequence[str],
    flags: Mapping[str, FlagSummary],
    now: datetime,
    filters: InboxFilters,
    show_choices: Sequence[str] = tuple(SHOW_CHOICES),
) -> Inbox:
    """The clinician's inbox for ``client_ids`` (their assigned clients), ranked and filtered."""
    tallies = gather(client_ids)
    reviews = session_reviews(
        tallies.sessions,
        cursors=cursors_for(clinician_id, client_ids),
        holds=holds_for(client_ids),
        flags={},
        now=now,
    )
    by_client: dict[str, list[SessionReview]] = defaultdict(list)
    for review in reviews:
        by_client[review.client_id].append(review)
    last = last_reviews(clinician_id, client_ids)
    rows = [_row(c, by_client.get(c, []), flags.get(c, NO_FLAGS), last.get(c)) for c in client_ids]
    rows.sort(key=InboxRow.sort_key)
    counts = {show: sum(_shown(row, show) for row in rows) for show in show_choices}
    query = filters.query.strip().lower()
    shown = [
        row
        for row in rows
        if _shown(row, filters.show)
        and (not filters.emotion or row.emotion == filters.emotion)
        and (not query or query in row.client_id.lower())
    ]
    return Inbox(
        rows=shown,
        total_clients=len(client_ids),
        counts=counts,
        live_unavailable=tallies.live_unavailable,
        token=_token(shown, tallies.live_unavailable),
        emotions=sorted({row.emotion for row in rows if row.emotion}),
    )
