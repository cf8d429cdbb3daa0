"""Writing what the detector found: one flag per flagged message, and the per-session cursor.

The cursor's invariant: every message with ``seq <= assessed_through`` has been assessed. The HTTP
path moves it by exactly one message with a compare-and-set (``advance_one``); the worker moves it
to the highest seq it has assessed without a gap (``advance_to``, never backwards). Either keeps the
invariant, so neither re-assesses what the other did in the usual order of events; when they race,
both assess the message and the flag's unique key keeps one flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sessions_app.risk.detection.types import Assessment, Severity
from sessions_app.risk.models import SEVERITY_RANKS, AssessmentCursor, FlagSource, RiskFlag


@dataclass(frozen=True)
class AssessedMessage:
    """What a flag needs to know of a message (from Redis or the archive)."""

    client_id: str
    session_id: str
    seq: int
    message_id: str
    timestamp: datetime


def deadline_for(severity: Severity, raised_at: datetime) -> datetime:
    minutes = settings.RISK_ACK_MINUTES[str(severity)]
    return raised_at + timedelta(minutes=minutes)


def record_flag(message: AssessedMessage, assessment: Assessment, *, source: FlagSource) -> RiskFlag | None:
    """The message's flag (created now, or the one it already has); None when not flagged."""
    if not assessment.flagged or assessment.severity is None or assessment.category is None:
        return None
    now = timezone.now()
    span = assessment.span or (0, 0)
    defaults = {
        "message_id": message.message_id,
        "message_at": message.timestamp,
        "category": str(assessment.category),
        "severity": str(assessment.severity),
        "severity_rank": SEVERITY_RANKS[assessment.severity],
        "rule": assessment.rule or "",
        "rules_version": assessment.rules_version,
        "excerpt": assessment.sentence,
        "span_start": span[0],
        "span_end": span[1],
        "source": source,
        "raised_at": now,
        "deadline_at": deadline_for(assessment.severity, now),
    }
    try:
        with transaction.atomic():
            flag, _ = RiskFlag.objects.get_or_create(
                client_id=message.client_id, session_id=message.session_id, seq=message.seq, defaults=defaults
            )
    except IntegrityError:  # created by the other path between our read and our insert
        flag = RiskFlag.objects.get(
            client_id=message.client_id, session_id=message.session_id, seq=message.seq
        )
    return flag


def assessed_through(client_id: str, session_id: str) -> int:
    found = (
        AssessmentCursor.objects.filter(client_id=client_id, session_id=session_id)
        .values_list("assessed_through", flat=True)
        .first()
    )
    return found or 0


def cursors_for(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """``assessed_through`` of each (client, session) pair that has a cursor, in few queries."""
    wanted = set(pairs)
    found: dict[tuple[str, str], int] = {}
    clients = sorted({client for client, _ in pairs})
    for start in range(0, len(clients), 500):
        rows = AssessmentCursor.objects.filter(client_id__in=clients[start : start + 500]).values_list(
            "client_id", "session_id", "assessed_through"
        )
        for client_id, session_id, through in rows:
            if (client_id, session_id) in wanted:
                found[(client_id, session_id)] = through
    return found


def advance_one(client_id: str, session_id: str, seq: int) -> bool:
    """Move the cursor from ``seq - 1`` to ``seq``; False when it was elsewhere (the worker will see)."""
    now = timezone.now()
    moved = _compare_and_set(client_id, session_id, seq, now)
    if moved or seq != 1:
        return bool(moved)
    try:
        with transaction.atomic():
            AssessmentCursor.objects.create(
                client_id=client_id, session_id=session_id, assessed_through=1, updated_at=now
            )
    except IntegrityError:
        return False
    return True


# The model's table, spelled out so the statement is one constant (a test checks it is still the table).
CURSOR_TABLE = "risk_assessmentcursor"
# The table name is the constant above; every value is a parameter.
_MOVE_CURSOR = (
    f"UPDATE {CURSOR_TABLE} SET assessed_through = %s, updated_at = %s "  # noqa: S608  # nosec B608
    "WHERE client_id = %s AND session_id = %s AND assessed_through = %s"
)


def _compare_and_set(client_id: str, session_id: str, seq: int, now: datetime) -> int:
    """The queryset ``filter(..., assessed_through=seq - 1).update(assessed_through=seq, ...)`` as one
    fixed statement: it runs on every appended message, where building the ORM query cost several
    times the UPDATE itself. Returns the rows moved (0 or 1)."""
    updated_at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(_MOVE_CURSOR, [seq, updated_at, client_id, session_id, seq - 1])
        return int(cursor.rowcount)


def advance_to(client_id: str, session_id: str, seq: int) -> None:
    """Move the cursor forward to ``seq`` (never back)."""
    now = timezone.now()
    cursor, created = AssessmentCursor.objects.get_or_create(
        client_id=client_id, session_id=session_id, defaults={"assessed_through": seq, "updated_at": now}
    )
    if not created:
        AssessmentCursor.objects.filter(pk=cursor.pk, assessed_through__lt=seq).update(
            assessed_through=seq, updated_at=now
        )
