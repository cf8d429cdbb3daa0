"""Read cursors: mark a session (or a whole client) reviewed, mark it unread, and read them back.

A cursor only moves forward when marking reviewed ("up to message 20" after reviewing 40 changes
nothing); "mark unread" is the explicit way back. Every change is one audit row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone

from sessions_app import repository
from sessions_app.access import AccessGrant
from sessions_app.domain import EmotionTransition, Message, UnreadableEntry
from sessions_app.errors import SessionNotFound, StateUnavailable
from sessions_app.review import audit
from sessions_app.review.models import ReviewCursor
from sessions_app.review.tallies import ZERO, Counts, gather, tally_of

CURSOR_FIELDS = ("seq", "milestones", "breakthroughs", "emotion_changes", "reviewed_at")


@dataclass(frozen=True)
class LastReview:
    """The clinician's latest review of a client: the session and message they marked, and when."""

    session_id: str
    seq: int
    at: datetime


def counts_of(cursor: ReviewCursor) -> Counts:
    return Counts(cursor.seq, cursor.milestones, cursor.breakthroughs, cursor.emotion_changes)


def cursors_for(
    clinician_id: int, client_ids: Sequence[str], *, session_ids: Sequence[str] | None = None
) -> dict[tuple[str, str], Counts]:
    """What the clinician has reviewed of every session (or these sessions) of these clients
    (absent: nothing)."""
    query = ReviewCursor.objects.filter(clinician_id=clinician_id)
    # Either list alone, never both: two IN lists on one index make SQLite probe every pair (200
    # clients x 400 sessions). A cursor of another client's session with the same id is harmless:
    # callers look cursors up by (client, session).
    if session_ids is not None:
        query = query.filter(session_id__in=list(session_ids))
    else:
        query = query.filter(client_id__in=list(client_ids))
    rows = query.values_list(
        "client_id", "session_id", "seq", "milestones", "breakthroughs", "emotion_changes"
    )
    return {(c, s): Counts(seq, ms, bt, ec) for c, s, seq, ms, bt, ec in rows}


def last_reviews(clinician_id: int, client_ids: Sequence[str]) -> dict[str, LastReview]:
    """Per client, the session the clinician marked reviewed most recently (one row per client)."""
    latest = (
        ReviewCursor.objects.filter(clinician_id=clinician_id, client_id=OuterRef("client_id"))
        .order_by("-reviewed_at", "-id")
        .values("id")[:1]
    )
    rows = ReviewCursor.objects.filter(
        clinician_id=clinician_id, client_id__in=list(client_ids), id=Subquery(latest)
    ).values_list("client_id", "session_id", "seq", "reviewed_at")
    return {client: LastReview(session, seq, at) for client, session, seq, at in rows}


def cursor_of(clinician_id: int, client_id: str, session_id: str) -> tuple[Counts, datetime | None]:
    """What the clinician has reviewed of the session, and when they last marked it."""
    row = ReviewCursor.objects.filter(
        clinician_id=clinician_id, client_id=client_id, session_id=session_id
    ).first()
    return (ZERO, None) if row is None else (counts_of(row), row.reviewed_at)


def _position_after(items: Sequence[object], before: datetime) -> int:
    """How many entries of a time-ordered list were recorded before ``before`` (an unreadable entry
    between two earlier ones counts with them)."""
    count = 0
    for position, item in enumerate(items, start=1):
        at = getattr(item, "at", None)
        if isinstance(at, datetime) and at < before:
            count = position
    return count


def reviewed_through(client_id: str, session_id: str, seq: int, total: Counts) -> Counts:
    """What "reviewed up to message ``seq``" covers: the messages to ``seq`` and everything recorded
    before message ``seq + 1`` arrived (milestones, breakthroughs, emotion changes). Reads the
    session's lists and one message, never the transcript."""
    if seq >= total.messages:
        return total
    record = repository.get_session(client_id, session_id)
    following = repository.get_history(client_id, session_id, offset=seq, limit=1).items
    state = record.state
    if not following or isinstance(following[0], UnreadableEntry):
        # The next message cannot be read: its time is unknown, so only the messages are credited.
        return Counts(seq, 0, 0, 0)
    assert isinstance(following[0], Message)  # noqa: S101 - narrowed above
    before = following[0].timestamp
    changes = [t for t in state.emotion_log if isinstance(t, EmotionTransition | UnreadableEntry)]
    return Counts(
        seq,
        _position_after(state.milestones, before),
        _position_after(state.breakthroughs, before),
        _position_after(changes, before),
    ).at_most(total)


