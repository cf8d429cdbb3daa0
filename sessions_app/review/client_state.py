"""A client's review state for the chatbot's operators (the API's read): how far the clinicians
assigned to the client have reviewed each session, which sessions are held, and when live sessions
leave live storage. Reviewers appear by role only; their names stay inside the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ifemotion.accounts.models import CareAssignment
from sessions_app.review.cursors import last_reviews
from sessions_app.review.digest import REVIEWER_ROLES
from sessions_app.review.models import ReviewCursor
from sessions_app.review.status import SessionReview, holds_for, session_reviews
from sessions_app.review.tallies import ZERO, Counts, gather


@dataclass(frozen=True)
class ReviewerState:
    role: str
    last_session_id: str | None
    last_seq: int | None
    reviewed_at: datetime | None
    unread_messages: int


@dataclass(frozen=True)
class SessionState:
    review: SessionReview  # as the furthest reviewer sees it
    reviewed_through_seq: int
    reviewed_by: int  # assigned reviewers with nothing unread in the session
    last_reviewed_at: datetime | None


@dataclass(frozen=True)
class ClientReviewState:
    client_id: str
    reviewers: list[ReviewerState]
    sessions: list[SessionState]
    live_unavailable: bool


def client_review_state(client_id: str, *, now: datetime) -> ClientReviewState | None:
    """None when no therapist or clinician is assigned to the client (there is no review state)."""
    assigned = list(
        CareAssignment.objects.filter(
            client_id=client_id, therapist__is_active=True, therapist__role__in=REVIEWER_ROLES
        ).values_list("therapist_id", "therapist__role")
    )
    if not assigned:
        return None
    reviewer_ids = [user_id for user_id, _ in assigned]
    tallies = gather([client_id])
    cursors: dict[int, dict[str, tuple[Counts, datetime]]] = {user_id: {} for user_id in reviewer_ids}
    rows = ReviewCursor.objects.filter(client_id=client_id, clinician_id__in=reviewer_ids).values_list(
        "clinician_id", "session_id", "seq", "milestones", "breakthroughs", "emotion_changes", "reviewed_at"
    )
    for user_id, session_id, seq, ms, bt, ec, at in rows:
        cursors[user_id][session_id] = (Counts(seq, ms, bt, ec), at)
    holds = holds_for([client_id])
    sessions = []
    for tally in sorted(tallies.sessions, key=lambda t: (t.last_updated, t.session_id), reverse=True):
        seen = [cursors[user_id].get(tally.session_id) for user_id in reviewer_ids]
        furthest = max((c for c, _ in filter(None, seen)), key=lambda c: c.messages, default=ZERO)
        review = session_reviews([tally], cursors={tally.key: furthest}, holds=holds, flags={}, now=now)[0]
        done = sum(1 for entry in seen if entry and not tally.counts.minus(entry[0]).any)
        times = [at for _, at in filter(None, seen)]
        sessions.append(SessionState(review, furthest.messages, done, max(times, default=None)))
    last = {user_id: last_reviews(user_id, [client_id]).get(client_id) for user_id in reviewer_ids}
    reviewers = []
    for user_id, role in assigned:
        unread = sum(
            tally.counts.minus(cursors[user_id].get(tally.session_id, (ZERO, None))[0]).messages
            for tally in tallies.sessions
        )
        mark = last[user_id]
        reviewers.append(
            ReviewerState(
                role,
                mark.session_id if mark else None,
                mark.seq if mark else None,
                mark.at if mark else None,
                unread,
            )
        )
    return ClientReviewState(client_id, reviewers, sessions, tallies.live_unavailable)
