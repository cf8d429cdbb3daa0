"""Risk flags as Prometheus gauges (registered with ``ifemotion.ops.metrics`` when the app is ready):
operators see open and overdue flags coming, the same counts the alert inbox shows."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from ifemotion.ops.metrics import register_gauge
from sessions_app.risk.models import FlagState, RiskFlag


def open_flags() -> dict[tuple[str, ...], float]:
    """Open (not yet acknowledged) flags by severity; every severity present, zero included."""
    counts = dict(
        RiskFlag.objects.filter(state=FlagState.OPEN).values_list("severity").annotate(n=Count("id"))
    )
    return {(severity,): float(counts.get(severity, 0)) for severity in ("high", "medium", "low")}


def overdue_flags() -> dict[tuple[str, ...], float]:
    """Open flags past their acknowledgement deadline, by severity."""
    counts = dict(
        RiskFlag.objects.filter(state=FlagState.OPEN, deadline_at__lt=timezone.now())
        .values_list("severity")
        .annotate(n=Count("id"))
    )
    return {(severity,): float(counts.get(severity, 0)) for severity in ("high", "medium", "low")}


def register() -> None:
    register_gauge(
        "ifemotion_risk_flags_open", "Open (unacknowledged) risk flags by severity", open_flags,
        labels=("severity",),
    )  # fmt: skip
    register_gauge(
        "ifemotion_risk_flags_overdue", "Open risk flags past their acknowledgement deadline, by severity",
        overdue_flags, labels=("severity",),
    )  # fmt: skip
