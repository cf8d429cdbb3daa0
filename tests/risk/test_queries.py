"""``sessions_app.risk.queries``: what the inbox and client pages of other features read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ifemotion.accounts.models import User
from sessions_app.access import check_client_access
from sessions_app.risk.models import FlagState, RiskFlag
from sessions_app.risk.queries import flags_of_client, inbox, open_flag_summary, open_flag_summary_by_session
from sessions_app.risk.workflow import change_flag
from tests.risk.factories import make_flag
from tests.support import AVA, BEN, CLEO

pytestmark = pytest.mark.django_db


def test_summary_counts_unresolved_flags_by_severity_with_the_most_urgent_deadline(alice: User) -> None:
    high = make_flag(AVA, "I'm going to kill myself tonight.", session_id="s-1", seq=1)
    medium = make_flag(AVA, "I just want to die.", session_id="s-2", seq=1)
    closed = make_flag(AVA, "I feel like such a burden to everyone.", session_id="s-2", seq=3)
    make_flag(BEN, "I just want to die.")
    grant = check_client_access(alice, AVA, purpose="annotate")
    change_flag(grant=grant, flag_id=medium.pk, to_state=FlagState.ACKNOWLEDGED, note="seen")
    change_flag(grant=grant, flag_id=closed.pk, to_state=FlagState.ACKNOWLEDGED, note="seen")
    change_flag(grant=grant, flag_id=closed.pk, to_state=FlagState.FALSE_POSITIVE, note="not risk")
    summary = open_flag_summary([AVA, CLEO])
    assert set(summary) == {AVA}
    ava = summary[AVA]
    assert (ava.unresolved, ava.open, ava.highest) == (2, 1, "high")
    assert ava.by_severity == {"high": 1, "medium": 1}
    assert ava.next_deadline == high.deadline_at
    sessions = open_flag_summary_by_session(AVA)
    assert sessions["s-1"].unresolved == 1
    assert sessions["s-2"].open == 0
    assert open_flag_summary([]) == {}


def test_escalated_flags_are_counted() -> None:
    flag = make_flag(AVA, "I'm going to kill myself tonight.")
    RiskFlag.objects.filter(pk=flag.pk).update(escalated_at=flag.raised_at + timedelta(minutes=16))
    assert open_flag_summary([AVA])[AVA].escalated == 1


def test_inbox_and_client_list_order() -> None:
    low = make_flag(AVA, "I feel completely hopeless.", seq=1)
    high = make_flag(AVA, "I have a plan to kill myself.", seq=2)
    assert [f.pk for f in inbox([AVA])] == [high.pk, low.pk]
    assert [f.pk for f in inbox([AVA], severity="low")] == [low.pk]
    assert inbox([BEN]) == []
    assert [f.pk for f in flags_of_client(AVA)] == [high.pk, low.pk]  # newest first
