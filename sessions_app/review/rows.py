"""One inbox row per client, from its live sessions (one review each) and its archived sessions
(totals the database computed), without reading a transcript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from django.urls import reverse

from sessions_app.dashboard.pages import message_url
from sessions_app.repository.review_totals import ClientTotals, RecentSession
from sessions_app.review.cursors import LastReview
from sessions_app.review.flags import FlagSummary
from sessions_app.review.status import SessionReview
from sessions_app.review.tallies import ZERO, Counts
from sessions_app.review.trend import UNKNOWN, Trend, trend

FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
ARCHIVED_NEXT = "archived"  # the session to open is archived: looked up for the rows shown only
CLIENT_PLACEHOLDER = "CLIENTIDPLACEHOLDER"


@cache
def _client_url(name: str) -> str:
    """A URL of one client's, reversed once per process (client ids are [A-Za-z0-9_-]: no escaping)."""
    return reverse(name, args=[CLIENT_PLACEHOLDER])


@cache
def _session_list() -> str:
    return reverse("sessions:list")


@dataclass(frozen=True)
class NextStep:
    """Where "Review" opens: a session, at its first unread message (or its page when only other
    activity is unread)."""

    session_id: str
    first_unread: int | None


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
    next_step: NextStep | str | None  # ARCHIVED_NEXT until looked up; None: nothing unread
    last_review: LastReview | None = None  # filled in for the rows of the page shown
    unreadable: int = 0

    @property
    def next_url(self) -> str:
        """The first unread message of the session to open first, else the client's session list."""
        step = self.next_step
        if not isinstance(step, NextStep):
            return self.list_url
        if step.first_unread is not None:
            return message_url(self.client_id, step.session_id, step.first_unread)
        return reverse("sessions:detail", args=[self.client_id, step.session_id])

    @property
    def list_url(self) -> str:
        return f"{_session_list()}?client={self.client_id}"

    @property
    def mark_url(self) -> str:
        return _client_url("review:mark").replace(CLIENT_PLACEHOLDER, self.client_id)

    @property
    def unread_url(self) -> str:
        return _client_url("review:unread").replace(CLIENT_PLACEHOLDER, self.client_id)

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


def _step(review: SessionReview) -> NextStep:
    first = review.reviewed.messages + 1 if review.unread.messages else None
    return NextStep(review.session_id, first)


def _next(
    live: Sequence[SessionReview], archived: ClientTotals | None, window: timedelta
) -> NextStep | str | None:
    """The session to open first: the soonest to leave live storage unreviewed within the warning
    window, else the most recently active one with something unread (live or archived)."""
    leaving = [r for r in live if r.leaves_within(window)]
    if leaving:
        return _step(min(leaving, key=lambda r: r.leaves_at or r.now))
    unread = [r for r in live if r.needs_review]
    latest = max(unread, key=lambda r: r.tally.last_updated) if unread else None
    archived_at = archived.latest_unread_at if archived else None
    if archived_at is not None and (latest is None or archived_at > latest.tally.last_updated):
        return ARCHIVED_NEXT
    return _step(latest) if latest is not None else None


def build_row(
    client_id: str,
    live: list[SessionReview],
    archived: ClientTotals | None,
    recent: list[RecentSession],
    flags: FlagSummary,
    window: timedelta,
) -> InboxRow:
    readable = [r for r in live if not r.tally.unreadable]
    unread = ZERO
    for review in readable:
        unread = unread.plus(review.unread)
    if archived is not None:
        unread = unread.plus(
            Counts(archived.messages, archived.milestones, archived.breakthroughs, archived.emotion_changes)
        )
    at_risk = [r for r in readable if r.at_risk]
    leaving_times = [r.leaves_at for r in at_risk if r.leaves_at is not None]
    # The latest two sessions, live or archived, give the current emotion and the trend.
    latest = sorted(
        [(r.tally.last_updated, r.session_id, r.tally.emotion, r.tally.intensity) for r in readable]
        + [(s.last_updated, s.session_id, s.emotion, s.intensity) for s in recent],
        reverse=True,
    )[:2]
    direction = UNKNOWN
    if latest:
        previous = (latest[1][2], latest[1][3]) if len(latest) > 1 else None
        direction = trend((latest[0][2], latest[0][3]), previous)
    activity = [r.tally.last_updated for r in readable]
    if archived is not None and archived.last_activity is not None:
        activity.append(archived.last_activity)
    return InboxRow(
        client_id=client_id,
        sessions=len(readable) + (archived.sessions if archived else 0),
        live_sessions=len(readable),
        held_sessions=sum(r.held for r in readable),
        unread=unread,
        unread_sessions=sum(r.needs_review for r in readable) + (archived.unread_sessions if archived else 0),
        flags=flags,
        last_activity=max(activity) if activity else None,
        emotion=latest[0][2] if latest else "",
        intensity=latest[0][3] if latest else None,
        trend=direction,
        leaving_at=min(leaving_times) if leaving_times else None,
        leaving_soon=sum(r.leaves_within(window) for r in at_risk),
        next_step=_next(readable, archived, window),
        unreadable=len(live) - len(readable),
    )
