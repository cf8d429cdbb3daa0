"""Sentinel-managed Redis: the state layer works through the sentinels and follows a failover."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from sessions_app.errors import StateUnavailable
from sessions_app.state.connection import sentinel_client
from sessions_app.state.manager import ConversationStateManager
from tests.reliability.test_cluster import BEHAVIOURS
from tests.reliability.topologies import LocalSentinel

pytestmark = [pytest.mark.real_redis, pytest.mark.fault, pytest.mark.slow]


@pytest.fixture
def through_sentinel(shared_sentinel: LocalSentinel) -> Iterator[redis.Redis]:
    client = sentinel_client(
        shared_sentinel.addresses, shared_sentinel.master, socket_timeout=2, connect_timeout=1
    )
    client.flushdb()
    yield client
    client.flushdb()


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=[fn.__name__ for fn in BEHAVIOURS])
def test_state_behaviour_holds_through_sentinel(
    through_sentinel: redis.Redis, behaviour: Callable[..., Any]
) -> None:
    params = inspect.signature(behaviour).parameters
    kwargs = {"manager": ConversationStateManager(through_sentinel), "redis_backend": through_sentinel}
    behaviour(**{name: kwargs[name] for name in params})


def test_the_app_follows_a_failover_to_the_new_primary_by_itself(redis_sentinel: LocalSentinel) -> None:
    client = sentinel_client(
        redis_sentinel.addresses, redis_sentinel.master, socket_timeout=0.5, connect_timeout=0.3
    )
    manager = ConversationStateManager(client)
    session_id = manager.initialize_session("alice", model="haiku")
    assert redis_sentinel.primary is not None
    assert redis_sentinel.replica is not None
    old_primary = redis_sentinel.primary.port
    acked: list[str] = []
    for i in range(50):
        manager.append_message("alice", session_id, role="user", content=f"before {i}", message_id=f"b{i}")
        acked.append(f"b{i}")
    client.wait(1, 2000)  # the replica has every acknowledged write before we crash the primary

    redis_sentinel.primary.kill()
    failures, deadline = 0, time.monotonic() + 30
    after: list[str] = []
    while len(after) < 20 and time.monotonic() < deadline:
        message_id = f"a{len(after)}"
        try:
            manager.append_message("alice", session_id, role="user", content="after", message_id=message_id)
        except StateUnavailable:
            failures += 1  # the failover window: each attempt fails fast, then the same id is retried
            time.sleep(0.2)
            continue
        after.append(message_id)

    assert len(after) == 20, f"no write succeeded within 30 s of the failover ({failures} failed attempts)"
    assert redis_sentinel.current_primary_port() == redis_sentinel.replica.port != old_primary
    stored = manager.read_session("alice", session_id)
    assert stored.metadata.message_count == 70  # every acknowledged write, none twice
    ids = [m.id for m in stored.messages if hasattr(m, "id")]
    assert ids == acked + after
