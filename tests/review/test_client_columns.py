"""The client page shows, per session, the unresolved risk flags and what this viewer has not reviewed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from ifemotion.accounts.models import User
from sessions_app.review.models import ReviewCursor
from sessions_app.risk.models import FlagState, RiskFlag
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.journeys import real_session
from tests.dashboard.test_client_page import rows_of
from tests.support import AVA, login

pytestmark = pytest.mark.django_db
RANK = {"high": 3, "medium": 2, "low": 1}


def _flag(session_id: str, seq: int, severity: str, state: str = FlagState.OPEN) -> None:
    now = timezone.now()
    RiskFlag.objects.create(
        client_id=AVA, session_id=session_id, seq=seq, message_id=f"m{seq}", message_at=now,
        category="hopelessness", severity=severity, severity_rank=RANK[severity],
        rule="test", rules_version="test", excerpt="…", source="worker", state=state, deadline_at=now,
    )  # fmt: skip


def test_flags_and_unread_messages_per_session_for_this_viewer(
    fake_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    first = real_session(fake_manager, AVA, 1, messages=20).session_id
    real_session(fake_manager, AVA, 2, messages=12)
    _flag(first, 3, "high")
    _flag(first, 5, "low")
    _flag(first, 7, "medium", state=FlagState.RESOLVED)  # resolved: not counted
    ReviewCursor.objects.create(clinician=alice, client_id=AVA, session_id=first, seq=15)

    body = login(alice).get(f"/clients/{AVA}/").content.decode()

    assert ">Risk flags<" in body
    assert ">Unread<" in body
    rows = {row[0]: row for row in rows_of(body)}
    assert rows["1"][-2:] == ["1 high, 1 low", "5"]
    assert rows["2"][-2:] == ["0", "12"]
    # Another clinician's cursor is theirs alone.
    rows = {row[0]: row for row in rows_of(login(carmen).get(f"/clients/{AVA}/").content.decode())}
    assert rows["1"][-1] == "20"


def test_the_summary_pdf_prints_the_flags_but_not_one_viewers_unread_count(
    fake_manager: ConversationStateManager, carmen: User, tmp_path: Path
) -> None:
    session_id = real_session(fake_manager, AVA, 1, messages=20).session_id
    _flag(session_id, 3, "high")
    pdf = login(carmen).get(f"/exports/{AVA}/summary.pdf")
    assert pdf.status_code == 200
    (tmp_path / "summary.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "summary.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Risk flags" in text
    assert "1 high" in text
    assert "Unread" not in text
