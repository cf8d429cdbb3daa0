"""``manage.py seed_risk_demo``: demo conversations with risk are written, assessed, a few flags moved
along the workflow and one left overdue; idempotent. The ordinary demo sessions of ``seed_demo``
(hundreds of synthetic therapy turns) raise no flag at all: a false-positive check on our own data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from sessions_app.risk.models import FlagState, RiskFlag
from sessions_app.state.manager import ConversationStateManager

pytestmark = pytest.mark.django_db


def test_seed_risk_demo_writes_assessed_sessions_with_a_history(
    fake_manager: ConversationStateManager,
) -> None:
    out = StringIO()
    call_command("seed_risk_demo", stdout=out)
    assert "3 risk sessions written" in out.getvalue()
    assert set(RiskFlag.objects.values_list("client_id", flat=True)) == {
        "client-ava",
        "client-ben",
        "client-chloe",
    }
    states = set(RiskFlag.objects.values_list("state", flat=True))
    assert {FlagState.RESOLVED, FlagState.ACKNOWLEDGED, FlagState.OPEN} <= states
    assert RiskFlag.objects.filter(state=FlagState.OPEN, deadline_at__lt=timezone.now()).exists()
    chloe = RiskFlag.objects.get(client_id="client-chloe", rule="reply.means")
    assert chloe.severity == "high"
    assert "kill" not in out.getvalue()  # the summary never prints message text
    count = RiskFlag.objects.count()
    call_command("seed_risk_demo", stdout=StringIO())
    assert RiskFlag.objects.count() == count


def test_the_ordinary_demo_sessions_raise_no_flag(fake_manager: ConversationStateManager) -> None:
    call_command("seed_demo", stdout=StringIO())
    call_command("risk_worker", stdout=StringIO())
    assert list(RiskFlag.objects.values_list("rule", "excerpt")) == []
