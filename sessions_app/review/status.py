"""Each session as one clinician's review sees it: counts, what is unread, hold, flags, time left.

Built from counts only (``tallies``), the clinician's cursors and the holds: no transcript is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from sessions_app.review.flags import NO_FLAGS, FlagSummary
from sessions_app.review.models import SessionHold
from sessions_app.review.tallies import ZERO, Counts, SessionTally


@dataclass(frozen=True, slots=True)
class HoldMark:
    held_at: datetime
    held_by: str
    covered: Counts  # what the hold verified in the database

    def covers(self, counts: Counts) -> bool:
        """True when nothing happened in the session after the hold."""
        return not counts.minus(self.covered).any


class SessionReview:
    """One session for one clinician. Everything is computed once, when built: an inbox builds one per
    session of every client (thousands), and reads each several times while ranking."""

    __slots__ = (
        "at_risk",
        "flags",
        "held",
        "hold",
        "leaves_at",
        "needs_review",
        "now",
        "reviewed",
        "tally",
        "unread",
    )

    def __init__(
        self, tally: SessionTally, reviewed: Counts, hold: HoldMark | None, flags: FlagSummary, now: datetime
    ) -> None:
        self.tally, self.reviewed, self.hold, self.flags, self.now = tally, reviewed, hold, flags, now
        counts = tally.counts
        self.unread: Counts = (
            ZERO if tally.unreadable else (counts if reviewed is ZERO else counts.minus(reviewed))
        )
        self.needs_review: bool = self.unread.any
        # Held, and nothing happened since: the session's record no longer depends on its TTL.
        self.held: bool = hold is not None and hold.covers(counts)
        ttl = tally.ttl_ms
        live = tally.source == "live"
        # When Redis forgets the session if nothing more is written (live sessions with a TTL).
        self.leaves_at: datetime | None = (
            now + timedelta(milliseconds=ttl) if live and ttl is not None else None
        )
        # Live, unreviewed and not held: leaving live storage would leave it unreviewed.
        self.at_risk: bool = self.needs_review and not self.held and self.leaves_at is not None

    @property
    def client_id(self) -> str:
        return self.tally.client_id

    @property
    def session_id(self) -> str:
        return self.tally.session_id

    @property
    def is_live(self) -> bool:
        return self.tally.source == "live"

    def leaves_within(self, window: timedelta) -> bool:
        return self.at_risk and self.leaves_at is not None and self.leaves_at <= self.now + window


def warning_window() -> timedelta:
    """Sessions leaving live storage within this window are called out (inbox badge, digest)."""
    return timedelta(hours=settings.REVIEW_DIGEST_WINDOW_HOURS)


def holds_for(
    client_ids: Sequence[str], session_ids: Sequence[str] | None = None
) -> dict[tuple[str, str], HoldMark]:
    # One IN list, not two (see cursors_for); holds are looked up by (client, session).
    if session_ids is not None:
        query = SessionHold.objects.filter(session_id__in=list(session_ids))
    else:
        query = SessionHold.objects.filter(client_id__in=list(client_ids))
    rows = query.values_list(
        "client_id", "session_id", "held_at", "held_by_name", "messages", "milestones", "breakthroughs",
        "emotion_changes",
    )  # fmt: skip
    return {
        (client, session): HoldMark(at, by, Counts(msgs, ms, bt, ec))
        for client, session, at, by, msgs, ms, bt, ec in rows
    }


def session_reviews(
    tallies: Sequence[SessionTally],
    *,
    cursors: Mapping[tuple[str, str], Counts],
    holds: Mapping[tuple[str, str], HoldMark],
    flags: Mapping[tuple[str, str], FlagSummary],
    now: datetime,
) -> list[SessionReview]:
    return [
        SessionReview(t, cursors.get(t.key, ZERO), holds.get(t.key), flags.get(t.key, NO_FLAGS), now)
        for t in tallies
    ]
