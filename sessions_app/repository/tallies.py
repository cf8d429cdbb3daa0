"""Archived sessions as counts: what a review cursor is compared with once Redis has forgotten a session.

The same numbers the live metadata holds (messages, milestones, breakthroughs) plus the length of the
emotion log, from the session rows and one grouped query over the transitions' positions. No message
row is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from django.db.models import Max

from sessions_app.models import ArchivedEmotionTransition, ArchivedSession

COLUMNS = (
    "user_id", "session_id", "status", "last_updated", "message_count", "milestone_count",
    "breakthrough_count", "current_emotion", "emotion_intensity",
)  # fmt: skip


class ArchivedTally(NamedTuple):  # a tuple: thousands are built per inbox
    client_id: str
    session_id: str
    status: str
    last_updated: datetime
    message_count: int
    milestone_count: int
    breakthrough_count: int
    emotion_changes: int
    current_emotion: str
    emotion_intensity: float | None


def _log_lengths(client_ids: Sequence[str], session_id: str | None = None) -> dict[tuple[str, str], int]:
    # The log's length is its last position + 1 (positions index the live list, so an entry kept in
    # quarantine leaves a gap in the rows but not in the length: the same number Redis's LLEN gave).
    query = ArchivedEmotionTransition.objects.filter(user_id__in=list(client_ids))
    if session_id is not None:
        query = query.filter(session_id=session_id)
    rows = query.values_list("user_id", "session_id").annotate(last=Max("position"))
    return {(user_id, sid): last + 1 for user_id, sid, last in rows}


def archived_tallies(client_ids: Sequence[str]) -> list[ArchivedTally]:
    """Every archived session of ``client_ids`` (already access-checked), as counts."""
    if not client_ids:
        return []
    rows = ArchivedSession.objects.filter(user_id__in=list(client_ids)).values_list(*COLUMNS)
    lengths = _log_lengths(client_ids)
    return [
        ArchivedTally(user, sid, status, updated, msgs, ms, bt, lengths.get((user, sid), 0), emotion, level)
        for user, sid, status, updated, msgs, ms, bt, emotion, level in rows
    ]


def archived_tally(client_id: str, session_id: str) -> ArchivedTally | None:
    """One archived session as counts, or None when the archive has no snapshot of it."""
    row = (
        ArchivedSession.objects.filter(user_id=client_id, session_id=session_id).values_list(*COLUMNS).first()
    )
    if row is None:
        return None
    user, sid, status, updated, msgs, ms, bt, emotion, level = row
    changes = _log_lengths([client_id], session_id).get((client_id, session_id), 0)
    return ArchivedTally(user, sid, status, updated, msgs, ms, bt, changes, emotion, level)


def emotion_log_lengths(client_ids: Sequence[str], session_ids: Sequence[str]) -> dict[tuple[str, str], int]:
    """The emotion-log length of archived sessions picked by client and session ids (a list page)."""
    if not client_ids or not session_ids:
        return {}
    query = ArchivedEmotionTransition.objects.filter(
        user_id__in=list(client_ids), session_id__in=list(session_ids)
    )
    rows = query.values_list("user_id", "session_id").annotate(last=Max("position"))
    return {(user_id, sid): last + 1 for user_id, sid, last in rows}
