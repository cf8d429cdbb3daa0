"""Notifications and escalation, run by ``manage.py risk_escalate`` (a systemd timer, every minute).

- A new flag of a severity in ``RISK_NOTIFY_SEVERITIES`` is e-mailed to the client's assigned
  clinicians (those with an e-mail address).
- An open flag past its acknowledgement deadline is escalated once: e-mailed to the members of the
  ``RISK_SUPERVISOR_GROUP`` group and to ``RISK_ESCALATION_EMAILS`` (the on-call list), marked on the
  dashboard, and audited.

E-mails carry the client id, severity, category, times and a link: never the client's words. A
failed send leaves the flag as it was, so the next run tries again; nothing is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, CareAssignment, User
from sessions_app.risk.models import FlagState, RiskFlag

logger = logging.getLogger(__name__)
ACTOR = "system:risk-escalation"


@dataclass
class EscalationSummary:
    notified: int = 0
    escalated: int = 0
    failures: int = 0

    def line(self) -> str:
        return (
            f"risk escalation: {self.notified} new flags notified, {self.escalated} overdue flags escalated, "
            f"{self.failures} e-mails failed"
        )


def flag_link(flag: RiskFlag) -> str:
    """The flag's page, absolute when ``SITE_URL`` is set (the e-mails' one base for links), else the
    path alone: escalation runs from a timer, with no request to take a host from."""
    return settings.SITE_URL.rstrip("/") + reverse("risk:flag", args=[flag.pk])


def assignee_emails(client_id: str) -> list[str]:
    found = CareAssignment.objects.filter(client_id=client_id, therapist__is_active=True).values_list(
        "therapist__email", flat=True
    )
    return sorted({email for email in found if email})


def supervisor_emails() -> list[str]:
    group = Group.objects.filter(name=settings.RISK_SUPERVISOR_GROUP).first()
    members = User.objects.filter(groups=group, is_active=True) if group else User.objects.none()
    emails = {email for email in members.values_list("email", flat=True) if email}
    return sorted(emails | set(settings.RISK_ESCALATION_EMAILS))


def _body(flag: RiskFlag, opening: str) -> str:
    return (
        f"{opening}\n\n"
        f"Client: {flag.client_id}\nSession: {flag.session_id}, message #{flag.seq}\n"
        f"Severity: {flag.severity} ({flag.category_label}; inferred by rules {flag.rules_version}, "
        f"not a clinical assessment)\n"
        f"Raised: {flag.raised_at:%Y-%m-%d %H:%M} UTC\n"
        f"Acknowledge by: {flag.deadline_at:%Y-%m-%d %H:%M} UTC\n\n"
        f"Open the flag (login required): {flag_link(flag)}\n\n"
        "This e-mail contains no message text. IF.emotion Clinician is not a crisis service and does not "
        "monitor in real time."
    )


def notify_new(now: datetime, summary: EscalationSummary) -> None:
    pending = RiskFlag.objects.filter(notified_at__isnull=True).order_by("-severity_rank", "raised_at")[:500]
    for flag in pending:
        recipients = (
            assignee_emails(flag.client_id) if flag.severity in settings.RISK_NOTIFY_SEVERITIES else []
        )
        if recipients:
            subject = f"[IF.emotion] {flag.severity.upper()} risk flag for {flag.client_id}"
            opening = "A new risk flag was raised for a client assigned to you."
            if not _send(subject, _body(flag, opening), recipients, summary):
                continue
            summary.notified += 1
        RiskFlag.objects.filter(pk=flag.pk, notified_at__isnull=True).update(notified_at=now)


def escalate_overdue(now: datetime, summary: EscalationSummary) -> None:
    overdue = RiskFlag.objects.filter(
        state=FlagState.OPEN, deadline_at__lte=now, escalated_at__isnull=True
    ).order_by("-severity_rank", "deadline_at")[:500]
    recipients = supervisor_emails()
    for flag in overdue:
        if recipients:
            subject = (
                f"[IF.emotion] ESCALATED: {flag.severity} risk flag for {flag.client_id} not acknowledged"
            )
            opening = (
                f"A {flag.severity} risk flag has not been acknowledged by its deadline. The client's "
                "assigned clinicians were told; please make sure someone responds."
            )
            if not _send(subject, _body(flag, opening), recipients, summary):
                continue
        else:
            logger.warning("risk flag %s is overdue and no supervisor or on-call address is set", flag.pk)
        with transaction.atomic():
            changed = RiskFlag.objects.filter(
                pk=flag.pk, state=FlagState.OPEN, escalated_at__isnull=True
            ).update(escalated_at=now)
            if changed:
                audit.record(
                    AuditAction.RISK_FLAG_ESCALATED,
                    actor=ACTOR,
                    client_id=flag.client_id,
                    session_id=flag.session_id,
                    detail={"flag": flag.pk, "severity": flag.severity, "recipients": len(recipients)},
                )
                summary.escalated += 1


def _send(subject: str, body: str, recipients: list[str], summary: EscalationSummary) -> bool:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
    except Exception as exc:  # SMTP down, refused, timed out: try again next run
        summary.failures += 1
        logger.error("risk e-mail not sent: %s", type(exc).__name__)
        return False
    return True


def run(now: datetime) -> EscalationSummary:
    summary = EscalationSummary()
    notify_new(now, summary)
    escalate_overdue(now, summary)
    return summary
