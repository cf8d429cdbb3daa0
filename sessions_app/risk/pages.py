"""Data for the risk pages: the ±3 turns around a flagged message, deadline wording, audit rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, User
from sessions_app import repository
from sessions_app.access import AccessGrant
from sessions_app.errors import SessionNotFound, StateError, StateUnavailable
from sessions_app.risk.models import FlagState, RiskFlag

CONTEXT_AROUND = 3


@dataclass(frozen=True)
class MessageContext:
    """The flagged message with up to three turns either side, or why they cannot be shown."""

    items: tuple[Any, ...] = ()
    problem: str = ""  # "" | "unavailable" | "gone"


def message_context(flag: RiskFlag) -> MessageContext:
    offset = max(0, flag.seq - 1 - CONTEXT_AROUND)
    try:
        page = repository.get_history(flag.client_id, flag.session_id, offset=offset,
                                      limit=CONTEXT_AROUND * 2 + 1)  # fmt: skip
    except SessionNotFound:
        return MessageContext(problem="gone")
    except StateUnavailable:
        return MessageContext(problem="unavailable")
    except StateError:
        return MessageContext(problem="unavailable")
    return MessageContext(items=page.items, problem="unavailable" if page.live_unavailable else "")


def deadline_text(flag: RiskFlag, now: datetime) -> str:
    """ "due in 12 min", "overdue by 1 h 5 min"; empty once acknowledged or closed."""
    if flag.state != FlagState.OPEN:
        return ""
    seconds = int((flag.deadline_at - now).total_seconds())
    words = _duration(abs(seconds))
    return f"due in {words}" if seconds >= 0 else f"overdue by {words}"


def _duration(seconds: int) -> str:
    minutes = max(1, seconds // 60) if seconds >= 60 else 0
    if seconds < 60:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def record_inbox_view(request: HttpRequest, user: User, rows: int) -> None:
    audit.record(AuditAction.RISK_INBOX_VIEWED, actor=user.username, role=user.role, request=request,
                 detail={"rows": rows})  # fmt: skip


def record_flag_view(request: HttpRequest, grant: AccessGrant, flag: RiskFlag) -> None:
    audit.record(
        AuditAction.RISK_FLAG_VIEWED, actor=grant.username, role=grant.role, request=request,
        client_id=flag.client_id, session_id=flag.session_id, detail={"flag": flag.pk, "via": grant.via},
    )  # fmt: skip