def _save(clinician_id: int, client_id: str, session_id: str, reviewed: Counts) -> Counts:
    """Move the cursor forward to ``reviewed`` (never back); returns the cursor as saved. Call it
    inside a transaction (the row is locked until the caller commits)."""
    row = (
        ReviewCursor.objects.select_for_update()
        .filter(clinician_id=clinician_id, client_id=client_id, session_id=session_id)
        .first()
    )
    if row is None:
        row = ReviewCursor(clinician_id=clinician_id, client_id=client_id, session_id=session_id)
        merged = reviewed
    else:
        merged = reviewed.at_least(counts_of(row))
    row.seq, row.milestones, row.breakthroughs = merged.messages, merged.milestones, merged.breakthroughs
    row.emotion_changes, row.reviewed_at = merged.emotion_changes, timezone.now()
    row.save()
    return merged


def mark_reviewed(
    *,
    grant: AccessGrant,
    session_id: str,
    seq: int | None = None,
    shown: Counts | None = None,
    request: HttpRequest | None = None,
) -> Counts:
    """Mark one session reviewed up to message ``seq`` (default: its latest) and return the cursor.

    ``shown`` is what the clinician's page showed (so activity that arrived after the page was drawn
    stays unread). Raises ``SessionNotFound`` when neither Redis nor the archive has the session.
    """
    found = tally_of(grant.client_id, session_id)
    if found is None:
        raise SessionNotFound(grant.client_id, session_id)
    total = found.counts if shown is None else found.counts.at_most(shown)
    target = total.messages if seq is None else max(0, min(seq, total.messages))
    reviewed = reviewed_through(grant.client_id, session_id, target, total)
    with transaction.atomic():  # the cursor moves if and only if the move is audited
        saved = _save(grant.user_id, grant.client_id, session_id, reviewed)
        audit.record(
            audit.REVIEW_MARKED, actor=grant.username, role=grant.role, request=request,
            client_id=grant.client_id, session_id=session_id,
            detail={"scope": "session", "seq": saved.messages, "source": found.source},
        )  # fmt: skip
    return saved


def mark_client_reviewed(*, grant: AccessGrant, request: HttpRequest | None = None) -> int:
    """Mark every session of the client reviewed as of now; returns how many sessions were marked.

    Raises ``StateUnavailable`` when Redis is down (live sessions cannot be counted: nothing is marked).
    """
    tallies = gather([grant.client_id])
    if tallies.live_unavailable:
        raise StateUnavailable("live records are temporarily unavailable; nothing was marked")
    sessions = [t for t in tallies.sessions if not t.unreadable]
    existing = cursors_for(grant.user_id, [grant.client_id])
    now = timezone.now()
    rows = []
    for tally in sessions:
        merged = tally.counts.at_least(existing.get(tally.key, ZERO))
        rows.append(
            ReviewCursor(
                clinician_id=grant.user_id, client_id=grant.client_id, session_id=tally.session_id,
                seq=merged.messages, milestones=merged.milestones, breakthroughs=merged.breakthroughs,
                emotion_changes=merged.emotion_changes, reviewed_at=now,
            )
        )  # fmt: skip
    with transaction.atomic():
        ReviewCursor.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["clinician", "client_id", "session_id"],
            update_fields=list(CURSOR_FIELDS),
            batch_size=500,
        )
        audit.record(
            audit.REVIEW_MARKED, actor=grant.username, role=grant.role, request=request,
            client_id=grant.client_id, detail={"scope": "client", "sessions": len(rows)},
        )  # fmt: skip
    return len(rows)


def mark_unread(*, grant: AccessGrant, session_id: str = "", request: HttpRequest | None = None) -> int:
    """Forget the clinician's review of one session (or, without ``session_id``, of the whole client):
    everything in it counts as unread again. Returns how many cursors were removed."""
    query = ReviewCursor.objects.filter(clinician_id=grant.user_id, client_id=grant.client_id)
    if session_id:
        query = query.filter(session_id=session_id)
    with transaction.atomic():
        removed, _ = query.delete()
        audit.record(
            audit.REVIEW_UNMARKED, actor=grant.username, role=grant.role, request=request,
            client_id=grant.client_id, session_id=session_id,
            detail={"scope": "session" if session_id else "client", "cursors": removed},
        )  # fmt: skip
    return removed
