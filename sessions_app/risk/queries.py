"""Reads of flags for pages and other features (the inbox, the client page): counts by severity and
the most urgent deadline, per client or per session, and the alert inbox's list.

Callers pass client ids the user may read (``sessions_app.access.readable_client_ids`` or a grant's
client id); nothing here checks access.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet

from sessions_app.risk.models import UNRESOLVED, FlagState, RiskFlag

SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class FlagSummary:
    """Unresolved flags (open or acknowledged) of one client or one session."""

    unresolved: int = 0
    open: int = 0  # not yet acknowledged
    by_severity: dict[str, int] = field(default_factory=dict)  # unresolved, by severity
    next_deadline: datetime | None = None  # the earliest deadline among open flags
    escalated: int = 0  # open flags past their deadline that were escalated

    @property
    def highest(self) -> str | None:
        return next((s for s in SEVERITIES if self.by_severity.get(s)), None)


def _summaries(flags: QuerySet[RiskFlag], key: str) -> dict[str, FlagSummary]:
    rows = (
        flags.filter(state__in=UNRESOLVED)
        .values(key, "severity")
        .annotate(
            n=Count("id"),
            n_open=Count("id", filter=Q(state=FlagState.OPEN)),
            due=Min("deadline_at", filter=Q(state=FlagState.OPEN)),
            n_escalated=Count("id", filter=Q(state=FlagState.OPEN, escalated_at__isnull=False)),
        )
    )
    acc: dict[str, dict[str, object]] = {}
    for row in rows:
        entry = acc.setdefault(row[key], {"unresolved": 0, "open": 0, "by": {}, "due": None, "esc": 0})
        entry["unresolved"] = int(entry["unresolved"]) + row["n"]  # type: ignore[call-overload]
        entry["open"] = int(entry["open"]) + row["n_open"]  # type: ignore[call-overload]
        entry["esc"] = int(entry["esc"]) + row["n_escalated"]  # type: ignore[call-overload]
        entry["by"][row["severity"]] = row["n"]  # type: ignore[index]
        due = row["due"]
        if due is not None and (entry["due"] is None or due < entry["due"]):
            entry["due"] = due
    return {
        name: FlagSummary(
            unresolved=int(e["unresolved"]),  # type: ignore[call-overload]
            open=int(e["open"]),  # type: ignore[call-overload]
            by_severity=dict(e["by"]),  # type: ignore[call-overload]
            next_deadline=e["due"],  # type: ignore[arg-type]
            escalated=int(e["esc"]),  # type: ignore[call-overload]
        )
        for name, e in acc.items()
    }


def open_flag_summary(client_ids: Iterable[str]) -> dict[str, FlagSummary]:
    """``client_id -> FlagSummary`` for clients with unresolved flags (others are absent)."""
    ids = list(client_ids)
    if not ids:
        return {}
    return _summaries(RiskFlag.objects.filter(client_id__in=ids), "client_id")


def open_flag_summary_by_session(
    client_id: str, session_ids: Iterable[str] | None = None
) -> dict[str, FlagSummary]:
    """``session_id -> FlagSummary`` of one client's sessions with unresolved flags."""
    flags = RiskFlag.objects.filter(client_id=client_id)
    if session_ids is not None:
        flags = flags.filter(session_id__in=list(session_ids))
    return _summaries(flags, "session_id")


def inbox(
    client_ids: Iterable[str],
    *,
    states: Iterable[str] = UNRESOLVED,
    severity: str | None = None,
    client_id: str | None = None,
    limit: int = 200,
) -> list[RiskFlag]:
    """Flags of these clients, most severe first, then oldest first (the longest waiting on top)."""
    flags = RiskFlag.objects.filter(client_id__in=list(client_ids), state__in=list(states))
    if severity:
        flags = flags.filter(severity=severity)
    if client_id:
        flags = flags.filter(client_id=client_id)
    return list(flags.order_by("-severity_rank", "raised_at", "id")[:limit])


def flags_of_client(
    client_id: str, *, states: Iterable[str] | None = None, limit: int = 100
) -> list[RiskFlag]:
    """One client's flags, newest first (the API's list)."""
    flags = RiskFlag.objects.filter(client_id=client_id)
    if states is not None:
        flags = flags.filter(state__in=list(states))
    return list(flags.order_by("-raised_at", "-id")[:limit])
