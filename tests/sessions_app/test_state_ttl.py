"""One expiry instant per session, with the TTL slack: keys never expire apart, created keys get it at once.

A write refreshes the TTLs only once the session's remaining lifetime has dropped by more than the slack;
otherwise it gives the keys it created the session's expiry instant. Both paths are checked after every
write, on fakeredis and on a real Redis.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import fakeredis
import pytest
import redis

from sessions_app.errors import InvalidInput
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager

TTL = 1000
SLACK = 100


def expiry_instants(client: redis.Redis, keys: SessionKeys) -> dict[str, int]:
    """PEXPIRETIME of every existing key of the session (-1: a key without a TTL)."""
    return {key: int(client.pexpiretime(key)) for key in keys.all() if client.exists(key)}


def age(client: redis.Redis, keys: SessionKeys, ms: int) -> None:
    """As if ``ms`` passed: every key's expiry moves that much closer, all to the same instant."""
    at = int(client.pexpiretime(keys.metadata)) - ms
    for key in keys.all():
        client.pexpireat(key, at)


def test_keys_of_a_session_share_one_expiry_instant_after_every_write(redis_backend: redis.Redis) -> None:
    manager = ConversationStateManager(redis_backend, ttl_seconds=TTL, ttl_slack_seconds=SLACK, window=2)
    sid = manager.initialize_session("alice", model="m")
    keys = SessionKeys.for_session("alice", sid)
    writes: list[Callable[[], object]] = [
        lambda: manager.append_message("alice", sid, role="user", content="one"),
        lambda: manager.append_message("alice", sid, role="user", content="two"),
        lambda: manager.append_message("alice", sid, role="user", content="three"),  # creates overflow
        lambda: manager.append_message(
            "alice", sid, role="user", content="four", emotion="anxious", intensity=0.5, confidence=0.5
        ),  # creates the emotion log
        lambda: manager.update_emotion("alice", sid, emotion="happy", intensity=0.2, confidence=0.9),
        lambda: manager.record_milestone("alice", sid, description="m"),  # creates the milestones
        lambda: manager.record_breakthrough(
            "alice", sid, description="b", category="self_compassion", confidence=0.5
        ),  # creates the breakthroughs
        lambda: manager.update_context_snapshot("alice", sid, session_notes="n"),
        lambda: manager.update_context_snapshot("alice", sid, session_notes="n2", extend_retention=False),
        lambda: manager.resume_session("alice", sid, model="other"),
        lambda: manager.close_session("alice", sid),
    ]
    for number, write in enumerate(writes):
        if number % 2:
            age(redis_backend, keys, 5_000)  # within the slack: no refresh, created keys align
        else:
            redis_backend.delete(keys.citations)  # as the archiver's drain leaves it
        write()
        instants = expiry_instants(redis_backend, keys)
        assert len(set(instants.values())) == 1, (number, instants)
        assert -1 not in instants.values()
    assert set(expiry_instants(redis_backend, keys)) == set(keys.all())  # all eleven keys, one instant


def test_a_write_within_the_slack_leaves_the_expiry_and_a_later_one_slides_it(
    redis_backend: redis.Redis,
) -> None:
    manager = ConversationStateManager(redis_backend, ttl_seconds=TTL, ttl_slack_seconds=SLACK)
    sid = manager.initialize_session("alice", model="m")
    keys = SessionKeys.for_session("alice", sid)
    age(redis_backend, keys, (SLACK - 10) * 1000)
    before = int(redis_backend.pexpiretime(keys.metadata))

    manager.append_message("alice", sid, role="user", content="within the slack")

    assert int(redis_backend.pexpiretime(keys.metadata)) == before  # no eleven EXPIREs for this write
    age(redis_backend, keys, 20_000)  # now more than the slack below the full TTL
    started_ms = int(time.time() * 1000)

    manager.append_message("alice", sid, role="user", content="beyond the slack")

    instants = expiry_instants(redis_backend, keys)
    assert len(set(instants.values())) == 1
    assert abs(instants[keys.metadata] - (started_ms + TTL * 1000)) < 5_000  # slid to a full TTL


def test_a_key_created_by_a_write_gets_the_session_expiry_at_once(redis_backend: redis.Redis) -> None:
    manager = ConversationStateManager(redis_backend, ttl_seconds=TTL, ttl_slack_seconds=SLACK, window=1)
    sid = manager.initialize_session("alice", model="m")
    keys = SessionKeys.for_session("alice", sid)
    age(redis_backend, keys, 1_000)
    meta_expiry = int(redis_backend.pexpiretime(keys.metadata))
    assert not redis_backend.exists(keys.emotion_log, keys.messages, keys.overflow, keys.message_ids)

    manager.append_message(
        "alice", sid, role="user", content="a", emotion="happy", intensity=0.1, confidence=0.1
    )
    manager.append_message("alice", sid, role="user", content="b")  # window 1: "a" moves to overflow

    for key in (keys.emotion_log, keys.messages, keys.overflow, keys.message_ids):
        assert int(redis_backend.pexpiretime(key)) == meta_expiry, key


def test_the_slack_is_configurable_and_never_the_whole_ttl() -> None:
    client = fakeredis.FakeRedis()
    assert ConversationStateManager(client, ttl_seconds=604_800).ttl_slack_seconds == 6_048  # 1 %
    assert ConversationStateManager(client, ttl_seconds=600, ttl_slack_seconds=0).ttl_slack_seconds == 0
    with pytest.raises(InvalidInput):
        ConversationStateManager(client, ttl_seconds=600, ttl_slack_seconds=600)
