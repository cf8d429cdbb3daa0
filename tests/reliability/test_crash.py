"""kill -9 of Redis during a write loop: every acknowledged message survives, none twice."""

from __future__ import annotations

import threading
import time

import pytest

import sessions_app.state.members as members
from sessions_app.errors import StateUnavailable
from sessions_app.state.connection import client_from_url
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.real_redis, pytest.mark.fault, pytest.mark.slow]


def test_acknowledged_messages_survive_a_crash_and_retries_store_once(redis_server: RedisServer) -> None:
    manager = ConversationStateManager(client_from_url(redis_server.url), window=100)
    session_id = manager.initialize_session("alice", model="haiku")
    acked: list[str] = []
    unknown: list[str] = []
    stop = threading.Event()

    def write_loop() -> None:
        i = 0
        while not stop.is_set():
            message_id = f"m{i}"
            try:
                manager.append_message(
                    "alice", session_id, role="user", content=f"text {i}", message_id=message_id
                )
            except StateUnavailable:
                unknown.append(message_id)  # outcome unknown: the server may have applied it
                return
            acked.append(message_id)
            i += 1

    writer = threading.Thread(target=write_loop)
    writer.start()
    time.sleep(0.8)
    redis_server.kill()
    writer.join(timeout=10)
    stop.set()
    assert len(acked) > 100

    redis_server.start()
    manager = ConversationStateManager(client_from_url(redis_server.url), window=100)
    for message_id in unknown:  # the client retries what it could not confirm, with the same id
        manager.append_message("alice", session_id, role="user", content="retry", message_id=message_id)

    keys = SessionKeys.for_session("alice", session_id)
    client = manager.redis
    stored = [
        members.message_id_of(raw)
        for raw in client.lrange(keys.overflow, 0, -1) + client.lrange(keys.messages, 0, -1)
    ]
    assert stored[: len(acked)] == acked  # every acknowledged write, in order
    assert len(stored) == len(set(stored)) == len(acked) + len(unknown)
