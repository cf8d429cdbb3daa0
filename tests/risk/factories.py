"""Flags for tests, written the way the product writes them (``record_flag``)."""

from __future__ import annotations

from datetime import UTC, datetime

from sessions_app.risk import assess
from sessions_app.risk.models import FlagSource, RiskFlag
from sessions_app.risk.recording import AssessedMessage, record_flag


def make_flag(client_id: str, text: str, *, session_id: str = "s-1", seq: int = 1) -> RiskFlag:
    assessment = assess(text)
    assert assessment.flagged, text
    message = AssessedMessage(client_id, session_id, seq, f"m-{seq}", datetime.now(UTC))
    flag = record_flag(message, assessment, source=FlagSource.WORKER)
    assert flag is not None
    return flag
