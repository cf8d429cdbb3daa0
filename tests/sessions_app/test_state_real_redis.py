"""Redis behaviours that only a real server shows: round trips, TTLs, corrupt data, faults, races."""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from redis.crc import key_slot

import sessions_app.state.members as members
from sessions_app.domain import Message, Milestone, UnreadableEntry
from sessions_app.errors import (
    CorruptSession,
    NoteConflict,
    SessionNotFound,
    StateStorageFull,
    StateUnavailable,
)
from sessions_app.state.connection import client_from_url
from sessions_app.state.keys import SessionKeys, user_index
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import RedisServer, free_port
from tests.sessions_app.helpers import dump_keys

pytestmark = pytest.mark.real_redis


class CountingConnection(redis.Connection):
    """Counts client→server round trips (one packed send per command or pipeline)."""

    sends = 0

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        type(self).sends += 1
        super().send_packed_command(command, check_health)  # type: ignore[no-untyped-call]


@pytest.fixture
def counting_client(real_redis_url: str, real_redis: redis.Redis) -> Iterator[redis.Redis]:
    pool = redis.ConnectionPool.from_url(real_redis_url, connection_class=CountingConnection)
    client = redis.Redis(connection_pool=pool)
    yield client
    client.close()


def test_each_state_change_is_one_round_trip(counting_client: redis.Redis) -> None:
    manager = ConversationStateManager(counting_client)
    session_id = manager.initialize_session("alice", model="haiku")
    writes: dict[str, Callable[[], object]] = {
        "append": lambda: manager.append_message("alice", session_id, role="user", content="hi"),
        "append+emotion": lambda: manager.append_message(
            "alice", session_id, role="user", content="hi", emotion="anxious", intensity=0.5, confidence=0.5
        ),
        "emotion": lambda: manager.update_emotion(
            "alice", session_id, emotion="happy", intensity=0.2, confidence=0.9
        ),
        "milestone": lambda: manager.record_milestone("alice", session_id, description="m"),
        "breakthrough": lambda: manager.record_breakthrough(
            "alice", session_id, description="b", category="self_compassion", confidence=0.5
        ),
        "context": lambda: manager.update_context_snapshot("alice", session_id, session_notes="n"),
        "resume": lambda: manager.resume_session("alice", session_id),
    }
    for write in writes.values():  # load every script once (EVALSHA then succeeds directly)
        write()

    trips = {}
    for name, write in writes.items():
        CountingConnection.sends = 0
        write()
        trips[name] = CountingConnection.sends
    assert trips == dict.fromkeys(writes, 1)


def _pttls(client: redis.Redis, user_id: str, session_id: str) -> dict[str, int]:
    keys = SessionKeys.for_session(user_id, session_id)
    return {key: client.pttl(key) for key in keys.all() if client.exists(key)}


def test_every_write_refreshes_one_ttl_on_all_keys_of_the_session(real_redis: redis.Redis) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=1000, window=2)
    session_id = manager.initialize_session("alice", model="haiku")
    for i in range(4):
        manager.append_message(
            "alice", session_id, role="user", content=f"m{i}", emotion="happy", intensity=0.1, confidence=0.1
        )
    manager.record_milestone("alice", session_id, description="m")
    manager.record_breakthrough(
        "alice", session_id, description="b", category="self_compassion", confidence=0.5
    )
    # Age the keys unevenly, as drift between writes would.
    keys = SessionKeys.for_session("alice", session_id)
    for position, key in enumerate(keys.all()):
        real_redis.pexpire(key, 100_000 + position * 50_000)

    manager.update_context_snapshot("alice", session_id, session_notes="refresh")

    ttls = _pttls(real_redis, "alice", session_id)
    assert len(ttls) == len(keys.all())  # all eleven keys exist for this session
    assert all(990_000 <= ttl <= 1_000_000 for ttl in ttls.values()), ttls
    assert max(ttls.values()) - min(ttls.values()) < 1000


