"""Fixtures of the export tests: a loopback canary server, personas, a seeded live session."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from django.core.cache import caches
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings

from ifemotion.accounts.identity import assign_client
from ifemotion.accounts.models import Role, User
from sessions_app.state import configured
from sessions_app.state.manager import ConversationStateManager

CLIENT, OTHER_CLIENT = "client-ava", "client-ben"
PASSWORD = "a long enough passphrase for tests"
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "exports"}}


class Canary:
    """Records every request that reaches it. A correct export never calls it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/svg+xml")
                self.end_headers()
                self.wfile.write(b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture(autouse=True)
def locmem_cache(settings: Settings) -> Iterator[None]:
    """Rate limits and lockouts use the Django cache; keep it off the shared Redis."""
    settings.CACHES = LOCMEM
    settings.SECURE_SSL_REDIRECT = False
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def live_manager(redis_backend: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> ConversationStateManager:
    """The process's state manager over fakeredis, then over a real Redis (tests run twice)."""
    manager = ConversationStateManager(redis_backend, window=100)
    monkeypatch.setattr(configured, "get_state_manager", lambda: manager)
    return manager


@pytest.fixture
def fake_manager(fake_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> ConversationStateManager:
    manager = ConversationStateManager(fake_redis, window=100)
    monkeypatch.setattr(configured, "get_state_manager", lambda: manager)
    return manager


def make_user(username: str, role: str, *clients: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role)
    for client_id in clients:
        assign_client(therapist=user, client_id=client_id)
    return user


@pytest.fixture
def alice(db: None) -> User:
    """A therapist assigned to CLIENT."""
    return make_user("alice", Role.THERAPIST, CLIENT)


@pytest.fixture
def clara(db: None) -> User:
    """A clinician assigned to CLIENT."""
    return make_user("clara", Role.CLINICIAN, CLIENT)


@pytest.fixture
def bob(db: None) -> User:
    """A therapist assigned to another client only."""
    return make_user("bob", Role.THERAPIST, OTHER_CLIENT)


@pytest.fixture
def root(db: None) -> User:
    return make_user("root", Role.ADMIN)


def login(user: User) -> Client:
    """A test client logged in as ``user``, past two-factor when the role requires it."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def seed(manager: ConversationStateManager, client_id: str, texts: list[str]) -> str:
    """A live session with the given messages, a transition, a milestone, a breakthrough, notes."""
    session_id = manager.initialize_session(client_id, model="claude-test")
    first = None
    for index, text in enumerate(texts):
        appended = manager.append_message(
            client_id, session_id, role="user" if index % 2 == 0 else "assistant", content=text
        )
        first = first or appended
    manager.update_emotion(client_id, session_id, emotion="anxious", intensity=0.8, confidence=0.9)
    manager.record_milestone(client_id, session_id, description="Named a trigger")
    manager.record_breakthrough(
        client_id,
        session_id,
        description="Linked sleep and mood",
        category="pattern_recognition",
        confidence=0.85,
        evidence=[first.id] if first else [],
    )
    manager.update_context_snapshot(client_id, session_id, session_notes="first notes")
    return session_id
