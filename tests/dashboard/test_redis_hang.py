"""A hung Redis (SIGSTOP for 10 s) under 100 concurrent dashboard requests: every request fails fast
with the 503 page, the connection pool never surfaces as a 500, and the service recovers by itself
after SIGCONT, without restarting the app."""

from __future__ import annotations

import signal
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from ifemotion.accounts.models import User
from sessions_app.state.connection import client_from_url
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import seed_session
from tests.redis_server import RedisServer
from tests.support import AVA, use_state_manager

pytestmark = [pytest.mark.real_redis, pytest.mark.fault, pytest.mark.slow]


@pytest.fixture
def hung_site(
    audit_flushable: None, redis_server: RedisServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, ConversationStateManager]]:
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME = "sessionid", "csrftoken"
    # The product's client: 1 s socket timeout, a blocking pool of 20 that fails after 0.5 s when empty.
    manager = ConversationStateManager(client_from_url(redis_server.url, max_connections=20))
    use_state_manager(monkeypatch, manager)
    server = LiveServer("localhost:0")
    try:
        yield server.url, manager
    finally:
        server.stop()


def fetch(url: str, cookie: str) -> tuple[int, float, str]:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})  # noqa: S310 - loopback
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    return status, time.monotonic() - started, body


def test_a_hung_redis_gives_fast_503_pages_and_recovers_without_restart(
    hung_site: tuple[str, ConversationStateManager], alice: User, redis_server: RedisServer
) -> None:
    site, manager = hung_site
    session_id = seed_session(manager, AVA)
    client = Client()
    client.force_login(alice)
    cookie = client.cookies["sessionid"].value
    url = f"{site}/clients/{AVA}/sessions/{session_id}/"
    assert fetch(url, cookie)[0] == 200

    redis_server.signal(signal.SIGSTOP)
    stopped = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=100) as pool:
            results = list(pool.map(lambda _: fetch(url, cookie), range(100)))
        time.sleep(max(0.0, 10 - (time.monotonic() - stopped)))  # Redis stays hung for 10 s
    finally:
        redis_server.signal(signal.SIGCONT)

    statuses = Counter(status for status, _, _ in results)
    assert statuses == {503: 100}, statuses
    assert all("temporarily unavailable" in body.lower() for _, _, body in results)
    assert all("Traceback" not in body for _, _, body in results)
    slowest = max(elapsed for _, elapsed, _ in results)
    # 100 requests queue for one test server's threads and a GIL; each one alone answers in ~1-2 s.
    assert slowest < 8, f"a request took {slowest:.1f} s"
    # Recovery: the same process, no restart, answers normally again.
    deadline = time.monotonic() + 5
    while fetch(url, cookie)[0] != 200:
        assert time.monotonic() < deadline, "the dashboard did not recover after SIGCONT"
        time.sleep(0.2)