def test_reads_and_therapist_notes_never_extend_retention(real_redis: redis.Redis) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=1000)
    session_id = manager.initialize_session("alice", model="haiku")
    manager.append_message("alice", session_id, role="user", content="hi")
    for key in SessionKeys.for_session("alice", session_id).all():
        real_redis.pexpire(key, 50_000)

    manager.read_session("alice", session_id, with_citations=True)
    manager.update_context_snapshot(
        "alice", session_id, session_notes="therapist note", extend_retention=False
    )
    manager.get_user_sessions("alice")
    manager.get_session_stats("alice", session_id)
    manager.get_message_history("alice", session_id)
    manager.export_json("alice", session_id)

    ttls = _pttls(real_redis, "alice", session_id)
    assert SessionKeys.for_session("alice", session_id).citations in ttls  # re-created by the note save
    assert all(40_000 < ttl <= 50_000 for ttl in ttls.values()), ttls


def test_a_whole_session_expires_together_and_reads_say_so(real_redis: redis.Redis) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=1)
    session_id = manager.initialize_session("alice", model="haiku")
    manager.append_message("alice", session_id, role="user", content="hi")
    time.sleep(1.3)

    assert real_redis.dbsize() == 1  # only the global index set, which never expires
    with pytest.raises(SessionNotFound):
        manager.read_session("alice", session_id)
    assert manager.get_user_sessions("alice") == []
    assert manager.cleanup_expired_sessions() == 1
    assert real_redis.dbsize() == 0


