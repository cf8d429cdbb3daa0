"""The client page: all sessions of one client over time, each summarised, the trend across them, every
number labelled as inferred; its numbers follow the written definitions (``dashboard.trends``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from django.test import Client

from ifemotion.accounts.models import AuditEvent, User
from ifemotion.preferences.models import DisplayPreference
from sessions_app.dashboard import client_columns
from sessions_app.dashboard.client_columns import SummaryColumn
from sessions_app.dashboard.trends import session_trend, states_at_turns
from sessions_app.domain import Emotion, EmotionTransition
from sessions_app.repository.journeys import client_journeys
from sessions_app.state.connection import client_from_url
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.journeys import NOW, archive_away, drain, real_session
from tests.redis_server import RedisServer
from tests.support import AVA, BEN, login, use_state_manager

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INFERRED = "inferred from the conversation, not a validated clinical measure"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def feel(minutes: float, label: str, intensity: float) -> EmotionTransition:
    return EmotionTransition(None, Emotion(label), intensity, 0.9, at(minutes), f"if://citation/{minutes}")


# ------------------------------------------------------------------ the definitions, by hand


def test_each_turn_takes_the_state_in_force_and_turns_before_the_first_update_have_none() -> None:
    updates = [feel(1, "sad", 0.8), feel(5, "calm", 0.4)]
    states = states_at_turns(updates, [at(0), at(1), at(3), at(5), at(9)])
    assert [None if s is None else str(s.to_emotion) for s in states] == [None, "sad", "sad", "calm", "calm"]


def test_session_numbers_follow_the_written_definitions() -> None:
    updates = [
        feel(0, "anxious", 0.9),
        feel(3.5, "exploring", 0.5),
        feel(6.5, "sad", 0.3),
        feel(7.5, "hopeful", 0.8),
    ]
    turns = [at(m) for m in range(9)]  # 9 client turns, one a minute: thirds of 3 turns
    trend = session_trend(updates, turns)

    assert trend.start == 0.9  # anxious (negative) at 0.9
    assert trend.end == 0.0  # hopeful: no negative affect
    # turns 0-3 anxious 0.9; 4-6 exploring 0; 7 sad 0.3; 8 hopeful 0
    assert trend.mean == pytest.approx((0.9 * 4 + 0.3) / 9)
    assert trend.first_third == pytest.approx(0.9)
    assert trend.last_third == pytest.approx(0.3 / 3)
    assert trend.shift == pytest.approx(0.1 - 0.9)
    assert trend.dominant == (("anxious", 4 / 9), ("exploring", 3 / 9), ("sad", 1 / 9))
    assert (trend.turns, trend.turns_with_state) == (9, 9)


def test_too_few_turns_or_no_emotion_leave_numbers_unknown_not_zero() -> None:
    assert session_trend([feel(0, "sad", 0.5)], [at(0), at(1)]).shift is None
    empty = session_trend([], [at(0), at(1), at(2)])
    assert (empty.start, empty.end, empty.mean, empty.shift, empty.dominant) == (None, None, None, None, ())


# ------------------------------------------------------------------ the page


def rows_of(body: str) -> list[list[str]]:
    table = body[body.index('<table class="client-sessions">') :]
    table = table[table.index("<tbody>") : table.index("</tbody>")]
    cells = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        cells.append(
            [
                re.sub(r"<[^>]+>", "", unescape(c)).strip()
                for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ]
        )
    return cells


@pytest.fixture
def course(live_manager: ConversationStateManager) -> list[str]:
    """Five weekly sessions of client-ava: three archived away, one drained, the latest live."""
    ids = []
    for number, days in enumerate((29, 22, 15, 8, 1), start=1):
        session = real_session(
            live_manager, AVA, number, messages=40 + 10 * number, days_ago=days, closed=number < 5
        )
        ids.append(session.session_id)
    for sid in ids[:3]:
        archive_away(live_manager, AVA, sid)
    drain(live_manager, AVA, ids[3])
    return ids


@pytest.mark.django_db
def test_it_lists_every_session_oldest_first_with_the_numbers_of_its_journey(
    live_manager: ConversationStateManager, alice: User, course: list[str]
) -> None:
    body = login(alice).get(f"/clients/{AVA}/").content.decode()

    rows = rows_of(body)
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5"]
    assert [re.match(r"\S+", r[1]).group(0) for r in rows] == course  # type: ignore[union-attr]
    journeys = client_journeys(AVA).sessions
    for row, journey in zip(rows, journeys, strict=True):
        trend = session_trend(journey.transitions, journey.client_turns)
        assert row[3] == f"{journey.message_count} ({trend.turns})"
        assert row[4:7] == [f"{trend.start:.2f}", f"{trend.end:.2f}", f"{trend.mean:.2f}"]
        label, share = trend.dominant[0]
        assert f"{label} {share:.0%}" in row[8]
        assert row[9:11] == [str(journey.milestone_count), str(journey.breakthrough_count)]
    assert journeys[-1].source == "live"
    assert journeys[0].source == "archive"
    assert body.count(INFERRED) >= 2  # the page's note and the chart's label
    assert "live</span>" in body


@pytest.mark.django_db
def test_each_chart_point_opens_its_session(
    live_manager: ConversationStateManager, alice: User, course: list[str]
) -> None:
    client = login(alice)
    body = client.get(f"/clients/{AVA}/").content.decode()
    chart = body[body.index('class="trend-chart"') : body.index("</svg>")]
    links = [unescape(h) for h in re.findall(r'<a href="([^"]+)"', chart)]
    assert links == [f"/clients/{AVA}/sessions/{sid}/" for sid in course]
    assert all(client.get(link).status_code == 200 for link in links)


@pytest.mark.django_db
def test_a_period_in_the_viewers_zone_selects_the_sessions_that_started_in_it(
    live_manager: ConversationStateManager, alice: User, course: list[str]
) -> None:
    DisplayPreference.objects.create(user=alice, time_zone="Pacific/Auckland")
    client = login(alice)
    since = (NOW - timedelta(days=16)).date()
    until = (NOW - timedelta(days=7)).date()
    body = client.get(
        f"/clients/{AVA}/", {"since": since.isoformat(), "until": until.isoformat()}
    ).content.decode()
    shown = [re.match(r"\S+", r[1]).group(0) for r in rows_of(body)]  # type: ignore[union-attr]
    assert shown == course[2:4]
    assert "Pacific/Auckland" in body
    wrong = client.get(f"/clients/{AVA}/", {"since": "2026-05-02", "until": "2026-05-01"}).content.decode()
    assert "The start of the period is after its end. The period was not applied." in wrong
    assert len(rows_of(wrong)) == 5


@pytest.mark.django_db
def test_no_access_no_page_and_each_view_is_audited(
    fake_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    real_session(fake_manager, AVA, 1, messages=20)
    assert login(bob).get(f"/clients/{AVA}/").status_code == 404
    assert login(bob).get("/clients/not a client/").status_code == 404
    assert Client().get(f"/clients/{AVA}/").status_code == 302
    before = AuditEvent.objects.filter(action="session_list", client_id=AVA).count()
    assert login(alice).get(f"/clients/{AVA}/").status_code == 200
    event = AuditEvent.objects.filter(action="session_list", client_id=AVA).latest("id")
    assert AuditEvent.objects.filter(action="session_list", client_id=AVA).count() == before + 1
    assert event.actor == "alice"
    assert event.detail["view"] == "client page"
    assert event.detail["sessions"] == 1


@pytest.mark.django_db
def test_a_client_without_sessions_says_so(fake_manager: ConversationStateManager, bob: User) -> None:
    body = login(bob).get(f"/clients/{BEN}/").content.decode()
    assert "No sessions yet." in body
    assert "No sessions in this period" in body  # the chart


@pytest.mark.django_db
def test_extra_columns_from_other_features_drop_in(
    fake_manager: ConversationStateManager, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = real_session(fake_manager, AVA, 1, messages=20).session_id
    seen: list[tuple[str, str, list[str]]] = []

    def flags(viewer: User, client_id: str, session_ids: object) -> dict[str, str]:
        seen.append((viewer.username, client_id, list(session_ids)))  # type: ignore[call-overload]
        return {sid: "2 open"}

    monkeypatch.setattr(client_columns, "SUMMARY_COLUMNS", [SummaryColumn("Risk flags", flags)])
    body = login(alice).get(f"/clients/{AVA}/").content.decode()
    assert '<th scope="col" rowspan="2">Risk flags</th>' in body
    assert rows_of(body)[0][-1] == "2 open"
    assert seen == [("alice", AVA, [sid])]


@pytest.mark.django_db
@pytest.mark.fault
@pytest.mark.real_redis
def test_with_redis_down_the_archived_sessions_show_and_the_page_says_so(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, alice: User
) -> None:
    manager = ConversationStateManager(
        client_from_url(redis_server.url, socket_timeout=1.0, connect_timeout=0.5)
    )
    use_state_manager(monkeypatch, manager)
    old = real_session(manager, AVA, 1, messages=20, days_ago=3).session_id
    archive_away(manager, AVA, old)
    real_session(manager, AVA, 2, messages=20)
    redis_server.stop()

    response = login(alice).get(f"/clients/{AVA}/")

    assert response.status_code == 503
    body = response.content.decode()
    assert "Live records temporarily unavailable" in body
    assert [re.match(r"\S+", r[1]).group(0) for r in rows_of(body)] == [old]  # type: ignore[union-attr]


@pytest.mark.django_db
def test_the_period_bounds_are_whole_days_in_the_zone() -> None:
    from zoneinfo import ZoneInfo

    from sessions_app.dashboard.client_page import Period

    period = Period(date(2026, 3, 1), date(2026, 3, 1), ZoneInfo("Europe/Berlin"))
    assert period.bounds() == (
        datetime(2026, 2, 28, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 23, 0, tzinfo=UTC),
    )
    assert Period().bounds() == (None, None)
    assert "Europe/Berlin" in period.label()


@pytest.mark.django_db
def test_archived_details_are_cached_per_snapshot_and_the_cache_is_only_a_shortcut(
    fake_manager: ConversationStateManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in (1, 2, 3):
        archive_away(
            fake_manager,
            AVA,
            real_session(fake_manager, AVA, number, messages=30, days_ago=9 - number).session_id,
        )
    with CaptureQueriesContext(connection) as cold:
        first = client_journeys(AVA)
    with CaptureQueriesContext(connection) as warm:
        second = client_journeys(AVA)
    assert first == second
    assert len(warm) == len(cold) - 2  # no transitions, no turn times: the session rows only

    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("cache down")

    cache = caches["default"]  # the object itself: the module's proxy resolves per access
    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "set_many", broken)
    assert client_journeys(AVA) == first
