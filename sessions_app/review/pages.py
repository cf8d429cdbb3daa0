"""What the review adds to pages: the inbox, the marks on the session list, the session page's panel.

Views and template tags call these; each reads counts (never transcripts) and never touches a TTL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ifemotion.accounts.models import User
from sessions_app.access import AccessGrant, assigned_client_ids
from sessions_app.dashboard.listing import SessionRow
from sessions_app.errors import StateUnavailable
from sessions_app.repository.tallies import emotion_log_lengths
from sessions_app.review.cursors import cursor_of, cursors_for
from sessions_app.review.flags import (
    NO_FLAGS,
    FlagSummary,
    client_flag_summaries,
    flags_available,
    session_flag_summaries,
)
from sessions_app.review.inbox import FLAGGED, SHOW_CHOICES, Inbox, InboxFilters, build_inbox
from sessions_app.review.status import SessionReview, holds_for, session_reviews
from sessions_app.review.tallies import Counts, SessionTally, Source, tally_of
from sessions_app.state.overview import live_clocks


def show_choices() -> dict[str, str]:
    choices = dict(SHOW_CHOICES)
    if flags_available():
        choices[FLAGGED] = "Open risk flags"
    return choices


def inbox_for(user: User, filters: InboxFilters, *, now: datetime) -> Inbox:
    """The user's inbox: their assigned clients (break-glass access is not a caseload)."""
    client_ids = assigned_client_ids(user)
    return build_inbox(
        clinician_id=user.pk,
        client_ids=client_ids,
        flags=client_flag_summaries(client_ids),
        now=now,
        filters=filters,
        show_choices=tuple(show_choices()),
    )


def _tally(row: SessionRow, ttl_ms: int | None, emotion_changes: int) -> SessionTally:
    counts = Counts(row.message_count, row.milestone_count, row.breakthrough_count, emotion_changes)
    source: Source = "live" if row.source == "live" else "archive"
    return SessionTally(
        row.client_id, row.session_id, source, row.status, row.last_updated, counts, row.current_emotion,
        row.emotion_intensity, ttl_ms, row.unreadable,
    )  # fmt: skip


def list_marks(
    user: User, rows: Sequence[SessionRow], *, now: datetime
) -> dict[tuple[str, str], SessionReview]:
    """The user's review of each session on a page of the session list: the rows' time left and
    emotion-log lengths (one Redis round trip for the live ones, one query for the archived ones),
    their cursors and holds. Live rows get no mark while Redis does not answer."""
    if not rows:
        return {}
    client_ids = sorted({row.client_id for row in rows})
    session_ids = sorted({row.session_id for row in rows})
    live = [(row.client_id, row.session_id) for row in rows if row.source == "live" and not row.unreadable]
    try:
        clocks = live_clocks(live)
    except StateUnavailable:
        clocks = {}
    archived = [row for row in rows if row.source != "live"]
    changes = emotion_log_lengths(
        sorted({r.client_id for r in archived}), sorted({r.session_id for r in archived})
    )
    tallies = []
    for row in rows:
        key = (row.client_id, row.session_id)
        if row.source == "live":
            if key in clocks:
                tallies.append(_tally(row, *clocks[key]))
        else:
            tallies.append(_tally(row, None, changes.get(key, 0)))
    flags: dict[tuple[str, str], FlagSummary] = {}
    if flags_available():
        for client_id in client_ids:
            for session_id, summary in session_flag_summaries(client_id, session_ids).items():
                flags[(client_id, session_id)] = summary
    reviews = session_reviews(
        tallies,
        cursors=cursors_for(user.pk, client_ids, session_ids=session_ids),
        holds=holds_for(client_ids, session_ids),
        flags=flags,
        now=now,
    )
    return {(r.client_id, r.session_id): r for r in reviews}


@dataclass(frozen=True)
class SessionPanel:
    """The session page's review panel for one user."""

    review: SessionReview | None  # None: the session's counts could not be read
    last_review_at: datetime | None
    may_review: bool  # assigned (break-glass access is read-only)
    flags_available: bool


def session_panel(user: User, grant: AccessGrant, session_id: str, *, now: datetime) -> SessionPanel:
    client_id = grant.client_id
    may_review = not grant.read_only
    try:
        found = tally_of(client_id, session_id)
    except StateUnavailable:
        found = None
    if found is None:
        return SessionPanel(None, None, may_review, flags_available())
    tally = SessionTally(client_id, session_id, found.source, "", now, found.counts, "", None, found.ttl_ms)
    reviewed, last_at = cursor_of(user.pk, client_id, session_id)
    hold = holds_for([client_id], [session_id]).get((client_id, session_id))
    flags = NO_FLAGS
    if flags_available():
        flags = session_flag_summaries(client_id, [session_id]).get(session_id, NO_FLAGS)
    review = SessionReview(tally, reviewed, hold, flags, now)
    return SessionPanel(review, last_at, may_review, flags_available())
