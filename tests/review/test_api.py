"""The API's read of a client's review state: read scope, reviewers by role only, 404 when unassigned."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ifemotion.accounts.models import AuditEvent, User
from ifemotion.accounts.tokens import create_token
from sessions_app.review.cursors import mark_reviewed
from sessions_app.review.hold import hold_session
from sessions_app.state.manager import ConversationStateManager
from tests.review.conftest import add_messages, grant_for
from tests.support import AVA, CLEO


def get(path: str, token: str) -> Any:
    return Client().get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, secure=True)


@pytest.fixture
def read_token(db: None) -> str:
    return create_token(name="reporting", scope="read", actor="test").secret


def test_a_read_token_sees_how_far_the_clinicians_have_read(
    live_manager: ConversationStateManager, alice: User, carmen: User, read_token: str
) -> None:
    first = live_manager.initialize_session(AVA, model="m")
    add_messages(live_manager, AVA, first, 10)
    second = live_manager.initialize_session(AVA, model="m")
    add_messages(live_manager, AVA, second, 4)
    mark_reviewed(grant=grant_for(alice, AVA), session_id=first, seq=6)
    mark_reviewed(grant=grant_for(carmen, AVA), session_id=second)
    assert hold_session(grant=grant_for(carmen, AVA), session_id=second).outcome == "held"

    response = get(f"/users/{AVA}/review", read_token)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["client_id"] == AVA
    assert body["live_unavailable"] is False
    reviewers = sorted(body["reviewers"], key=lambda r: r["role"])
    assert [(r["role"], r["last_seq"], r["unread_messages"]) for r in reviewers] == [
        ("clinician", 4, 10),
        ("therapist", 6, 8),
    ]
    assert "alice" not in response.content.decode()
    assert "carmen" not in response.content.decode()
    sessions = {s["session_id"]: s for s in body["sessions"]}
    assert sessions[first]["reviewed_through_seq"] == 6
    assert sessions[first]["reviewed_by"] == 0
    assert sessions[second]["reviewed_through_seq"] == 4
    assert sessions[second]["reviewed_by"] == 1
    assert sessions[second]["held"] is True
    assert sessions[first]["held"] is False
    assert sessions[first]["source"] == "live"
    assert sessions[first]["leaves_live_storage_at"]
    event = AuditEvent.objects.filter(actor="token:reporting").latest("id")
    assert (event.client_id, event.outcome) == (AVA, "ok")


def test_an_unassigned_clients_review_state_is_404(
    fake_manager: ConversationStateManager, read_token: str, alice: User
) -> None:
    fake_manager.initialize_session(CLEO, model="m")  # sessions, but nobody assigned
    response = get(f"/users/{CLEO}/review", read_token)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert get("/users/nobody-at-all/review", read_token).status_code == 404


def test_bad_ids_and_no_token(read_token: str) -> None:
    assert get("/users/bad%20id/review", read_token).status_code in (400, 404)
    assert Client().get(f"/api/v1/users/{AVA}/review", secure=True).status_code == 401


def test_the_operation_is_in_the_openapi_document(db: None) -> None:
    document = Client().get("/api/v1/openapi.json", secure=True).json()
    operation = document["paths"]["/api/v1/users/{user_id}/review"]["get"]
    assert operation["operationId"] == "getReviewState"
