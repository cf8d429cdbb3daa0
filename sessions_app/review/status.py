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


@dataclass(frozen=True, slots=True)
class SessionReview:
    tally: SessionTally
    reviewed: Counts
    hold: HoldMark | None
    flags: FlagSummary
    now: datetime

    @property
    def client_id(self) -> str:
        return self.tally.client_id

    @property
    def session_id(self) -> str:
        return self.tally.session_id

    @property
    def unread(self) -> Counts:
        return ZERO if self.tally.unreadable else self.tally.counts.minus(self.reviewed)

    @property
    def needs_review(self) -> bool:
        return self.unread.any

    @property
    def held(self) -> bool:
        """Held, and nothing happened since: the session's record no longer depends on its TTL."""
        return self.hold is not None and self.hold.covers(self.tally.counts)

    @property
    def is_live(self) -> bool:
        return self.tally.source == "live"

    @property
    def leaves_at(self) -> datetime | None:
        """When Redis forgets the session if nothing more is written (live sessions with a TTL)."""
        ttl = self.tally.ttl_ms
        return None if ttl is None or not self.is_live else self.now + timedelta(milliseconds=ttl)

    @property
    def at_risk(self) -> bool:
        """Live, unreviewed and not held: leaving live storage would leave it unreviewed."""
        return self.is_live and self.needs_review and not self.held and self.leaves_at is not None

    def leaves_within(self, window: timedelta) -> bool:
        leaves = self.leaves_at
        return self.at_risk and leaves is not None and leaves <= self.now + window


def warning_window() -> timedelta:
    """Sessions leaving live storage within this window are called out (inbox badge, digest)."""
    return timedelta(hours=settings.REVIEW_DIGEST_WINDOW_HOURS)


def holds_for(
    client_ids: Sequence[str], session_ids: Sequence[str] | None = None
) -> dict[tuple[str, str], HoldMark]:
    query = SessionHold.objects.filter(client_id__in=list(client_ids))
    if session_ids is not None:
        query = query.filter(session_id__in=list(session_ids))
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
