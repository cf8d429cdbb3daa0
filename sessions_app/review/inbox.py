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
from dataclasses import dataclass, field, replace
from datetime import datetime

from sessions_app.repository.review_totals import (
    RecentSession,
    archived_client_totals,
    latest_unread_archived,
    recent_archived,
)
from sessions_app.review.cursors import cursors_for, last_reviews
from sessions_app.review.flags import NO_FLAGS, FlagSummary
from sessions_app.review.rows import ARCHIVED_NEXT, InboxRow, NextStep, build_row
from sessions_app.review.status import SessionReview, holds_for, session_reviews, warning_window
from sessions_app.review.tallies import gather

SHOW_CHOICES: dict[str, str] = {
    "all": "All clients",
    "attention": "Needs attention",
    "unread": "Unread activity",
    "expiring": "Leaving live storage soon, unreviewed",
    "reviewed": "All reviewed",
}
FLAGGED = "flagged"
PER_PAGE = 50


@dataclass(frozen=True)
class InboxFilters:
    show: str = "all"
    emotion: str = ""
    query: str = ""  # part of a client id
    page: int = 1


@dataclass(frozen=True)
class Inbox:
    rows: list[InboxRow]  # the page shown
    total_clients: int
    shown: int  # clients matching the filters, on all pages
    page: int
    pages: int
    counts: dict[str, int]  # rows per "show" choice, before the other filters
    live_unavailable: bool
    token: str
    emotions: list[str] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


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
                 row.held_sessions, row.sessions, leaving, row.leaving_soon, row.last_review)
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
    per_page: int = PER_PAGE,
) -> Inbox:
    """The clinician's inbox for ``client_ids`` (their assigned clients): every client ranked and
    filtered, one page of rows built for display.

    Live sessions are reviewed one by one (one Redis round trip for all of them); archived ones are
    totalled per client by the database; a session both live and archived counts once, as live.
    """
    tallies = gather(client_ids, archived=False)
    live_keys = [t.key for t in tallies.sessions]
    live_ids = [session_id for _, session_id in live_keys]
    reviews = session_reviews(
        tallies.sessions, cursors=cursors_for(clinician_id, client_ids, session_ids=live_ids),
        holds=holds_for(client_ids, live_ids), flags={}, now=now,
    )  # fmt: skip
    by_client: dict[str, list[SessionReview]] = defaultdict(list)
    for review in reviews:
        by_client[review.client_id].append(review)
    archived = archived_client_totals(clinician_id, client_ids, exclude=live_keys)
    recent: dict[str, list[RecentSession]] = defaultdict(list)
    for session in recent_archived(client_ids, exclude=live_keys):
        recent[session.client_id].append(session)
    window = warning_window()
    rows = [
        build_row(c, by_client.get(c, []), archived.get(c), recent.get(c, []), flags.get(c, NO_FLAGS), window)
        for c in client_ids
    ]
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
    pages = max(1, -(-len(shown) // per_page))
    page = min(max(1, filters.page), pages)
    visible = _complete(clinician_id, shown[(page - 1) * per_page : page * per_page], live_keys)
    return Inbox(
        rows=visible,
        total_clients=len(client_ids),
        shown=len(shown),
        page=page,
        pages=pages,
        counts=counts,
        live_unavailable=tallies.live_unavailable,
        token=_token(visible, tallies.live_unavailable) + f"-{len(shown)}",
        emotions=sorted({row.emotion for row in rows if row.emotion}),
    )


def _complete(clinician_id: int, rows: list[InboxRow], live_keys: list[tuple[str, str]]) -> list[InboxRow]:
    """What only the rows shown need: the last review, and where "Review" opens when that is an
    archived session."""
    last = last_reviews(clinician_id, [row.client_id for row in rows])
    waiting = [row.client_id for row in rows if row.next_step == ARCHIVED_NEXT]
    found = latest_unread_archived(clinician_id, waiting, exclude=live_keys) if waiting else {}
    completed = []
    for row in rows:
        step = row.next_step
        if step == ARCHIVED_NEXT:
            unread = found.get(row.client_id)
            step = (
                None
                if unread is None
                else NextStep(unread.session_id, unread.reviewed_seq + 1 if unread.unread_messages else None)
            )
        completed.append(replace(row, last_review=last.get(row.client_id), next_step=step))
    return completed
