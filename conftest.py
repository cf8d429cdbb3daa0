"""Test set-up shared by every test directory.

Redis: behavioural tests run twice, on fakeredis and on a real Redis. The real one is ``REDIS_URL``
(database ``REDIS_TEST_DB``, default 9, which the tests wipe) when set, as in CI; otherwise a private
``redis-server`` that the tests start on a random loopback port. Tests that need to crash, stop or
fill a Redis always start their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import fakeredis
import hypothesis
import pytest
import redis

from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import REDIS_SERVER, RedisServer

# In CI, property tests use a fixed example sequence so that a submission's result does not depend on
# luck; developers' runs stay random and keep finding new cases (and print how to reproduce them).
hypothesis.settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis.settings.load_profile("ci")


def _with_db(url: str, db: int) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{db}"))


@pytest.fixture(scope="session")
def real_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield _with_db(url, int(os.environ.get("REDIS_TEST_DB", "9")))
        return
    if REDIS_SERVER is None:
        pytest.skip("no REDIS_URL and no redis-server installed: real-Redis tests cannot run")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def real_redis(real_redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(real_redis_url, socket_timeout=5)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def fake_redis() -> redis.Redis:
    return fakeredis.FakeRedis(server=fakeredis.FakeServer())


@pytest.fixture(params=["fake", "real"])
def redis_backend(request: pytest.FixtureRequest) -> redis.Redis:
    """Runs the test once on fakeredis and once on the real Redis."""
    fixture = "fake_redis" if request.param == "fake" else "real_redis"
    client: redis.Redis = request.getfixturevalue(fixture)
    return client


@pytest.fixture
def manager(redis_backend: redis.Redis) -> ConversationStateManager:
    return ConversationStateManager(redis_backend, window=100)


@pytest.fixture
def real_manager(real_redis: redis.Redis) -> ConversationStateManager:
    return ConversationStateManager(real_redis, window=100)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A private redis-server (AOF on, noeviction) this test may kill, stop or fill."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()
