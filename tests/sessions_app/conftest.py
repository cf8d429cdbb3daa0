"""Fixtures of the state-layer, archive and HTTP API tests (see ``api_support.py`` for the API client)."""

from __future__ import annotations

import pytest
from django.test import Client

from ifemotion.accounts.tokens import create_token, revoke_token
from sessions_app.archive.search import exact
from sessions_app.state.manager import ConversationStateManager
from tests.sessions_app.api_support import ApiClient


@pytest.fixture
def api_manager(live_manager: ConversationStateManager, locmem_cache: None) -> ConversationStateManager:
    """The API's state manager over fakeredis, then over a real Redis (the test runs twice); rate-limit
    counters in process memory, since these tests are not about the limiter."""
    return live_manager


@pytest.fixture
def chatbot_token(db: None) -> str:
    return create_token(name="chatbot", scope="write", actor="test").secret


@pytest.fixture
def reporting_token(db: None) -> str:
    return create_token(name="reporting", scope="read", actor="test").secret


@pytest.fixture
def retired_token(db: None) -> str:
    secret = create_token(name="retired", scope="write", actor="test").secret
    revoke_token(name="retired", actor="test")
    return secret


@pytest.fixture
def chatbot(client: Client, chatbot_token: str) -> ApiClient:
    return ApiClient(client, chatbot_token)


@pytest.fixture
def reporting(client: Client, reporting_token: str) -> ApiClient:
    return ApiClient(Client(), reporting_token)


@pytest.fixture
def stranger(client: Client) -> ApiClient:
    return ApiClient(Client(), None)


@pytest.fixture(params=["exact", "filtered"])
def search_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a search test both ways: a few clients' messages named from the records and ranked
    exactly (the default for small sets), and the index's ``where`` filter (larger sets)."""
    if request.param == "filtered":
        monkeypatch.setattr(exact, "EXACT_MAX_DOCUMENTS", 0)
    return str(request.param)