def test_one_corrupt_member_never_breaks_a_read_and_its_content_is_not_logged(
    real_redis: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    manager = ConversationStateManager(real_redis)
    session_id = manager.initialize_session("alice", model="haiku")
    for i in range(5):
        manager.append_message("alice", session_id, role="user", content=f"good {i}")
    manager.record_milestone("alice", session_id, description="fine")
    keys = SessionKeys.for_session("alice", session_id)
    real_redis.rpush(keys.messages, b"\xff\xfe{bad SECRET-CANARY")
    real_redis.rpush(keys.messages, b'{"seq": 7, "content": "SECRET-CANARY truncated')
    real_redis.rpush(keys.messages, json.dumps({"seq": 8, "content": "SECRET-CANARY", "role": "wizard"}))
    real_redis.zadd(keys.milestones, {b"not json SECRET-CANARY": 1})
    real_redis.rpush(keys.emotion_log, b"[1, 2]")

    with caplog.at_level(logging.WARNING):
        state = manager.read_session("alice", session_id)

    messages = state.messages
    assert [m.content for m in messages if isinstance(m, Message)] == [f"good {i}" for i in range(5)]
    unreadable = [m for m in messages if isinstance(m, UnreadableEntry)]
    assert [u.reason for u in unreadable] == ["not valid UTF-8", "not valid JSON", "JSON of the wrong shape"]
    assert [u.position for u in unreadable] == [5, 6, 7]
    assert sum(isinstance(m, UnreadableEntry) for m in state.milestones) == 1
    assert state.unreadable_count == 5
    assert "SECRET-CANARY" not in caplog.text
    assert "unreadable message entry at position 5" in caplog.text


def test_a_key_of_the_wrong_type_degrades_reads_and_refuses_writes_whole(real_redis: redis.Redis) -> None:
    manager = ConversationStateManager(real_redis)
    session_id = manager.initialize_session("alice", model="haiku")
    manager.append_message("alice", session_id, role="user", content="hi")
    manager.record_milestone("alice", session_id, description="kept")
    keys = SessionKeys.for_session("alice", session_id)
    real_redis.delete(keys.messages)
    real_redis.set(keys.messages, "i am a string")
    before = dump_keys(real_redis, "alice", session_id)

    state = manager.read_session("alice", session_id)
    with pytest.raises(CorruptSession):
        manager.append_message(
            "alice", session_id, role="user", content="after", emotion="happy", intensity=0.1, confidence=0.1
        )
    with pytest.raises(CorruptSession):
        manager.append_message("alice", session_id, role="user", content="after")

    assert isinstance(state.messages[0], UnreadableEntry)
    assert [m.description for m in state.milestones if isinstance(m, Milestone)] == ["kept"]
    assert dump_keys(real_redis, "alice", session_id) == before  # nothing half-written


@pytest.mark.parametrize(
    "corrupt",
    [
        "metadata",
        "emotion",
        "emotion_log",
        "citations",
        "milestones",
        "breakthroughs",
        "context_snapshot",
        "message_ids",
        "overflow",
    ],
)
def test_no_write_is_ever_half_applied_whatever_key_is_corrupt(real_redis: redis.Redis, corrupt: str) -> None:
    manager = ConversationStateManager(real_redis, window=2)
    session_id = manager.initialize_session("alice", model="haiku")
    for i in range(3):
        manager.append_message("alice", session_id, role="user", content=f"m{i}")
    key = getattr(SessionKeys.for_session("alice", session_id), corrupt)
    real_redis.delete(key)
    real_redis.set(key, "wrong type")
    writes: list[Callable[[], object]] = [
        lambda: manager.append_message(
            "alice", session_id, role="user", content="x", emotion="happy", intensity=0.1, confidence=0.1
        ),
        lambda: manager.update_emotion("alice", session_id, emotion="happy", intensity=0.1, confidence=0.1),
        lambda: manager.record_milestone("alice", session_id, description="x"),
        lambda: manager.record_breakthrough(
            "alice", session_id, description="x", category="self_compassion", confidence=0.5
        ),
        lambda: manager.update_context_snapshot("alice", session_id, session_notes="x"),
        lambda: manager.update_context_snapshot(
            "alice", session_id, session_notes="x", extend_retention=False
        ),
        lambda: manager.resume_session("alice", session_id, model="other"),
        lambda: manager.close_session("alice", session_id),
    ]
    for write in writes:
        before = {k: v for k, v in dump_keys(real_redis, "alice", session_id).items()}
        ttls_before = _pttls(real_redis, "alice", session_id)
        try:
            write()
        except CorruptSession:
            assert dump_keys(real_redis, "alice", session_id) == before
            assert all(
                abs(ttls_before[k] - t) < 2000 for k, t in _pttls(real_redis, "alice", session_id).items()
            )


def test_all_keys_of_a_user_live_in_one_cluster_slot() -> None:
    keys = SessionKeys.for_session("alice", "s1").all() + SessionKeys.for_session("alice", "s2").all()
    assert {key_slot(key.encode()) for key in keys} == {key_slot(user_index("alice").encode())}
    assert key_slot(SessionKeys.for_session("bob", "s1").metadata.encode()) != key_slot(b"{alice}")


def test_unreachable_redis_raises_state_unavailable_fast() -> None:
    client = client_from_url(f"redis://127.0.0.1:{free_port()}/0")
    manager = ConversationStateManager(client)
    started = time.monotonic()
    with pytest.raises(StateUnavailable):
        manager.append_message("alice", "s1", role="user", content="hi")
    with pytest.raises(StateUnavailable):
        manager.read_session("alice", "s1")
    assert time.monotonic() - started < 2.0


@pytest.mark.fault
@pytest.mark.slow
def test_a_hung_redis_raises_state_unavailable_within_two_seconds(redis_server: RedisServer) -> None:
    manager = ConversationStateManager(client_from_url(redis_server.url))
    session_id = manager.initialize_session("alice", model="haiku")
    redis_server.signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(StateUnavailable):
            manager.append_message("alice", session_id, role="user", content="hi", message_id="m1")
        with pytest.raises(StateUnavailable):
            manager.read_session("alice", session_id)
        assert time.monotonic() - started < 2.0 * 2 + 0.5  # one write and one read, each within ~2 s
    finally:
        redis_server.signal(signal.SIGCONT)
    # After the hang, the retry with the same id stores the message exactly once.
    manager.append_message("alice", session_id, role="user", content="hi", message_id="m1")
    manager.append_message("alice", session_id, role="user", content="hi", message_id="m1")
    assert manager.read_session("alice", session_id).metadata.message_count == 1


@pytest.mark.fault
@pytest.mark.slow
def test_a_full_redis_refuses_writes_whole_and_keeps_serving_reads(tmp_path: Any) -> None:
    server = RedisServer(tmp_path / "redis", extra_args=["--maxmemory", "3mb"]).start()
    try:
        client = client_from_url(server.url)
        manager = ConversationStateManager(client)
        session_id = manager.initialize_session("alice", model="haiku")
        manager.append_message("alice", session_id, role="user", content="before")
        filler = "x" * 10_000

        def fill() -> None:
            for i in range(10_000):
                client.set(f"filler:{i}", filler)

        with pytest.raises(redis.exceptions.OutOfMemoryError):
            fill()
        before = dump_keys(client, "alice", session_id)

        with pytest.raises(StateStorageFull):
            manager.append_message("alice", session_id, role="user", content="after")
        with pytest.raises(StateStorageFull):
            manager.update_context_snapshot("alice", session_id, session_notes="note")
        resumed = manager.resume_session("alice", session_id)  # not recorded, but the chatbot goes on

        assert [m.content for m in resumed.messages if isinstance(m, Message)] == ["before"]
        assert dump_keys(client, "alice", session_id) == before
        assert [
            m.content for m in manager.read_session("alice", session_id).messages if isinstance(m, Message)
        ] == ["before"]
        assert client.info("stats")["evicted_keys"] == 0
    finally:
        server.stop()


@pytest.mark.fault
@pytest.mark.slow
def test_state_and_ttls_survive_a_restart_with_aof(redis_server: RedisServer) -> None:
    manager = ConversationStateManager(client_from_url(redis_server.url), ttl_seconds=5000)
    session_id = manager.initialize_session("alice", model="haiku")
    for i in range(120):
        manager.append_message("alice", session_id, role="user", content=f"m{i}")
    manager.update_context_snapshot("alice", session_id, session_notes="kept")

    redis_server.restart()

    manager = ConversationStateManager(client_from_url(redis_server.url), ttl_seconds=5000)
    state = manager.read_session("alice", session_id)
    assert state.metadata.message_count == 120
    assert state.overflow_count == 20
    assert state.context.session_notes == "kept"
    ttls = _pttls(manager.redis, "alice", session_id)
    assert all(4_000_000 < ttl <= 5_000_000 for ttl in ttls.values())


def test_concurrent_appends_get_unique_contiguous_sequence_numbers(
    real_redis_url: str, real_redis: redis.Redis
) -> None:
    manager = ConversationStateManager(client_from_url(real_redis_url), window=50)
    session_id = manager.initialize_session("alice", model="haiku")

    def writer(worker: int) -> list[int]:
        return [
            manager.append_message(
                "alice", session_id, role="user", content=f"w{worker}-{i}", message_id=f"w{worker}-{i}"
            ).seq
            for i in range(40)
        ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        seqs = [seq for chunk in pool.map(writer, range(8)) for seq in chunk]

    assert sorted(seqs) == list(range(1, 321))
    keys = SessionKeys.for_session("alice", session_id)
    stored = members.messages(
        real_redis.lrange(keys.overflow, 0, -1) + real_redis.lrange(keys.messages, 0, -1)
    )
    assert [m.seq for m in stored if isinstance(m, Message)] == list(range(1, 321))
    assert len({m.id for m in stored if isinstance(m, Message)}) == 320


def test_concurrent_note_saves_on_one_version_let_exactly_one_win(
    real_redis_url: str, real_redis: redis.Redis
) -> None:
    manager = ConversationStateManager(client_from_url(real_redis_url))
    session_id = manager.initialize_session("alice", model="haiku")
    barrier = threading.Barrier(6)

    def save(author: int) -> str:
        barrier.wait()
        try:
            manager.update_context_snapshot(
                "alice", session_id, expected_version=0, author=f"t{author}", session_notes=f"note {author}"
            )
        except NoteConflict:
            return "conflict"
        return f"note {author}"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(save, range(6)))

    winners = [o for o in outcomes if o != "conflict"]
    assert len(winners) == 1
    final = manager.read_session("alice", session_id).context
    assert (final.version, final.session_notes) == (1, winners[0])
