"""The message feed workers poll (risk assessment, live search index): fakeredis and a real Redis."""

from __future__ import annotations

import redis

from sessions_app.state.feed import messages_after, session_counts
from sessions_app.state.keys import GLOBAL_ACTIVE, SessionKeys
from sessions_app.state.manager import ConversationStateManager


def _fill(manager: ConversationStateManager, user_id: str, count: int) -> str:
    session_id = manager.initialize_session(user_id, model="m")
    for n in range(1, count + 1):
        manager.append_message(user_id, session_id, role="user", content=f"message {n}", message_id=f"m{n}")
    return session_id


def test_counts_list_every_live_session_and_skip_ghosts(redis_backend: redis.Redis) -> None:
    manager = ConversationStateManager(redis_backend, window=5)
    first = _fill(manager, "amira", 3)
    second = _fill(manager, "bruno", 7)
    redis_backend.sadd(GLOBAL_ACTIVE, "carla:expired-session", "not a member")

    assert session_counts(redis_backend) == {("amira", first): 3, ("bruno", second): 7}


def test_messages_after_a_cursor_come_from_overflow_and_window_in_order(redis_backend: redis.Redis) -> None:
    manager = ConversationStateManager(redis_backend, window=5)
    session_id = _fill(manager, "amira", 8)  # seqs 1-3 in overflow, 4-8 in the window

    page = messages_after(redis_backend, "amira", session_id, 2, message_count=8)

    assert [m.seq for m in page.messages] == [3, 4, 5, 6, 7, 8]
    assert [m.content for m in page.messages][:2] == ["message 3", "message 4"]
    assert page.missing_from is None
    assert messages_after(redis_backend, "amira", session_id, 8, message_count=8).messages == ()


def test_a_read_never_extends_retention(redis_backend: redis.Redis) -> None:
    manager = ConversationStateManager(redis_backend, window=5, ttl_seconds=1000)
    session_id = _fill(manager, "amira", 8)
    keys = SessionKeys.for_session("amira", session_id)
    redis_backend.expire(keys.messages, 10)

    messages_after(redis_backend, "amira", session_id, 0, message_count=8)

    assert redis_backend.ttl(keys.messages) <= 10


def test_messages_appended_after_the_count_wait_for_the_next_poll(redis_backend: redis.Redis) -> None:
    manager = ConversationStateManager(redis_backend, window=5)
    session_id = _fill(manager, "amira", 4)
    manager.append_message("amira", session_id, role="user", content="late", message_id="m5")

    page = messages_after(redis_backend, "amira", session_id, 2, message_count=4)

    assert [m.seq for m in page.messages] == [3, 4]


def test_messages_the_archiver_already_drained_are_reported_as_a_gap(redis_backend: redis.Redis) -> None:
    manager = ConversationStateManager(redis_backend, window=5)
    session_id = _fill(manager, "amira", 8)
    redis_backend.delete(SessionKeys.for_session("amira", session_id).overflow)  # as after a drain

    page = messages_after(redis_backend, "amira", session_id, 0, message_count=8)

    assert [m.seq for m in page.messages] == [4, 5, 6, 7, 8]
    assert (page.missing_from, page.missing_to) == (1, 3)


def test_a_damaged_member_is_counted_not_returned(redis_backend: redis.Redis) -> None:
    manager = ConversationStateManager(redis_backend, window=5)
    session_id = _fill(manager, "amira", 3)
    redis_backend.lset(SessionKeys.for_session("amira", session_id).messages, 1, "{not json")

    page = messages_after(redis_backend, "amira", session_id, 0, message_count=3)

    assert [m.seq for m in page.messages] == [1, 3]
    assert page.unreadable == 1
