"""``{% load risk_flags %}``: the risk banner for a client's pages and the inbox link in the menu."""

from __future__ import annotations

from typing import Any

from django import template

from ifemotion.accounts.models import User
from sessions_app.access import readable_client_ids
from sessions_app.risk.queries import open_flag_summary, open_flag_summary_by_session

register = template.Library()


@register.inclusion_tag("risk/_banner.html")
def risk_banner(client_ids: Any, session_id: str = "") -> dict[str, Any]:
    """Unresolved flags of one client (a string) or of several (a list), and of one session if given."""
    ids = [client_ids] if isinstance(client_ids, str) else list(client_ids or [])
    summaries = open_flag_summary(ids)
    total = sum(s.unresolved for s in summaries.values())
    by_severity: dict[str, int] = {}
    for summary in summaries.values():
        for severity, n in summary.by_severity.items():
            by_severity[severity] = by_severity.get(severity, 0) + n
    session = (
        open_flag_summary_by_session(ids[0], [session_id]).get(session_id) if session_id and ids else None
    )
    deadlines = [s.next_deadline for s in summaries.values() if s.next_deadline]
    return {
        "total": total,
        "high": by_severity.get("high", 0),
        "medium": by_severity.get("medium", 0),
        "low": by_severity.get("low", 0),
        "open": sum(s.open for s in summaries.values()),
        "escalated": sum(s.escalated for s in summaries.values()),
        "next_deadline": min(deadlines) if deadlines else None,
        "clients": len(summaries),
        "single": ids[0] if len(ids) == 1 else "",
        "session": session,
    }


@register.simple_tag
def risk_open_count(user: Any) -> int:
    """Unacknowledged flags of the user's readable clients (the menu's badge)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return 0
    return sum(s.open for s in open_flag_summary(readable_client_ids(user)).values())
