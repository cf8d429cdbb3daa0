"""Assess archived messages: the backfill command, and the worker's catch-up for sessions that left
Redis before the worker saw all their messages (e.g. it was stopped for longer than the TTL margin).

Reads only what no cursor covers yet, session by session, so running it again assesses nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from sessions_app.models import ArchivedMessage, ArchivedSession
from sessions_app.risk.detection.engine import CONTEXT_TURNS
from sessions_app.risk.models import AssessmentCursor, FlagSource
from sessions_app.risk.recording import advance_to
from sessions_app.risk.scan import Turn, scan


@dataclass
class CatchUpSummary:
    sessions: int = 0
    assessed: int = 0
    flagged: int = 0

    def line(self) -> str:
        return (
            f"risk backfill: {self.sessions} archived sessions with unassessed messages, "
            f"{self.assessed} client messages assessed, {self.flagged} flagged"
        )


def pending_sessions(
    *, client_id: str | None = None, since: datetime | None = None
) -> list[tuple[str, str, int]]:
    """(client, session, assessed_through) of archived sessions holding messages past their cursor."""
    cursor = AssessmentCursor.objects.filter(
        client_id=OuterRef("user_id"), session_id=OuterRef("session_id")
    ).values("assessed_through")[:1]
    sessions = ArchivedSession.objects.annotate(
        through=Coalesce(Subquery(cursor, output_field=IntegerField()), Value(0))
    ).filter(message_count__gt=F("through"))
    if client_id is not None:
        sessions = sessions.filter(user_id=client_id)
    if since is not None:
        sessions = sessions.filter(last_updated__gte=since)
    return list(sessions.order_by("user_id", "session_id").values_list("user_id", "session_id", "through"))


def assess_archived(
    *,
    client_id: str | None = None,
    since: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> CatchUpSummary:
    summary = CatchUpSummary()
    for user_id, session_id, through in pending_sessions(client_id=client_id, since=since):
        rows = (
            ArchivedMessage.objects.filter(
                user_id=user_id, session_id=session_id, seq__gt=max(0, through - CONTEXT_TURNS)
            )
            .order_by("seq")
            .values_list("seq", "message_id", "role", "content", "timestamp")
        )
        turns = (Turn(seq, mid, role, content, at) for seq, mid, role, content, at in rows.iterator())
        result = scan(user_id, session_id, turns, after=through, source=FlagSource.ARCHIVE)
        if result.through > through:
            advance_to(user_id, session_id, result.through)
        summary.sessions += 1
        summary.assessed += result.assessed
        summary.flagged += result.flagged
        if progress is not None:
            progress(1)
    return summary
