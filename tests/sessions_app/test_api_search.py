"""The API's search endpoints: read tokens search one client's live and archived messages and
sessions by meaning; clear errors; the index down is a 503; one audit row per request, no query text."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import LazySettings

from ifemotion.accounts.models import AuditEvent
from sessions_app.archive.search import worker
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import free_port
from tests.sessions_app.api_support import AMIRA, BRUNO, ApiClient
from tests.sessions_app.archive_support import use_embedded_chroma

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _index(settings: LazySettings, tmp_path: Path, api_manager: ConversationStateManager) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")
    settings.CHROMA_EMBEDDING = "wordllama"
    for user_id, texts in (
        (AMIRA, ["Hello.", "Since my father passed away I keep setting a plate for him at dinner."]),
        (BRUNO, ["The funeral was on Tuesday and I still can't cry."]),
    ):
        session_id = api_manager.initialize_session(user_id, model="m", session_id=f"{user_id}-s1")
        for n, text in enumerate(texts, start=1):
            api_manager.append_message(user_id, session_id, role="user", content=text, message_id=f"m{n}")
    worker.run_pass(api_manager.redis)


def test_a_read_token_searches_one_clients_messages(reporting: ApiClient) -> None:
    response = reporting.get("/search/messages", {"user_id": AMIRA, "q": "grief after losing a parent"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    best = body["hits"][0]
    assert (best["user_id"], best["session_id"], best["seq"], best["source"]) == (
        AMIRA,
        "amira-s1",
        2,
        "live",
    )
    assert best["snippet"].startswith("Since my father passed away")
    assert {h["user_id"] for h in body["hits"]} == {AMIRA}


def test_session_search_returns_sessions_with_their_best_messages(reporting: ApiClient) -> None:
    response = reporting.get("/search/sessions", {"user_id": BRUNO, "q": "bereavement", "role": "user"})

    assert response.status_code == 200
    sessions = response.json()["sessions"]
    assert [(s["user_id"], s["session_id"], s["matches"]) for s in sessions] == [(BRUNO, "bruno-s1", 1)]
    assert sessions[0]["snippets"][0]["snippet"].startswith("The funeral")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "grief"}, "user_id"),
        ({"user_id": AMIRA}, "q"),
        ({"user_id": AMIRA, "q": ""}, "q"),
        ({"user_id": AMIRA, "q": "x" * 501}, "q"),
        ({"user_id": AMIRA, "q": "?!?!"}, "q"),  # the schema states the rule (not only punctuation)
        ({"user_id": "no such id!", "q": "grief"}, "user_id"),
        ({"user_id": AMIRA, "q": "grief", "since": "2026-01-01"}, "since"),
        ({"user_id": AMIRA, "q": "grief", "role": "therapist"}, "role"),
        ({"user_id": AMIRA, "q": "grief", "limit": 0}, "limit"),
    ],
)
def test_bad_requests_get_a_400_naming_the_field(reporting: ApiClient, params: dict[str, object],
                                                 field: str) -> None:  # fmt: skip
    response = reporting.get("/search/messages", params)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert field in (error.get("field") or "") + error["message"]


def test_non_latin_queries_are_searched(reporting: ApiClient) -> None:
    response = reporting.get("/search/sessions", {"user_id": AMIRA, "q": "父が亡くなった"})
    assert response.status_code == 200


def test_no_token_is_401(stranger: ApiClient) -> None:
    assert stranger.get("/search/messages", {"user_id": AMIRA, "q": "grief"}).status_code == 401


def test_the_index_down_is_a_503_with_retry_after(reporting: ApiClient, settings: LazySettings) -> None:
    settings.CHROMA_URL = f"http://127.0.0.1:{free_port()}"
    response = reporting.get("/search/sessions", {"user_id": AMIRA, "q": "grief"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "search_unavailable"
    assert response["Retry-After"]


def test_each_search_is_audited_with_its_client_and_without_the_query(reporting: ApiClient) -> None:
    reporting.get("/search/messages", {"user_id": AMIRA, "q": "my father passed away"})

    row = AuditEvent.objects.filter(action="api_request").order_by("-id").first()
    assert row is not None
    assert (row.actor, row.client_id, row.outcome) == ("token:reporting", AMIRA, "ok")
    assert row.detail["endpoint"] == "search_messages"
    assert "father" not in str(row.detail)
