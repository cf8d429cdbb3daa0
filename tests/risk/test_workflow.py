"""The flag workflow and escalation: transitions by a named clinician with a required note, one audit
row each, history kept; deadlines by severity; escalation of overdue flags by e-mail with a frozen
clock; e-mails without client text; a failed e-mail is retried."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from pytest_django.fixtures import Settings

from ifemotion.accounts.models import AuditAction, AuditEvent, User
from sessions_app.access import check_client_access
from sessions_app.risk import escalation
from sessions_app.risk.models import FlagEvent, FlagState, RiskFlag
from sessions_app.risk.workflow import TransitionRefused, change_flag
from tests.risk.factories import make_flag
from tests.support import AVA

pytestmark = pytest.mark.django_db
HIGH = "I'm going to kill myself tonight."
MEDIUM = "I just want to die."
LOW = "I feel like a burden on everyone around me."


def test_deadlines_follow_severity_settings(settings: Settings) -> None:
    settings.RISK_ACK_MINUTES = {"high": 15, "medium": 240, "low": 1440}
    for text, minutes in ((HIGH, 15), (MEDIUM, 240), (LOW, 1440)):
        flag = make_flag(AVA, text, session_id=f"s-{minutes}")
        assert flag.deadline_at - flag.raised_at == timedelta(minutes=minutes)


def test_open_acknowledged_resolved_with_notes_history_and_one_audit_row_each(alice: User) -> None:
    flag = make_flag(AVA, HIGH)
    grant = check_client_access(alice, AVA, purpose="annotate")
    before = AuditEvent.objects.filter(action=AuditAction.RISK_FLAG_CHANGED).count()
    change_flag(grant=grant, flag_id=flag.pk, to_state=FlagState.ACKNOWLEDGED, note="Calling her now.")
    change_flag(grant=grant, flag_id=flag.pk, to_state=FlagState.RESOLVED, note="Spoke; safety plan agreed.")
    flag.refresh_from_db()
    assert flag.state == FlagState.RESOLVED
    assert (flag.acknowledged_by, flag.closed_by) == ("alice", "alice")
    events = list(FlagEvent.objects.filter(flag=flag))
    assert [(e.from_state, e.to_state, e.actor) for e in events] == [
        ("open", "acknowledged", "alice"),
        ("acknowledged", "resolved", "alice"),
    ]
    assert events[1].note == "Spoke; safety plan agreed."
    rows = AuditEvent.objects.filter(action=AuditAction.RISK_FLAG_CHANGED).order_by("id")
    assert rows.count() == before + 2
    last = rows.last()
    assert last is not None
    assert (last.actor, last.client_id, last.detail["to"]) == ("alice", AVA, "resolved")
    assert "safety plan" not in str(last.detail)  # the note is in the history, never in the audit


def test_a_false_positive_is_kept_with_its_history(alice: User) -> None:
    flag = make_flag(AVA, MEDIUM)
    grant = check_client_access(alice, AVA, purpose="annotate")
    change_flag(grant=grant, flag_id=flag.pk, to_state=FlagState.ACKNOWLEDGED, note="Reading.")
    change_flag(
        grant=grant, flag_id=flag.pk, to_state=FlagState.FALSE_POSITIVE, note="Song lyric she quoted."
    )
    assert RiskFlag.objects.get(pk=flag.pk).state == FlagState.FALSE_POSITIVE
    assert FlagEvent.objects.filter(flag=flag).count() == 2


@pytest.mark.parametrize("note", ["", "   ", "\n\t"])
def test_a_transition_without_a_note_is_refused(alice: User, note: str) -> None:
    flag = make_flag(AVA, HIGH)
    grant = check_client_access(alice, AVA, purpose="annotate")
    with pytest.raises(TransitionRefused) as refused:
        change_flag(grant=grant, flag_id=flag.pk, to_state=FlagState.ACKNOWLEDGED, note=note)
    assert refused.value.field == "note"
    assert RiskFlag.objects.get(pk=flag.pk).state == FlagState.OPEN
    assert not FlagEvent.objects.exists()


def test_steps_out_of_order_are_refused(alice: User) -> None:
    flag = make_flag(AVA, HIGH)
    grant = check_client_access(alice, AVA, purpose="annotate")
    with pytest.raises(TransitionRefused):
        change_flag(grant=grant, flag_id=flag.pk, to_state=FlagState.RESOLVED, note="skip ahead")
    change_flag(grant=grant, flag_id=flag.pk, to_state=FlagState.ACKNOWLEDGED, note="ok")
    with pytest.raises(TransitionRefused):
        change_flag(grant=grant, flag_id=flag.pk, to_state=FlagState.ACKNOWLEDGED, note="again")


def _supervisors(*emails: str) -> None:
    group = Group.objects.create(name="risk-supervisors")
    for index, email in enumerate(emails):
        user = User.objects.create_user(
            username=f"sup{index}", email=email, password="x" * 20, role="clinician"
        )
        user.groups.add(group)


def test_an_overdue_flag_escalates_once_by_email_with_an_audit_row(settings: Settings, alice: User) -> None:
    settings.RISK_ACK_MINUTES = {"high": 15, "medium": 240, "low": 1440}
    settings.RISK_ESCALATION_EMAILS = ["oncall@clinic.example"]
    _supervisors("lead@clinic.example")
    alice.email = "alice@clinic.example"
    alice.save()
    with time_machine.travel("2026-12-01 10:00:00+00:00", tick=False):
        flag = make_flag(AVA, HIGH)
        summary = escalation.run(timezone.now())
        assert summary.notified == 1  # the assignee hears at once
        assert mail.outbox[-1].to == ["alice@clinic.example"]
    with time_machine.travel("2026-12-01 10:14:00+00:00", tick=False):
        assert escalation.run(timezone.now()).escalated == 0  # not yet due
    with time_machine.travel("2026-12-01 10:16:00+00:00", tick=False):
        assert escalation.run(timezone.now()).escalated == 1
        assert escalation.run(timezone.now()).escalated == 0  # once
    escalated = mail.outbox[-1]
    assert sorted(escalated.to) == ["lead@clinic.example", "oncall@clinic.example"]
    assert AVA in escalated.body
    assert "kill myself" not in f"{escalated.body} {escalated.subject}"  # no client text in any e-mail
    assert all("kill myself" not in m.body for m in mail.outbox)
    flag.refresh_from_db()
    assert flag.escalated_at is not None
    row = AuditEvent.objects.filter(action=AuditAction.RISK_FLAG_ESCALATED).get()
    assert row.detail["flag"] == flag.pk


def test_an_acknowledged_flag_does_not_escalate(settings: Settings, alice: User) -> None:
    settings.RISK_ESCALATION_EMAILS = ["oncall@clinic.example"]
    with time_machine.travel("2026-12-01 10:00:00+00:00", tick=False):
        flag = make_flag(AVA, HIGH)
        grant = check_client_access(alice, AVA, purpose="annotate")
        change_flag(grant=grant, flag_id=flag.pk, to_state=FlagState.ACKNOWLEDGED, note="On it.")
    with time_machine.travel("2026-12-01 12:00:00+00:00", tick=False):
        assert escalation.run(timezone.now()).escalated == 0


def test_a_failed_email_is_retried_on_the_next_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.RISK_ESCALATION_EMAILS = ["oncall@clinic.example"]
    with time_machine.travel("2026-12-01 10:00:00+00:00", tick=False):
        flag = make_flag(AVA, HIGH)
    attempts: list[int] = []

    def refused(*args: object, **kwargs: object) -> int:
        attempts.append(1)
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(escalation, "send_mail", refused)
    with time_machine.travel("2026-12-01 11:00:00+00:00", tick=False):
        out, err = StringIO(), StringIO()
        with pytest.raises(Exception, match="could not be sent"):
            call_command("risk_escalate", stdout=out, stderr=err)
        assert RiskFlag.objects.get(pk=flag.pk).escalated_at is None
        monkeypatch.undo()
        call_command("risk_escalate", stdout=out)
        assert RiskFlag.objects.get(pk=flag.pk).escalated_at is not None
    assert attempts


def test_escalation_command_reports_what_it_did(settings: Settings) -> None:
    settings.RISK_ESCALATION_EMAILS = ["oncall@clinic.example"]
    with time_machine.travel("2026-12-01 10:00:00+00:00", tick=False):
        make_flag(AVA, LOW)
    with time_machine.travel("2026-12-03 10:00:00+00:00", tick=False):
        out = StringIO()
        call_command("risk_escalate", stdout=out)
    assert "1 overdue flags escalated" in out.getvalue()
