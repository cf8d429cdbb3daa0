"""Personas and fixtures of the dashboard tests.

Personas: alice is the therapist assigned to client-ava, bob the therapist assigned to client-ben,
clara a clinician assigned to client-cleo, root the admin (no assignments). Clinician and admin pass
two-factor with a real TOTP device (``login``), so tests see access decisions, not the OTP redirect.

The append-only audit log and Django's transactional tests: the tables of ``transactional_db`` tests
(which ``live_server`` uses) are emptied afterwards by a flush, which on SQLite runs ``DELETE`` and is
refused by the audit log's triggers. ``audit_flushable`` empties the audit log itself after the test,
with the triggers dropped for that one statement and put back at once: the flush then deletes no
audit row, and every later test still runs against an append-only log.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings

from ifemotion.accounts.identity import assign_client, grant_admin_permissions
from ifemotion.accounts.models import Role, User
from sessions_app.state import configured
from sessions_app.state.manager import ConversationStateManager

AVA, BEN, CLEO = "client-ava", "client-ben", "client-cleo"
PASSWORD = "a long enough passphrase for tests"
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dashboard"}}

_triggers = importlib.import_module("ifemotion.accounts.migrations.0002_audit_append_only")


@pytest.fixture(autouse=True)
def locmem_cache(settings: Settings) -> Iterator[None]:
    """Nothing here is about the Django cache; keep it off the shared Redis."""
    settings.CACHES = LOCMEM
    # Plain http in the test client; the HTTPS redirect and cookie flags are tested in test_auth.
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def default_manager(fake_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> ConversationStateManager:
    """Every test gets a fakeredis state manager unless it asks for another (never the dev Redis)."""
    manager = ConversationStateManager(fake_redis, window=100)
    monkeypatch.setattr(configured, "get_state_manager", lambda: manager)
    return manager


@pytest.fixture
def dash_manager(redis_backend: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> ConversationStateManager:
    """The dashboard's state manager over fakeredis, then over a real Redis (tests run twice)."""
    manager = ConversationStateManager(redis_backend, window=100)
    monkeypatch.setattr(configured, "get_state_manager", lambda: manager)
    return manager


@pytest.fixture
def fake_manager(default_manager: ConversationStateManager) -> ConversationStateManager:
    return default_manager


def make_user(username: str, role: str, *clients: str) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, is_staff=role == Role.ADMIN
    )
    if role == Role.ADMIN:
        grant_admin_permissions(user)
    for client_id in clients:
        assign_client(therapist=user, client_id=client_id)
    return user


@pytest.fixture
def alice(db: None) -> User:
    return make_user("alice", Role.THERAPIST, AVA)


@pytest.fixture
def bob(db: None) -> User:
    return make_user("bob", Role.THERAPIST, BEN)


@pytest.fixture
def clara(db: None) -> User:
    return make_user("clara", Role.CLINICIAN, CLEO)


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


def seed_session(manager: ConversationStateManager, client_id: str, **texts: Any) -> str:
    """A live session with messages, transitions, a milestone, a breakthrough and notes."""
    session_id = manager.initialize_session(client_id, model="claude-test")
    first = manager.append_message(
        client_id, session_id, role="user", content=texts.get("message", "I felt calmer today.")
    )
    manager.append_message(
        client_id, session_id, role="assistant", content="What helped?", emotion="exploring", intensity=0.4,
        confidence=0.7,
    )  # fmt: skip
    manager.update_emotion(client_id, session_id, emotion="anxious", intensity=0.8, confidence=0.9)
    manager.record_milestone(client_id, session_id, description=texts.get("milestone", "Named a trigger"))
    manager.record_breakthrough(
        client_id, session_id, description=texts.get("breakthrough", "Linked sleep and mood"),
        category="pattern_recognition", confidence=0.85, evidence=[first.id],
    )  # fmt: skip
    manager.update_context_snapshot(client_id, session_id, session_notes=texts.get("notes", "first notes"))
    return session_id


@pytest.fixture
def audit_flushable(transactional_db: None) -> Iterator[None]:
    """See the module docstring: lets transactional tests (live_server) end with a flush."""
    yield
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS accounts_auditevent_no_delete")
            cursor.execute("DELETE FROM accounts_auditevent")
            cursor.execute(_triggers.SQLITE[1])
        else:
            cursor.execute("TRUNCATE accounts_auditevent")
