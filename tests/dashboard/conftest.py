"""Fixtures of the dashboard tests (personas, ``login`` and the state manager are in ``tests/``).

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
from django.db import connection
from pytest_django.fixtures import Settings

from sessions_app.state.manager import ConversationStateManager

_triggers = importlib.import_module("ifemotion.accounts.migrations.0002_audit_append_only")


@pytest.fixture(autouse=True)
def dashboard_defaults(
    settings: Settings, locmem_cache: None, fake_manager: ConversationStateManager
) -> None:
    """Every dashboard test: plain http in the test client (the HTTPS redirect and cookie flags are
    tested in test_auth), the Django cache in memory, and a fakeredis state manager unless the test
    asks for ``live_manager`` (never the developer's Redis)."""
    settings.SECURE_SSL_REDIRECT = False


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
