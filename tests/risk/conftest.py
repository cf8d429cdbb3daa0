"""Fixtures of the risk tests: a chatbot API client with a write token, a read-only one, and a small
helper to write a session through the Python state API."""

from __future__ import annotations

import pytest
from django.test import Client

from ifemotion.accounts.tokens import create_token
from sessions_app.state.manager import ConversationStateManager
from tests.sessions_app.api_support import ApiClient


@pytest.fixture
def chatbot(db: None, locmem_cache: None) -> ApiClient:
    return ApiClient(Client(), create_token(name="chatbot", scope="write", actor="test").secret)


@pytest.fixture
def reporting(db: None, locmem_cache: None) -> ApiClient:
    return ApiClient(Client(), create_token(name="reporting", scope="read", actor="test").secret)


def write_turns(
    manager: ConversationStateManager,
    client_id: str,
    turns: list[tuple[str, str]],
    *,
    session_id: str | None = None,
) -> str:
    """A live session with these (role, text) turns, written through the Python state API."""
    sid = manager.initialize_session(client_id, model="test-model", session_id=session_id)
    for index, (role, text) in enumerate(turns, start=1):
        manager.append_message(client_id, sid, role=role, content=text, message_id=f"m-{index:04d}")
    return sid


from tests.dashboard.conftest import audit_flushable  # noqa: F401 - lets live-server tests flush
