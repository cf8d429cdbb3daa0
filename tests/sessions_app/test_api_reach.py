"""API tokens restricted to some clients (a client-id prefix or a list): any other client is answered
404, exactly like a record that does not exist, and nothing is written (issue 11, item 10)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ifemotion.accounts.models import ApiToken, AuditEvent, User
from ifemotion.accounts.tokens import TokenError, create_token
from sessions_app.state.manager import ConversationStateManager
from tests.sessions_app.api_support import AMIRA, BRUNO, ApiClient, error_of
from tests.support import login

pytestmark = pytest.mark.django_db


def _writes(user: str, session: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    path = f"/sessions/{user}/{session}"
    return [
        ("POST", f"{path}/messages", {"role": "user", "content": "hello", "message_id": "m-1"}),
        ("PUT", f"{path}/emotion", {"emotion": "happy", "intensity": 0.5, "confidence": 0.5}),
        ("POST", f"{path}/milestones", {"description": "first step"}),
        (
            "POST",
            f"{path}/breakthroughs",
            {"description": "insight", "category": "self_compassion", "confidence": 1},
        ),
        ("PATCH", f"{path}/context", {"expected_version": 0, "current_theme": "x"}),
        ("POST", f"{path}/close", None),
        ("GET", path, None),
    ]


@pytest.fixture
def sessions(api_manager: ConversationStateManager) -> ConversationStateManager:
    api_manager.initialize_session(AMIRA, model="claude", session_id="s1")
    api_manager.initialize_session(BRUNO, model="claude", session_id="s1")
    return api_manager


def _client(client: Client, **reach: Any) -> ApiClient:
    return ApiClient(client, create_token(name="partner", scope="write", actor="test", **reach).secret)


def _call(api: ApiClient, method: str, path: str, body: dict[str, Any] | None) -> Any:
    return api.get(path) if method == "GET" else api.send(method, path, body)


@pytest.mark.parametrize("reach", [{"client_prefix": "ami"}, {"client_ids": ["amira", "other"]}])
def test_a_restricted_token_gets_not_found_for_other_clients_and_writes_nothing(
    sessions: ConversationStateManager, client: Client, reach: dict[str, Any]
) -> None:
    api = _client(client, **reach)
    before = sessions.read_session(BRUNO, "s1")
    for method, path, body in _writes(BRUNO, "s1"):
        response = _call(api, method, path, body)
        assert response.status_code == 404, (method, path)
        assert error_of(response) == {
            "code": "session_not_found",
            "message": "session s1 of user bruno does not exist (or has expired)",
        }
    assert sessions.read_session(BRUNO, "s1") == before
    for method, path, body in _writes(AMIRA, "s1"):
        assert _call(api, method, path, body).status_code in (200, 201), (method, path)


def test_out_of_reach_looks_like_a_session_that_does_not_exist(
    sessions: ConversationStateManager, client: Client, chatbot: ApiClient
) -> None:
    restricted = _client(client, client_prefix="ami")
    hidden = restricted.get(f"/sessions/{BRUNO}/s1")
    missing = chatbot.get(f"/sessions/{BRUNO}/s1-gone")
    assert hidden.status_code == missing.status_code == 404
    assert error_of(hidden)["code"] == error_of(missing)["code"]
    assert error_of(hidden)["message"] == error_of(missing)["message"].replace("s1-gone", "s1")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/sessions", {"user_id": BRUNO, "model": "claude", "session_id": "s9"}),
        ("GET", f"/users/{BRUNO}/sessions", None),
        ("GET", f"/citations?user_id={BRUNO}", None),
    ],
)
def test_client_level_requests_out_of_reach_are_404(
    sessions: ConversationStateManager, client: Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = _call(_client(client, client_ids=[AMIRA]), method, path, body)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert sessions.get_user_sessions(BRUNO)[0].session_id == "s1"
    assert len(sessions.get_user_sessions(BRUNO)) == 1
    assert AuditEvent.objects.filter(action="api_request", outcome="refused").exists()


def test_an_unrestricted_token_reaches_every_client(
    sessions: ConversationStateManager, chatbot: ApiClient
) -> None:
    assert chatbot.get(f"/sessions/{BRUNO}/s1").status_code == 200
    assert chatbot.get(f"/sessions/{AMIRA}/s1").status_code == 200


def test_the_command_creates_a_restricted_token(db: None) -> None:
    out = StringIO()
    call_command(
        "create_api_token",
        "clinic-a",
        "--client-prefix",
        "clinic-a-",
        "--client",
        "vip-1",
        stdout=out,
        stderr=StringIO(),
    )
    token = ApiToken.objects.get(name="clinic-a")
    assert (token.client_prefix, token.client_ids) == ("clinic-a-", ["vip-1"])
    assert token.reaches("clinic-a-42")
    assert token.reaches("vip-1")
    assert not token.reaches("clinic-b-1")


def test_malformed_limits_are_refused(db: None) -> None:
    with pytest.raises(TokenError):
        create_token(name="bad", scope="write", actor="test", client_prefix="a b")
    with pytest.raises(TokenError):
        create_token(name="bad", scope="write", actor="test", client_ids=["ok", "not ok"])


def test_the_admin_creates_a_restricted_token(root: User) -> None:
    admin = login(root)
    response = admin.post(
        reverse("admin:accounts_apitoken_add"),
        {"name": "partner", "scope": "read", "client_prefix": "", "client_ids_text": "amira,\nbruno"},
        secure=True,
    )
    assert response.status_code == 200
    assert "ife_" in response.content.decode()  # the secret, shown once
    assert ApiToken.objects.get(name="partner").client_ids == ["amira", "bruno"]
