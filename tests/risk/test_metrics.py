"""Open and overdue risk flags reach the operators' /metrics (sessions_app/risk/metrics.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from pytest_django.fixtures import Settings

from sessions_app.risk.models import FlagState, RiskFlag

pytestmark = pytest.mark.django_db
RANK = {"high": 3, "medium": 2, "low": 1}


def _flag(seq: int, severity: str, *, overdue: bool, state: str = FlagState.OPEN) -> RiskFlag:
    now = timezone.now()
    return RiskFlag.objects.create(
        client_id="client-ava", session_id="s1", seq=seq, message_id=f"m{seq}", message_at=now,
        category="passive_wish", severity=severity, severity_rank=RANK[severity],
        rule="test", rules_version="test", excerpt="…", source="worker", state=state,
        deadline_at=now + (timedelta(minutes=-1) if overdue else timedelta(hours=1)),
    )  # fmt: skip


def _samples(name: str) -> dict[str, float]:
    body = Client().get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    for family in text_string_to_metric_families(body):
        if family.name == name:
            return {sample.labels["severity"]: sample.value for sample in family.samples}
    raise AssertionError(f"{name} is not exported")


def test_open_and_overdue_flags_by_severity(settings: Settings) -> None:
    settings.OPERATOR_TOKEN = ""
    _flag(1, "high", overdue=True)
    _flag(2, "high", overdue=False)
    _flag(3, "low", overdue=True)
    _flag(4, "medium", overdue=True, state=FlagState.ACKNOWLEDGED)  # acknowledged: neither

    assert _samples("ifemotion_risk_flags_open") == {"high": 2.0, "medium": 0.0, "low": 1.0}
    assert _samples("ifemotion_risk_flags_overdue") == {"high": 1.0, "medium": 0.0, "low": 1.0}
