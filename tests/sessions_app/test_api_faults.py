"""The HTTP API when Redis is down, hangs or is full (SECURITY_TESTS E1, E3, E4, E5), on private servers."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from pytest_django.fixtures import Settings

import sessions_app.state.members as members
from sessions_app.archive.archiver import Archiver
from sessions_app.domain import Message
from sessions_app.state.connection import client_from_url
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import REDIS_SERVER, RedisServer
from tests.sessions_app.api_support import AMIRA, ApiClient, error_of
from tests.support import use_state_manager

pytestmark = [pytest.mark.django_db, pytest.mark.fault, pytest.mark.real_redis, pytest.mark.slow]

MESSAGES = "/sessions/amira/s1/messages"
BUDGET_SECONDS = 3.0


def private_manager(
    server: RedisServer, monkeypatch: pytest.MonkeyPatch, *, timeout: float = 0.5
) -> ConversationStateManager:
    """A manager configured like production (short timeouts, no retries) on a private server."""
    manager = ConversationStateManager(
        client_from_url(server.url, socket_timeout=timeout, connect_timeout=timeout)
    )
    use_state_manager(monkeypatch, manager)
    return manager


@pytest.fixture
def live(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, locmem_cache: None, chatbot: ApiClient
) -> ConversationStateManager:
    manager = private_manager(redis_server, monkeypatch)
    chatbot.create_session()
    assert (
        chatbot.post(MESSAGES, {"role": "user", "content": "warm-up", "message_id": "m-0"}).status_code == 201
    )
    return manager


def test_redis_down_is_a_quick_503_with_retry_after(
    live: ConversationStateManager, redis_server: RedisServer, chatbot: ApiClient
) -> None:
    redis_server.stop()

    for method, path, body in (
        ("GET", "/sessions/amira/s1", None),
        ("GET", "/users/amira/sessions", None),
        ("GET", "/citations?user_id=amira", None),
        ("POST", MESSAGES, {"role": "user", "content": "are you there?", "message_id": "m-1"}),
        ("POST", "/sessions", {"user_id": AMIRA, "model": "claude"}),
    ):
        started = time.monotonic()
        response = chatbot.get(path) if method == "GET" else chatbot.send(method, path, body)
        elapsed = time.monotonic() - started

        assert response.status_code == 503, path
        assert error_of(response)["code"] == "state_unavailable"
        assert response["Retry-After"] == "5"
        assert elapsed < BUDGET_SECONDS, (path, elapsed)


def test_redis_down_still_serves_an_archived_session_flagged_as_such(
    live: ConversationStateManager, redis_server: RedisServer, chatbot: ApiClient
) -> None:
    live.close_session(AMIRA, "s1")
    result = Archiver(live.redis, index=False).archive_session(user_id=AMIRA, session_id="s1")
    assert result.outcome == "snapshot"
    redis_server.stop()

    response = chatbot.get("/sessions/amira/s1")

    assert response.status_code == 200
    body = response.json()
    assert (body["source"], body["read_only"], body["live_unavailable"]) == ("archive", True, True)
    assert [m["message_id"] for m in body["messages"]] == ["m-0"]


def test_the_api_recovers_when_redis_comes_back(
    live: ConversationStateManager, redis_server: RedisServer, chatbot: ApiClient
) -> None:
    redis_server.stop()
    assert chatbot.get("/sessions/amira/s1").status_code == 503

    redis_server.start()

    response = chatbot.get("/sessions/amira/s1")
    assert response.status_code == 200
    assert [m["message_id"] for m in response.json()["messages"]] == ["m-0"]  # AOF kept it


def test_a_retried_post_after_a_timeout_stores_the_message_once(
    live: ConversationStateManager, redis_server: RedisServer, chatbot: ApiClient
) -> None:
    body = {"role": "user", "content": "I finally said it out loud", "message_id": "m-1"}
    redis_server.signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        timed_out = chatbot.post(MESSAGES, body)
        elapsed = time.monotonic() - started
    finally:
        redis_server.signal(signal.SIGCONT)

    assert timed_out.status_code == 503
    assert elapsed < BUDGET_SECONDS
    # The outcome was unknown; the client retries with the same message_id, as the docs say.
    retried = chatbot.post(MESSAGES, body)
    again = chatbot.post(MESSAGES, body)

    # Usually 200: Redis applied the stalled write when it woke up, and the retry finds it stored.
    assert retried.status_code in (200, 201)
    assert again.status_code == 200
    assert again.json()["message_id"] == "m-1"
    check = redis_server.client()
    stored = check.lrange(SessionKeys.for_session(AMIRA, "s1").messages, 0, -1)
    assert sum(member.id == "m-1" for member in members.messages(stored) if isinstance(member, Message)) == 1
    assert live.read_session(AMIRA, "s1").metadata.message_count == 2
    check.close()


def test_a_hung_redis_frees_the_worker_quickly_under_repeated_requests(
    live: ConversationStateManager, redis_server: RedisServer, chatbot: ApiClient
) -> None:
    redis_server.signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        statuses = [chatbot.get("/sessions/amira/s1").status_code for _ in range(3)]
        elapsed = time.monotonic() - started
    finally:
        redis_server.signal(signal.SIGCONT)

    assert statuses == [503, 503, 503]
    assert elapsed < 3 * BUDGET_SECONDS
    assert chatbot.get("/sessions/amira/s1").status_code == 200


@pytest.fixture
def full_server(tmp_path: Path) -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path / "full", extra_args=["--maxmemory", "3mb"]).start()
    try:
        yield server
    finally:
        server.stop()


def fill(server: RedisServer) -> redis.Redis:
    """Fill up to maxmemory with ever smaller values, leaving less headroom than one small write.

    The filling client stays open: closing it would free its buffers, and with them some headroom.
    """
    client = server.client()
    for size in (50_000, 1_000, 50):
        for number in range(10_000):
            try:
                client.set(f"filler:{size}:{number}", b"x" * size)
            except redis.exceptions.OutOfMemoryError:
                break
        else:
            pytest.fail("the server never filled up")
    return client


def test_full_redis_refuses_writes_with_507_and_keeps_serving_reads(
    full_server: RedisServer, monkeypatch: pytest.MonkeyPatch, settings: Settings, chatbot: ApiClient
) -> None:
    # The rate limiter counts in the same (full) Redis, as in production.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": full_server.url,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    private_manager(full_server, monkeypatch)
    chatbot.create_session()
    filler = fill(full_server)

    write = chatbot.post(MESSAGES, {"role": "user", "content": "hello", "message_id": "m-1"})
    read = chatbot.get("/sessions/amira/s1")
    filler.close()

    assert write.status_code == 507
    assert error_of(write)["code"] == "storage_full"
    assert read.status_code == 200
    assert read.json()["session"]["message_count"] == 0
