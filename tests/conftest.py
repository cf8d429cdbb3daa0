"""Test set-up shared by every test directory: Redis servers, the state-manager override, personas.

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
from django.core.cache import caches
from pytest_django.fixtures import Settings

import sessions_app.state.decoded as decoded
from ifemotion.accounts.models import Role, User
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import REDIS_SERVER, RedisServer
from tests.support import AVA, BEN, CLEO, make_user, use_state_manager

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


# ------------------------------------------------------------------------------ Django


@pytest.fixture(autouse=True)
def fresh_decoded_messages() -> None:
    """Every test starts with empty caches of decoded members (sessions_app/state/decoded.py)."""
    decoded.clear_all()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: Settings) -> None:
    """Every test: MD5 instead of PBKDF2 (speed only; the production hasher is a setting)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def locmem_cache(settings: Settings) -> Iterator[None]:
    """Rate limits and lockouts in process memory, off the shared Redis, for tests not about them."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache = caches["default"]  # this one, even if the test points the setting elsewhere
    cache.clear()
    yield
    cache.clear()


# ------------------------------------------------------------------------------ the state manager


@pytest.fixture
def fake_manager(fake_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> ConversationStateManager:
    """The process's state manager over fakeredis."""
    manager = ConversationStateManager(fake_redis, window=100)
    use_state_manager(monkeypatch, manager)
    return manager


@pytest.fixture
def live_manager(redis_backend: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> ConversationStateManager:
    """The process's state manager over fakeredis, then over a real Redis (the test runs twice)."""
    manager = ConversationStateManager(redis_backend, window=100)
    use_state_manager(monkeypatch, manager)
    return manager


# ------------------------------------------------------------------------------ personas (tests/support.py)


@pytest.fixture
def alice(db: None) -> User:
    """A therapist assigned to client-ava."""
    return make_user("alice", Role.THERAPIST, AVA)


@pytest.fixture
def bob(db: None) -> User:
    """A therapist assigned to client-ben only."""
    return make_user("bob", Role.THERAPIST, BEN)


@pytest.fixture
def clara(db: None) -> User:
    """A clinician assigned to client-cleo only."""
    return make_user("clara", Role.CLINICIAN, CLEO)


@pytest.fixture
def carmen(db: None) -> User:
    """A clinician assigned to client-ava (alice's client)."""
    return make_user("carmen", Role.CLINICIAN, AVA)


@pytest.fixture
def root(db: None) -> User:
    """An admin with no assignments."""
    return make_user("root", Role.ADMIN)
