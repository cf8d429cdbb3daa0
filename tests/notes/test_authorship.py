"""Who wrote what: the chatbot's writes are labelled as the chatbot's, whatever author they claim; a
write token can never pass for a clinician; a signed note cannot be changed over the API."""

from __future__ import annotations

import pytest
from django.test import Client

from ifemotion.accounts.models import User
from ifemotion.accounts.tokens import create_token
from sessions_app.errors import InvalidInput
from sessions_app.notes import services
from sessions_app.state.manager import ConversationStateManager
from tests.notes.conftest import actor_for, seed_session
from tests.sessions_app.api_support import ApiClient, error_of
from tests.support import AVA


@pytest.fixture
def api(live_manager: ConversationStateManager, locmem_cache: None, db: None) -> ApiClient:
    return ApiClient(Client(), create_token(name="chatbot", scope="write", actor="test").secret)


@pytest.mark.parametrize("claimed", ["alice", "dr-lee", "token:chatbot", "Alice Smith (clinician)"])
def test_a_write_token_cannot_claim_a_clinician_as_author(
    api: ApiClient, live_manager: ConversationStateManager, alice: User, claimed: str
) -> None:
    sid = live_manager.initialize_session(AVA, model="m")
    response = api.patch(
        f"/sessions/{AVA}/{sid}/context",
        {"expected_version": 0, "session_notes": "from the bot", "current_theme": "t", "author": claimed},
    )
    assert response.status_code == 200
    context = live_manager.read_session(AVA, sid).context
    assert context.notes_updated_by == f"chatbot:chatbot/{claimed}"
    assert context.guidance_updated_by == f"chatbot:chatbot/{claimed}"
    assert context.notes_updated_by != claimed


def test_the_python_api_labels_the_chatbots_writes_too(live_manager: ConversationStateManager) -> None:
    sid = live_manager.initialize_session(AVA, model="m")
    assert live_manager.update_context_snapshot(
        AVA, sid, session_notes="a", author="dr-lee"
    ).notes_updated_by == ("chatbot:dr-lee")
    assert live_manager.update_context_snapshot(AVA, sid, session_notes="b").notes_updated_by == "chatbot"
    assert live_manager.update_context_snapshot(
        AVA, sid, session_notes="c", clinician="alice"
    ).notes_updated_by == ("alice")
    with pytest.raises(InvalidInput):
        live_manager.update_context_snapshot(AVA, sid, session_notes="d", clinician="chatbot:alice")
    with pytest.raises(InvalidInput):
        live_manager.update_context_snapshot(AVA, sid, session_notes="e", clinician="alice", author="bot")
    with pytest.raises(InvalidInput):
        live_manager.update_context_snapshot(AVA, sid, current_theme="f", guidance_version=3)


def test_a_signed_note_refuses_the_chatbots_note_write(
    api: ApiClient, live_manager: ConversationStateManager, alice: User
) -> None:
    sid = seed_session(live_manager, AVA, notes="")
    services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text="Signed summary")
    services.sign_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=1)
    version = live_manager.read_session(AVA, sid).context.version

    refused = api.patch(
        f"/sessions/{AVA}/{sid}/context", {"expected_version": version, "session_notes": "overwrite"}
    )

    assert refused.status_code == 409
    assert error_of(refused)["code"] == "note_signed"
    assert live_manager.read_session(AVA, sid).context.session_notes == "Signed summary"
    other = api.patch(
        f"/sessions/{AVA}/{sid}/context", {"expected_version": version, "client_state_summary": "ok"}
    )
    assert other.status_code == 200  # other context fields stay the chatbot's to write
