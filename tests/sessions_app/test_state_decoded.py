"""The caches of decoded members (sessions_app/state/decoded.py): a session read again is not decoded
again (messages, emotion log, milestones, breakthroughs), a new member is decoded alone, unreadable
members are never kept, the caches stay bounded."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.test import override_settings

import sessions_app.state.decoded as decoded
from sessions_app.domain import EmotionTransition, Message, UnreadableEntry
from sessions_app.state import configured
from sessions_app.state.decoded import DecodedCache
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager


@pytest.fixture
def cache() -> Iterator[DecodedCache[Message]]:
    cache = decoded.DECODED_MESSAGES
    capacity = cache.capacity
    cache.clear()
    yield cache
    cache.capacity = capacity
    cache.clear()


def _session(manager: ConversationStateManager, messages: int) -> str:
    session_id = manager.initialize_session("alice", model="haiku")
    for i in range(messages):
        manager.append_message("alice", session_id, role="user", content=f"message {i}")
    return session_id


def test_a_session_read_again_comes_from_the_cache_and_a_new_message_is_decoded_alone(
    manager: ConversationStateManager, cache: DecodedCache[Message]
) -> None:
    session_id = _session(manager, 30)
    first = manager.resume_session("alice", session_id).messages
    assert len(cache) == 30

    again = manager.resume_session("alice", session_id).messages
    assert all(a is b for a, b in zip(first, again, strict=True))  # the same objects, not decoded again

    manager.append_message("alice", session_id, role="assistant", content="a new one")
    third = manager.read_session("alice", session_id).messages
    assert len(cache) == 31
    assert third[:30] == first
    assert isinstance(third[30], Message)
    assert (third[30].seq, third[30].content) == (31, "a new one")


def test_the_emotion_log_milestones_and_breakthroughs_read_again_come_from_their_caches(
    manager: ConversationStateManager,
) -> None:
    session_id = _session(manager, 4)
    manager.update_emotion("alice", session_id, emotion="anxious", intensity=0.7, confidence=0.8)
    manager.update_emotion("alice", session_id, emotion="exploring", intensity=0.4, confidence=0.9)
    manager.record_milestone("alice", session_id, description="named the fear")
    manager.record_breakthrough(
        "alice", session_id, description="linked sleep and mood", category="pattern_recognition",
        confidence=0.8, evidence=["m-x"],
    )  # fmt: skip
    first = manager.resume_session("alice", session_id)
    assert (len(decoded.DECODED_TRANSITIONS), len(decoded.DECODED_MILESTONES)) == (2, 1)
    assert len(decoded.DECODED_BREAKTHROUGHS) == 1

    again = manager.resume_session("alice", session_id)
    for before, after in (
        (first.emotion_log, again.emotion_log),
        (first.milestones, again.milestones),
        (first.breakthroughs, again.breakthroughs),
    ):
        assert len(before) == len(after) > 0
        assert all(a is b for a, b in zip(before, after, strict=True))  # not decoded again

    manager.update_emotion("alice", session_id, emotion="calm", intensity=0.3, confidence=0.9)
    third = manager.read_session("alice", session_id).emotion_log
    assert len(decoded.DECODED_TRANSITIONS) == 3
    assert third[:2] == first.emotion_log
    assert isinstance(third[2], EmotionTransition)
    assert (third[2].from_emotion, third[2].to_emotion) == ("exploring", "calm")  # its own bytes


def test_an_unreadable_member_is_never_kept_and_keeps_its_place_in_the_list(
    redis_backend: redis.Redis, cache: DecodedCache[Message]
) -> None:
    manager = ConversationStateManager(redis_backend)
    session_id = _session(manager, 8)
    manager.read_session("alice", session_id)  # all eight cached
    key = SessionKeys.for_session("alice", session_id).messages
    redis_backend.lset(key, 5, b"\x96\xff not a message")  # type: ignore[arg-type]  # bytes are fine

    read = manager.read_session("alice", session_id).messages
    assert isinstance(read[5], UnreadableEntry)
    assert read[5].position == 5
    assert [m.seq for m in read if isinstance(m, Message)] == [1, 2, 3, 4, 5, 7, 8]
    assert len(cache) == 8  # the unreadable member was not added
    assert isinstance(manager.read_session("alice", session_id).messages[5], UnreadableEntry)


def test_the_cache_is_bounded_and_drops_the_oldest_first(
    manager: ConversationStateManager, cache: DecodedCache[Message]
) -> None:
    cache.capacity = 10
    old = _session(manager, 10)
    manager.read_session("alice", old)
    new = _session(manager, 15)
    messages = manager.read_session("alice", new).messages
    assert len(cache) == 10
    key = SessionKeys.for_session("alice", new).messages
    raws = manager.redis.lrange(key, 0, -1)
    assert [decoded.DECODED_MESSAGES._items.get(raw) for raw in raws[5:]] == list(messages[5:])
    oldest = manager.read_session("alice", old).messages[0]  # decoded again
    assert isinstance(oldest, Message)
    assert oldest.content == "message 0"


def test_capacity_zero_keeps_nothing(manager: ConversationStateManager, cache: DecodedCache[Message]) -> None:
    cache.capacity = 0
    session_id = _session(manager, 5)
    first = manager.read_session("alice", session_id).messages
    again = manager.read_session("alice", session_id).messages
    assert len(cache) == 0
    assert first == again
    assert first[0] is not again[0]


def test_threads_sharing_a_small_cache_all_get_their_own_messages(
    manager: ConversationStateManager, cache: DecodedCache[Message]
) -> None:
    cache.capacity = 7
    sessions = [_session(manager, 12) for _ in range(4)]

    def read(session_id: str) -> list[str]:
        return [
            m.content
            for _ in range(25)
            for m in manager.read_session("alice", session_id).messages
            if isinstance(m, Message)
        ]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(read, sessions))
    assert all(result == [f"message {i}" for i in range(12)] * 25 for result in results)
    assert len(cache) <= 7 + 4  # a concurrent insert may overshoot by one per thread


def test_the_setting_sizes_the_process_cache(
    cache: DecodedCache[Message], fake_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(configured, "get_redis", lambda: fake_redis)
    for each in decoded.ALL:
        monkeypatch.setattr(each, "capacity", each.capacity)  # restored after the test
    configured.get_state_manager.cache_clear()
    try:
        with override_settings(STATE_DECODED_MESSAGES=123):
            configured.get_state_manager()
        assert [each.capacity for each in decoded.ALL] == [123] * 4  # messages and the other kinds
    finally:
        configured.get_state_manager.cache_clear()


def test_members_seen_before_come_back_in_the_order_asked_and_only_new_ones_are_decoded() -> None:
    cache: DecodedCache[str] = DecodedCache(10)
    asked: list[list[int]] = []

    def decode_all(raws: Sequence[bytes | str], at: Sequence[int]) -> tuple[str, ...]:
        asked.append(list(at))
        return tuple(raw.decode().upper() if isinstance(raw, bytes) else raw for raw in raws)

    assert cache.decode([b"a", b"b"], decode_all) == ("A", "B")
    assert cache.decode([b"b", b"a", b"b"], decode_all) == ("B", "A", "B")  # all seen: nothing decoded
    assert cache.decode([b"a", b"c", b"b"], decode_all) == ("A", "C", "B")
    assert asked == [[0, 1], [1]]
