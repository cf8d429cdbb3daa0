"""``manage.py seed_demo``: the demo data lands in Redis through the state manager, deterministically
and idempotently. Runs on fakeredis and on a real Redis (the ``redis_backend`` fixture)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import fakeredis
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import sessions_app.state.members as members
from sessions_app.dashboard.trends import session_trend
from sessions_app.demo.narrative import ARCS, SETBACK_ARCS, DemoClient, Say, generate_demo
from sessions_app.domain import Breakthrough, EmotionTransition, Message, Milestone, Role, SessionStatus
from sessions_app.state.connection import client_from_url
from sessions_app.state.keys import ID_PATTERN, SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import free_port
from tests.support import use_state_manager

SEED = 7
WINDOW = 100


def seed(
    manager: ConversationStateManager, monkeypatch: pytest.MonkeyPatch, *args: str, **options: object
) -> str:
    """Run the command against ``manager``; returns what it printed."""
    use_state_manager(monkeypatch, manager)
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


def expected(
    seed_value: int = SEED, *, clients: int = 4, sessions_per_client: int | None = None
) -> tuple[DemoClient, ...]:
    return generate_demo(seed_value, clients=clients, sessions_per_client=sessions_per_client, window=WINDOW)


@pytest.fixture
def demo(manager: ConversationStateManager, monkeypatch: pytest.MonkeyPatch) -> ConversationStateManager:
    """The default demo data set, seeded once."""
    seed(manager, monkeypatch, seed=SEED)
    return manager


def transcript(
    manager: ConversationStateManager, user_id: str, session_id: str
) -> list[tuple[str, str, str]]:
    """Every message of a session, window and overflow, as (id, role, content)."""
    state = manager.read_session(user_id, session_id)
    overflow = manager.redis.lrange(SessionKeys.for_session(user_id, session_id).overflow, 0, -1)
    rows = [(m.id, m.role.value, m.content) for m in members.messages(overflow) if isinstance(m, Message)]
    rows += [(m.id, m.role.value, m.content) for m in state.messages if isinstance(m, Message)]
    return rows


# --------------------------------------------------------------------------------- the generator


def test_generator_is_deterministic_and_well_formed() -> None:
    first, second = expected(), expected()
    assert first == second
    assert expected(SEED + 1) != first
    assert 2 <= min(len(c.sessions) for c in first) <= max(len(c.sessions) for c in first) <= 3
    for client in first:
        assert re.fullmatch(r"client-[a-z0-9]+", client.user_id)
        assert ID_PATTERN.fullmatch(client.user_id)
        for number, session in enumerate(client.sessions, start=1):
            assert session.session_id == f"demo-{client.user_id.removeprefix('client-')}-{number}"
            messages = session.messages
            assert [m.message_id for m in messages] == [f"m-{n}" for n in range(1, len(messages) + 1)]
            assert [m.role for m in messages] == [Role.USER, Role.ASSISTANT] * (len(messages) // 2)
            assert all(m.content.strip() and len(m.content) < 1000 for m in messages)
            offsets = [t.offset for t in session.steps]
            assert offsets == sorted(offsets)
            assert timedelta(0) < session.started_ago - session.duration < timedelta(hours=24)
    assert any(len(s.messages) > WINDOW for c in first for s in c.sessions)
    assert any(s.closed for c in first for s in c.sessions)


def test_adding_clients_keeps_the_first_ones() -> None:
    assert expected(clients=6)[:4] == expected(clients=4)


# --------------------------------------------------------------------------------- the command


def test_each_client_gets_the_expected_sessions(demo: ConversationStateManager) -> None:
    for client in expected():
        live = demo.get_user_sessions(client.user_id)
        assert sorted(s.session_id for s in live) == sorted(s.session_id for s in client.sessions)
        assert 2 <= len(live) <= 3
        by_id = {s.session_id: s for s in live}
        for session in client.sessions:
            assert by_id[session.session_id].message_count == len(session.messages)


def test_the_long_session_overflows_and_loses_nothing(demo: ConversationStateManager) -> None:
    client = expected()[0]
    long = max(client.sessions, key=lambda s: len(s.messages))
    assert len(long.messages) > WINDOW
    stats = demo.get_session_stats(client.user_id, long.session_id)
    assert stats.messages_in_overflow > 0
    assert stats.messages_in_window == WINDOW
    assert stats.message_count == stats.messages_in_window + stats.messages_in_overflow
    assert stats.message_count == len(long.messages)
    stored = transcript(demo, client.user_id, long.session_id)
    assert stored == [(m.message_id, m.role.value, m.content) for m in long.messages]


def test_arcs_milestones_breakthroughs_notes_and_a_closed_session(demo: ConversationStateManager) -> None:
    statuses: list[SessionStatus] = []
    breakthroughs = milestones = 0
    for client in expected():
        for session in client.sessions:
            state = demo.read_session(client.user_id, session.session_id)
            statuses.append(state.metadata.status)
            assert state.unreadable_count == 0
            assert state.metadata.status is (SessionStatus.CLOSED if session.closed else SessionStatus.ACTIVE)
            assert len(state.emotion_log) >= len(session.arc)
            assert state.emotion.current_emotion == session.arc[-1]
            assert state.context.current_theme
            assert state.context.therapeutic_focus
            assert state.context.client_state_summary
            assert state.context.session_notes
            assert state.context.version == 2
            assert state.metadata.started_at < state.metadata.last_updated <= datetime.now(UTC)
            assert datetime.now(UTC) - state.metadata.started_at < timedelta(hours=24)
            ids = {f"m-{n}" for n in range(1, state.metadata.message_count + 1)}
            for item in state.breakthroughs:
                assert isinstance(item, Breakthrough)
                assert item.evidence
                assert set(item.evidence) <= ids
            assert all(isinstance(item, Milestone) for item in state.milestones)
            breakthroughs += len(state.breakthroughs)
            milestones += len(state.milestones)
    assert SessionStatus.CLOSED in statuses
    assert SessionStatus.ACTIVE in statuses
    assert milestones > 0
    assert breakthroughs > 0


def test_the_demo_shows_setbacks_as_well_as_progress(demo: ConversationStateManager) -> None:
    """A demo where every session ends better than it began would make the client page's trend look
    like a formula: some sessions end worse or where they started (``SETBACK_ARCS``)."""
    shifts = []
    for client in expected():
        for session in client.sessions:
            state = demo.read_session(client.user_id, session.session_id)
            turns = [m.timestamp for m in state.messages if isinstance(m, Message) and m.role is Role.USER]
            logged = [t for t in state.emotion_log if isinstance(t, EmotionTransition)]
            shifts.append(session_trend(logged, turns).shift)
    assert any(shift is not None and shift > 0.005 for shift in shifts)  # rising negative affect
    assert any(shift is not None and shift < -0.005 for shift in shifts)  # falling
    arcs = [s.arc for c in expected() for s in c.sessions]
    assert set(arcs) & set(SETBACK_ARCS)
    assert set(arcs) & set(ARCS)


def test_running_twice_changes_nothing(
    manager: ConversationStateManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(manager, monkeypatch, seed=SEED)
    sessions = [(c.user_id, s.session_id) for c in expected() for s in c.sessions]
    before = {key: manager.get_session_stats(*key) for key in sessions}
    output = seed(manager, monkeypatch, seed=SEED)
    after = {key: manager.get_session_stats(*key) for key in sessions}
    for key in sessions:
        # Everything but the TTL, which keeps ticking, is exactly as it was: not a single write.
        assert before[key].__dict__ | {"ttl_seconds": 0} == after[key].__dict__ | {"ttl_seconds": 0}
    assert output.count("exists") == len(sessions)
    assert f"0 sessions created (0 closed), {len(sessions)} already existed" in output


def test_same_seed_same_data_on_two_fresh_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    def run() -> dict[str, list[tuple[str, str, str]]]:
        manager = ConversationStateManager(fakeredis.FakeRedis(server=fakeredis.FakeServer()), window=WINDOW)
        seed(manager, monkeypatch, seed=SEED, clients=2)
        found: dict[str, list[tuple[str, str, str]]] = {}
        for user_id in ("client-ava", "client-ben"):
            for summary in manager.get_user_sessions(user_id):
                found[f"{user_id}/{summary.session_id}"] = transcript(manager, user_id, summary.session_id)
        return found

    first, second = run(), run()
    assert first.keys() == second.keys()
    assert len(first) >= 4
    assert first == second


def test_options_and_a_summary_without_content(
    manager: ConversationStateManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = seed(manager, monkeypatch, "--seed", "3", "--clients", "2", "--sessions-per-client", "1")
    data = expected(3, clients=2, sessions_per_client=1)
    assert [len(manager.get_user_sessions(c.user_id)) for c in data] == [1, 1]
    assert "2 clients; 2 sessions created" in output
    contents = [m.content for c in data for s in c.sessions for m in s.messages if isinstance(m, Say)]
    assert not any(text in output for text in contents)


def test_real_time_stamps_writes_now(
    manager: ConversationStateManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=1)
    seed(manager, monkeypatch, seed=SEED, clients=1, sessions_per_client=1, real_time=True)
    state = manager.read_session("client-ava", "demo-ava-1")
    assert state.metadata.started_at >= started


def test_redis_down_is_a_clear_command_error(monkeypatch: pytest.MonkeyPatch) -> None:
    dead = ConversationStateManager(client_from_url(f"redis://127.0.0.1:{free_port()}/0"))
    with pytest.raises(CommandError, match="unavailable"):
        seed(dead, monkeypatch, seed=SEED, clients=1)
