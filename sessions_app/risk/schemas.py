"""HTTP API shapes of risk assessments and flags (django-ninja Schemas)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import BaseModel

from sessions_app.risk.intake import AppendAssessment
from sessions_app.risk.models import RiskFlag

SeverityName = Literal["low", "medium", "high"]
StateName = Literal["open", "acknowledged", "resolved", "false_positive"]


class RiskAssessmentOut(BaseModel):  # built from keywords: ninja's attribute-lookup validator not needed
    """The assessment of a client message, returned with the append so the chatbot can react at once.

    Inferred by rules, not a clinical assessment. When `flagged`, show crisis resources: this product is
    not a crisis service and clinicians see flags only when they next look.
    """

    flagged: bool
    severity: SeverityName | None = None
    category: str | None = None
    rule: str | None = Field(None, description="id of the rule that matched")
    rules_version: str
    flag_id: int | None = Field(None, description="the flag clinicians see (GET /risk-flags/{flag_id})")
    recorded: bool = Field(description="false: the flag could not be stored now; a worker stores it soon")

    @classmethod
    def of(cls, result: AppendAssessment) -> RiskAssessmentOut:
        a = result.assessment
        return cls(
            flagged=a.flagged,
            severity=str(a.severity) if a.severity else None,  # type: ignore[arg-type]
            category=str(a.category) if a.category else None,
            rule=a.rule,
            rules_version=a.rules_version,
            flag_id=result.flag_id,
            recorded=result.recorded,
        )


class FlagEventOut(Schema):
    at: datetime
    actor: str
    from_state: StateName
    to_state: StateName
    note: str


class RiskFlagOut(Schema):
    flag_id: int
    user_id: str
    session_id: str
    seq: int
    message_id: str
    message_at: datetime
    severity: SeverityName
    category: str
    rule: str
    rules_version: str
    excerpt: str = Field(description="the matched sentence (never more of the message)")
    source: str
    state: StateName
    raised_at: datetime
    deadline_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str
    closed_at: datetime | None
    closed_by: str
    escalated_at: datetime | None
    events: list[FlagEventOut] | None = Field(None, description="the history (single-flag read only)")

    @classmethod
    def of(cls, flag: RiskFlag, *, with_events: bool = False) -> RiskFlagOut:
        events = [
            FlagEventOut(at=e.at, actor=e.actor, from_state=e.from_state, to_state=e.to_state, note=e.note)  # type: ignore[arg-type]
            for e in flag.events.all()
        ] if with_events else None  # fmt: skip
        return cls(
            flag_id=flag.pk, user_id=flag.client_id, session_id=flag.session_id, seq=flag.seq,
            message_id=flag.message_id, message_at=flag.message_at, severity=flag.severity,  # type: ignore[arg-type]
            category=flag.category, rule=flag.rule, rules_version=flag.rules_version, excerpt=flag.excerpt,
            source=flag.source, state=flag.state, raised_at=flag.raised_at,  # type: ignore[arg-type]
            deadline_at=flag.deadline_at, acknowledged_at=flag.acknowledged_at,
            acknowledged_by=flag.acknowledged_by, closed_at=flag.closed_at, closed_by=flag.closed_by,
            escalated_at=flag.escalated_at, events=events,
        )  # fmt: skip


class RiskFlagListOut(Schema):
    user_id: str
    flags: list[RiskFlagOut]
    count: int
    truncated: bool
