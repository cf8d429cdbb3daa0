"""Redis stopped mid-test: a 503 page within about 2 s, archived sessions still readable, no false "saved"."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from ifemotion.accounts.models import User
from sessions_app.archive.archiver import Archiver
from sessions_app.state.connection import client_from_url
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import seed_session
from tests.redis_server import RedisServer
from tests.support import AVA, login, use_state_manager

pytestmark = [pytest.mark.fault, pytest.mark.real_redis]
BUDGET_SECONDS = 2.0


@pytest.fixture
def private_manager(redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> ConversationStateManager:
    client = client_from_url(redis_server.url, socket_timeout=1.0, connect_timeout=0.5)
    manager = ConversationStateManager(client, window=100)
    use_state_manager(monkeypatch, manager)
    return manager


def timed_get(client: object, url: str, **extra: str) -> tuple[int, str, float]:
    started = time.monotonic()
    response = client.get(url, **extra)  # type: ignore[attr-defined]
    return response.status_code, response.content.decode(), time.monotonic() - started


def test_redis_stopped_mid_test(
    private_manager: ConversationStateManager, redis_server: RedisServer, alice: User
) -> None:
    live_sid = seed_session(private_manager, AVA, message="still live")
    archived_sid = seed_session(private_manager, AVA, message="safely archived")
    Archiver(private_manager.redis, margin_seconds=10**9, index=False).archive_session(
        user_id=AVA, session_id=archived_sid
    )
    client = login(alice)
    assert client.get(reverse("sessions:detail", args=[AVA, live_sid])).status_code == 200

    redis_server.stop()

    status, body, seconds = timed_get(client, reverse("sessions:list"))
    assert (status, seconds < BUDGET_SECONDS) == (503, True)
    assert "Live records temporarily unavailable" in body
    assert archived_sid[:14] in body  # the archive still answers

    status, body, seconds = timed_get(client, reverse("sessions:detail", args=[AVA, live_sid]))
    assert (status, seconds < BUDGET_SECONDS) == (503, True)
    assert "Live records temporarily unavailable" in body
    assert "Traceback" not in body

    status, body, seconds = timed_get(client, reverse("sessions:detail", args=[AVA, archived_sid]))
    assert (status, seconds < BUDGET_SECONDS) == (200, True)
    assert "safely archived" in body
    assert "showing the archived copy" in body

    status, _, seconds = timed_get(
        client, reverse("sessions:live", args=[AVA, live_sid]), HTTP_HX_REQUEST="true"
    )
    assert (status, seconds < BUDGET_SECONDS) == (503, True)


def test_a_note_save_during_the_outage_keeps_the_text_and_never_says_saved(
    private_manager: ConversationStateManager, redis_server: RedisServer, alice: User
) -> None:
    sid = seed_session(private_manager, AVA)
    client = login(alice)
    redis_server.stop()
    started = time.monotonic()
    response = client.post(
        reverse("sessions:notes", args=[AVA, sid]),
        {"version": 1, "base": "first notes", "text": "typed in the outage"},
    )
    assert time.monotonic() - started < BUDGET_SECONDS
    body = response.content.decode()
    assert response.status_code == 503
    assert "typed in the outage" in body
    assert "NOT saved" in body  # nothing was written: the session could not be checked
    assert "Notes saved" not in body
