"""Demo sessions that carry risk, so the dashboard shows risk flags (``manage.py seed_risk_demo``,
run by ``make run`` after ``seed_demo``).

Three short, fictional conversations (written for the demo) are written through the state manager like
any chatbot's, then one risk-worker pass assesses every live demo session, as the real worker would.
A few flags are then moved along the workflow by the demo therapist, with notes, and one is left
overdue so that ``risk_escalate`` (started by ``make run``) escalates it. Idempotent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from sessions_app.access import AccessGrant
from sessions_app.errors import SessionAlreadyExists
from sessions_app.risk.models import FlagState, RiskFlag
from sessions_app.risk.worker import RiskWorker
from sessions_app.risk.workflow import change_flag
from sessions_app.state.manager import ConversationStateManager

U, B = "user", "assistant"
DEMO_THERAPIST = "therapist"  # the demo login that seed_demo_accounts creates

SESSIONS: tuple[tuple[str, str, int, tuple[tuple[str, str], ...]], ...] = (
    ("client-ava", "demo-risk-ava", 95, (
        (U, "I had another awful night. I lay awake until four."),
        (B, "That sounds exhausting. What kept you awake?"),
        (U, "Just going over everything. The job, the flat, my sister not calling back."),
        (B, "That's a lot to carry at once. How have you been feeling about it all?"),
        (U, "Honestly some nights I lie there hoping I just don't wake up."),
        (B, "Thank you for telling me that. Do you have any thoughts of ending your life?"),
        (U, "not really, it's more that I'm tired of everything"),
        (B, "I'm glad you said so. Can we think together about who you could talk to this week?"),
        (U, "Maybe my friend Jo. She's always been kind."),
    )),
    ("client-ben", "demo-risk-ben", 300, (
        (U, "Work is grinding me down. Every day feels the same."),
        (B, "I'm sorry it's been so heavy. What's been hardest?"),
        (U, "Feeling like a burden to my family. They'd be better off without me."),
        (B, "That sounds painful. Have you been having thoughts of suicide?"),
        (U, "sometimes"),
        (B, "Thank you for being honest. Have you hurt yourself recently?"),
        (U, "No. I just wanted to say it out loud to someone."),
    )),
    ("client-chloe", "demo-risk-chloe", 40, (
        (U, "I've been saving up my sleeping pills."),
        (B, "I'm really glad you told me. Do you still have them?"),
        (U, "yes, I kept them"),
        (B, "Please reach out to emergency services or a crisis line now. Would you be willing to give "
            "the tablets to someone you trust tonight?"),
        (U, "I'll think about it."),
    )),
)  # fmt: skip


def write_risk_sessions(manager: ConversationStateManager, now: datetime) -> int:
    """Write the demo risk sessions that do not exist yet; returns how many were written."""
    written = 0
    for client_id, session_id, minutes_ago, turns in SESSIONS:
        clock = {"at": now - timedelta(minutes=minutes_ago)}
        timed = ConversationStateManager(
            manager.redis, ttl_seconds=manager.ttl_seconds, window=manager.window,
            max_content_chars=manager.max_content_chars, max_note_chars=manager.max_note_chars,
            max_label_chars=manager.max_label_chars, archived_message_lookup=manager.archived_message_lookup,
            clock=lambda c=clock: c["at"],  # type: ignore[misc]
        )  # fmt: skip
        try:
            timed.initialize_session(client_id, model="if-emotion-demo-1", session_id=session_id)
        except SessionAlreadyExists:
            continue
        for index, (role, text) in enumerate(turns, start=1):
            clock["at"] = now - timedelta(minutes=minutes_ago - 2 * index)
            timed.append_message(
                client_id, session_id, role=role, content=text, message_id=f"demo-risk-{index:03d}"
            )
        written += 1
    return written


def _move(flag: RiskFlag, to_state: str, note: str) -> None:
    grant = AccessGrant(0, DEMO_THERAPIST, "therapist", flag.client_id, "annotate", "assignment")
    change_flag(grant=grant, flag_id=flag.pk, to_state=to_state, note=note)


def seed_risk_demo(manager: ConversationStateManager) -> str:
    """Write the sessions, assess every live session once, and give a few flags a history."""
    now = timezone.now()
    written = write_risk_sessions(manager, now)
    summary = RiskWorker(manager.redis).run_pass()
    ben = RiskFlag.objects.filter(client_id="client-ben", session_id="demo-risk-ben").order_by("seq")
    first = ben.first()
    if first is not None and first.state == FlagState.OPEN and not first.events.exists():
        _move(first, FlagState.ACKNOWLEDGED, "Read the session. Calling Ben this afternoon. (demo)")
        _move(first, FlagState.RESOLVED, "Spoke with Ben: no plan or intent; safety plan agreed. (demo)")
    second = ben.exclude(pk=first.pk).first() if first is not None else None
    if second is not None and second.state == FlagState.OPEN and not second.events.exists():
        _move(second, FlagState.ACKNOWLEDGED, "Seen; following up in Monday's session. (demo)")
    # Raised five hours ago and never acknowledged: risk_escalate escalates it on its next run.
    overdue = RiskFlag.objects.filter(
        client_id="client-ava", session_id="demo-risk-ava", state=FlagState.OPEN, escalated_at__isnull=True
    )
    overdue.update(raised_at=now - timedelta(hours=5), deadline_at=now - timedelta(minutes=5))
    flags = RiskFlag.objects.filter(session_id__startswith="demo-risk-").count()
    return (
        f"risk demo: {written} risk sessions written; a worker pass assessed {summary.assessed} client "
        f"messages, {summary.flagged} flagged; {flags} flags on the demo risk sessions"
    )
