"""The HTTP API's endpoints and their errors, each run on fakeredis and on a real Redis.

The chatbot (write token) writes amira's sessions; see api_support for the personas.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from sessions_app.archive.archiver import Archiver
from sessions_app.domain import CitationType
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.sessions_app.api_support import AMIRA, API, BRUNO, ApiClient, error_of

pytestmark = pytest.mark.django_db

MESSAGES = "/sessions/amira/s1/messages"


def message(content: object = "I could not sleep again", **extra: Any) -> dict[str, Any]:
    return {"role": "user", "content": content, **extra}


# ---------------------------------------------------------------------------- sessions


def test_it_creates_a_session_with_201(api_manager: ConversationStateManager, chatbot: ApiClient) -> None:
    response = chatbot.post("/sessions", {"user_id": AMIRA, "model": "claude", "session_id": "s1"})

    assert response.status_code == 201
    body = response.json()
    assert body["user_id"] == AMIRA
    assert body["session_id"] == "s1"
    assert body["status"] == "active"
    assert body["last_model"] == "claude"
    assert body["message_count"] == 0
    assert api_manager.read_session(AMIRA, "s1").metadata.last_model == "claude"


def test_it_makes_a_session_id_when_none_is_given(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    response = chatbot.post("/sessions", {"user_id": AMIRA, "model": "claude"})

    assert response.status_code == 201
    session_id = response.json()["session_id"]
    assert len(session_id) == 36
    assert api_manager.read_session(AMIRA, session_id).metadata.session_id == session_id


def test_it_refuses_a_second_create_with_409(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()

    response = chatbot.post("/sessions", {"user_id": AMIRA, "model": "other", "session_id": "s1"})

    assert response.status_code == 409
    assert error_of(response) | {"message": ""} == {
        "code": "session_exists",
        "message": "",
        "field": "session_id",
    }
    assert api_manager.read_session(AMIRA, "s1").metadata.last_model == "claude"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": "claude"}, "user_id"),
        ({"user_id": "amira/../x", "model": "claude"}, "user_id"),
        ({"user_id": AMIRA}, "model"),
        ({"user_id": AMIRA, "model": ""}, "model"),
        ({"user_id": AMIRA, "model": "claude", "session_id": "x" * 65}, "session_id"),
        ({"user_id": AMIRA, "model": "claude", "owner": "bob"}, "owner"),
        ({"user_id": AMIRA, "model": "line\nbreak"}, "model"),
    ],
)
def test_it_refuses_an_invalid_create_with_400_naming_the_field(
    api_manager: ConversationStateManager, chatbot: ApiClient, body: dict[str, Any], field: str
) -> None:
    response = chatbot.post("/sessions", body)

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert error["field"] == field


# ---------------------------------------------------------------------------- messages


def test_it_appends_a_message_with_201_id_seq_and_citation(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()

    response = chatbot.post(MESSAGES, message(message_id="m-1"))

    assert response.status_code == 201
    body = response.json()
    assert body["message_id"] == "m-1"
    assert body["seq"] == 1
    assert body["citation_id"].startswith("if://citation/")
    assert body["created"] is True
    assert body["content"] == "I could not sleep again"
    second = chatbot.post(MESSAGES, message("and then?", role="assistant")).json()
    assert second["seq"] == 2
    assert second["role"] == "assistant"
    assert len(second["message_id"]) == 36


def test_the_same_message_id_again_answers_200_and_stores_once(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    first = chatbot.post(MESSAGES, message(message_id="m-1")).json()

    again = chatbot.post(MESSAGES, message("a different retry body", message_id="m-1"))

    assert again.status_code == 200
    body = again.json()
    assert body["created"] is False
    assert {k: body[k] for k in ("message_id", "seq", "citation_id", "content", "timestamp")} == {
        k: first[k] for k in ("message_id", "seq", "citation_id", "content", "timestamp")
    }
    keys = SessionKeys.for_session(AMIRA, "s1")
    assert api_manager.redis.llen(keys.messages) == 1
    assert api_manager.read_session(AMIRA, "s1").metadata.message_count == 1


def test_a_message_can_update_the_emotion_in_the_same_step(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    feeling = {"emotion": "anxious", "intensity": 0.7, "confidence": 1}

    response = chatbot.post(MESSAGES, message(message_id="m-1", emotion=feeling))

    assert response.status_code == 201
    assert response.json()["emotion"] == "anxious"
    emotion = api_manager.get_emotion_state(AMIRA, "s1")
    assert emotion.current_emotion == "anxious"
    assert emotion.emotion_intensity == 0.7


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (message(role="therapist"), "role"),
        ({"role": "user"}, "content"),
        (message(content=""), "content"),
        (message(content="   "), "content"),
        (message(content="nul\x00byte"), "content"),
        (message(content=42), "content"),
        (message(message_id="has space"), "message_id"),
        (message(emotion={"emotion": "anxious", "intensity": 0.5}), "emotion.confidence"),
        (message(emotion={"emotion": "anxious", "intensity": 1.5, "confidence": 1}), "emotion.intensity"),
        (message(emotion={"emotion": "anxious", "intensity": "0.5", "confidence": 1}), "emotion.intensity"),
        (message(emotion={"emotion": "elated", "intensity": 0.5, "confidence": 1}), "emotion.emotion"),
        (message(sender="bob"), "sender"),
    ],
)
def test_it_refuses_an_invalid_message_with_400_naming_the_field(
    api_manager: ConversationStateManager, chatbot: ApiClient, body: dict[str, Any], field: str
) -> None:
    chatbot.create_session()

    response = chatbot.post(MESSAGES, body)

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert error["field"] == field
    assert api_manager.read_session(AMIRA, "s1").metadata.message_count == 0


def test_it_refuses_a_message_over_the_length_limit_with_413(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()

    response = chatbot.post(MESSAGES, message("x" * (api_manager.max_content_chars + 1)))

    assert response.status_code == 413
    assert error_of(response)["code"] == "content_too_large"
    assert error_of(response)["field"] == "content"
    assert api_manager.read_session(AMIRA, "s1").metadata.message_count == 0


def test_it_answers_404_for_a_message_to_an_unknown_session(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    response = chatbot.post("/sessions/amira/nope/messages", message())

    assert response.status_code == 404
    assert error_of(response)["code"] == "session_not_found"


def test_it_answers_409_session_closed_for_a_message_to_a_closed_session(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    chatbot.post("/sessions/amira/s1/close")

    response = chatbot.post(MESSAGES, message())

    assert response.status_code == 409
    assert error_of(response)["code"] == "session_closed"


def test_it_answers_422_corrupt_record_when_a_session_key_has_the_wrong_type(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    keys = SessionKeys.for_session(AMIRA, "s1")
    api_manager.redis.delete(keys.messages)
    api_manager.redis.set(keys.messages, "not a list")

    response = chatbot.post(MESSAGES, message())

    assert response.status_code == 422
    assert error_of(response)["code"] == "corrupt_record"


def test_an_unreadable_message_is_a_gap_in_the_resumed_session(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    chatbot.post(MESSAGES, message(message_id="m-1"))
    api_manager.redis.rpush(SessionKeys.for_session(AMIRA, "s1").messages, b"\xff\xfe{bad")

    response = chatbot.get("/sessions/amira/s1")

    assert response.status_code == 200
    body = response.json()
    assert body["unreadable_entries"] == 1
    assert body["messages"][0]["message_id"] == "m-1"
    assert body["messages"][1] == {
        "unreadable": True,
        "kind": "message",
        "position": 1,
        "reason": "not valid UTF-8",
    }


# ------------------------------------------------------------ emotion, milestones, breakthroughs


def test_it_updates_the_emotion(api_manager: ConversationStateManager, chatbot: ApiClient) -> None:
    chatbot.create_session()

    response = chatbot.put(
        "/sessions/amira/s1/emotion", {"emotion": "exploring", "intensity": 0.4, "confidence": 0.9}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["current_emotion"] == "exploring"
    assert body["intensity"] == 0.4
    assert body["emotion_tracking_id"].startswith("if://citation/")
    assert api_manager.get_emotion_state(AMIRA, "s1").current_emotion == "exploring"


def test_it_refuses_an_emotion_out_of_range(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()

    response = chatbot.put(
        "/sessions/amira/s1/emotion", {"emotion": "happy", "intensity": -0.1, "confidence": 1}
    )

    assert response.status_code == 400
    assert error_of(response)["field"] == "intensity"


def test_it_records_a_milestone_with_201(api_manager: ConversationStateManager, chatbot: ApiClient) -> None:
    chatbot.create_session()

    response = chatbot.post(
        "/sessions/amira/s1/milestones", {"description": "named the fear", "emotion": "exploring"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["description"] == "named the fear"
    assert body["emotion"] == "exploring"
    assert body["citation_id"].startswith("if://citation/")
    assert api_manager.read_session(AMIRA, "s1").metadata.milestone_count == 1


def test_it_records_a_breakthrough_with_201(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    chatbot.post(MESSAGES, message(message_id="m-1"))

    response = chatbot.post(
        "/sessions/amira/s1/breakthroughs",
        {
            "description": "saw the pattern",
            "category": "pattern_recognition",
            "confidence": 0.8,
            "evidence": ["m-1"],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["category"] == "pattern_recognition"
    assert body["evidence"] == ["m-1"]
    assert api_manager.read_session(AMIRA, "s1").metadata.breakthrough_count == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "x", "category": "epiphany", "confidence": 0.5}, "category"),
        ({"description": "x", "category": "cognitive_reframe", "confidence": 2}, "confidence"),
        (
            {"description": "x", "category": "cognitive_reframe", "confidence": 0.5, "evidence": "m-1"},
            "evidence",
        ),
        (
            {"description": "x", "category": "cognitive_reframe", "confidence": 0.5, "evidence": ["a b"]},
            "evidence",
        ),
    ],
)
def test_it_refuses_an_invalid_breakthrough(
    api_manager: ConversationStateManager, chatbot: ApiClient, body: dict[str, Any], field: str
) -> None:
    chatbot.create_session()

    response = chatbot.post("/sessions/amira/s1/breakthroughs", body)

    assert response.status_code == 400
    assert error_of(response)["field"] == field


# ---------------------------------------------------------------------------- context snapshot


def test_it_patches_the_context_and_moves_the_version_on(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()

    response = chatbot.patch("/sessions/amira/s1/context", {"expected_version": 0, "current_theme": "sleep"})

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    assert body["current_theme"] == "sleep"
    assert body["notes_updated_by"] == "chatbot:chatbot"  # the chatbot's, named by its token
    second = chatbot.patch(
        "/sessions/amira/s1/context", {"expected_version": 1, "therapeutic_focus": "rest", "author": "bot v2"}
    ).json()
    assert second["version"] == 2
    assert second["current_theme"] == "sleep"
    assert second["notes_updated_by"] == "chatbot:chatbot/bot v2"  # never a name it claims


def test_a_stale_version_is_409_with_the_current_snapshot_and_writes_nothing(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    chatbot.patch("/sessions/amira/s1/context", {"expected_version": 0, "current_theme": "sleep"})

    response = chatbot.patch("/sessions/amira/s1/context", {"expected_version": 0, "current_theme": "work"})

    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "version_conflict"
    assert error["current"]["version"] == 1
    assert error["current"]["current_theme"] == "sleep"
    assert api_manager.read_session(AMIRA, "s1").context.current_theme == "sleep"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"current_theme": "sleep"}, "expected_version"),
        ({"expected_version": -1, "current_theme": "sleep"}, "expected_version"),
        ({"expected_version": "0", "current_theme": "sleep"}, "expected_version"),
        ({"expected_version": 0}, "fields"),
        ({"expected_version": 0, "mood": "x"}, "mood"),
        ({"expected_version": 0, "session_notes": "nul\x00"}, "session_notes"),
    ],
)
def test_it_refuses_an_invalid_context_patch(
    api_manager: ConversationStateManager, chatbot: ApiClient, body: dict[str, Any], field: str
) -> None:
    chatbot.create_session()

    response = chatbot.patch("/sessions/amira/s1/context", body)

    assert response.status_code == 400
    assert error_of(response)["field"] == field


# ---------------------------------------------------------------------------- resume, close, lists


def test_get_resumes_the_session_and_records_a_model_switch(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session(model="claude")
    chatbot.post(MESSAGES, message(message_id="m-1"))

    response = chatbot.get("/sessions/amira/s1", {"model": "gpt-5"})

    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "live"
    assert body["read_only"] is False
    assert body["resumed"] is True
    assert body["session"]["last_model"] == "gpt-5"
    assert body["session"]["last_resumed"] is not None
    assert [m["message_id"] for m in body["messages"]] == ["m-1"]
    resumed = api_manager.get_pending_citations(AMIRA, "s1", citation_type="session_resumed")
    assert len(resumed) == 1
    assert "model switched from claude to gpt-5" in resumed[0].event


def test_a_read_token_reads_without_resuming(
    api_manager: ConversationStateManager, chatbot: ApiClient, reporting: ApiClient
) -> None:
    chatbot.create_session()

    response = reporting.get("/sessions/amira/s1")

    assert response.status_code == 200
    assert response.json()["resumed"] is False
    assert response.json()["session"]["last_resumed"] is None
    assert api_manager.get_pending_citations(AMIRA, "s1", citation_type="session_resumed") == []
    switch = reporting.get("/sessions/amira/s1", {"model": "gpt-5"})
    assert switch.status_code == 403
    assert error_of(switch)["code"] == "insufficient_scope"


def test_get_of_an_unknown_session_is_404(api_manager: ConversationStateManager, chatbot: ApiClient) -> None:
    response = chatbot.get("/sessions/amira/never")

    assert response.status_code == 404
    assert error_of(response)["code"] == "session_not_found"


def archive_and_forget(manager: ConversationStateManager, user_id: str, session_id: str) -> None:
    """Close the session, let the archiver store it, then let Redis forget it (as after expiry)."""
    manager.close_session(user_id, session_id)
    result = Archiver(manager.redis, index=False, delete_closed_after_seconds=0).archive_session(
        user_id=user_id, session_id=session_id
    )
    assert result.outcome in ("snapshot", "deleted"), result
    manager.redis.delete(*SessionKeys.for_session(user_id, session_id).session_keys())


def test_get_of_a_session_redis_forgot_comes_read_only_from_the_archive(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    chatbot.post(MESSAGES, message(message_id="m-1"))
    archive_and_forget(api_manager, AMIRA, "s1")

    response = chatbot.get("/sessions/amira/s1", {"model": "gpt-5"})

    assert response.status_code == 200
    body = response.json()
    assert (body["source"], body["read_only"], body["resumed"], body["live_unavailable"]) == (
        "archive",
        True,
        False,
        False,
    )
    assert [m["message_id"] for m in body["messages"]] == ["m-1"]
    assert body["session"]["last_model"] == "claude"
    assert chatbot.post(MESSAGES, message()).status_code == 404


def test_it_closes_a_session_and_closing_again_changes_nothing(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()

    first = chatbot.post("/sessions/amira/s1/close")
    second = chatbot.post("/sessions/amira/s1/close")

    assert first.status_code == 200
    assert first.json() == {"user_id": AMIRA, "session_id": "s1", "status": "closed", "changed": True}
    assert second.json()["changed"] is False
    assert api_manager.read_session(AMIRA, "s1").metadata.status == "closed"
    assert chatbot.post("/sessions/amira/gone/close").status_code == 404


def test_it_lists_a_users_live_sessions_newest_first(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session(session_id="older")
    chatbot.create_session(session_id="newer")
    chatbot.create_session(user_id=BRUNO, session_id="his")

    response = chatbot.get("/users/amira/sessions")

    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == AMIRA
    assert [s["session_id"] for s in body["sessions"]] == ["newer", "older"]
    assert chatbot.get("/users/nobody/sessions").json()["sessions"] == []


# ---------------------------------------------------------------------------- citations


def test_it_finds_citations_by_session_type_and_time(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    chatbot.create_session(session_id="s2")
    chatbot.post(MESSAGES, message(message_id="m-1"))
    chatbot.post("/sessions/amira/s2/messages", message(message_id="m-2"))

    everything = chatbot.get("/citations", {"user_id": AMIRA}).json()
    one_session = chatbot.get("/citations", {"user_id": AMIRA, "session_id": "s1"}).json()
    appended = chatbot.get("/citations", {"user_id": AMIRA, "type": "message_appended"}).json()
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    none_yet = chatbot.get("/citations", {"user_id": AMIRA, "since": future}).json()
    until_then = chatbot.get("/citations", {"user_id": AMIRA, "until": future.replace("+00:00", "Z")}).json()

    assert everything["count"] == 4
    assert everything["truncated"] is False
    stamps = [c["timestamp"] for c in everything["citations"]]
    assert stamps == sorted(stamps)
    assert {c["session_id"] for c in one_session["citations"]} == {"s1"}
    assert {c["type"] for c in appended["citations"]} == {"message_appended"}
    assert sorted(c["evidence"][0] for c in appended["citations"]) == ["m-1", "m-2"]
    assert none_yet["count"] == 0
    assert until_then["count"] == 4


def test_it_says_when_citations_were_cut_at_the_limit(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    for number in range(3):
        chatbot.post(MESSAGES, message(message_id=f"m-{number}"))

    body = chatbot.get("/citations", {"user_id": AMIRA, "limit": 2}).json()

    assert body["count"] == 2
    assert body["truncated"] is True
    assert body["citations"][0]["type"] == CitationType.SESSION_INITIALIZED


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "user_id"),
        ({"session_id": "s1"}, "user_id"),
        ({"user_id": AMIRA, "since": "2026-01-01T00:00:00"}, "since"),
        ({"user_id": AMIRA, "since": "1700000000"}, "since"),
        ({"user_id": AMIRA, "until": "yesterday"}, "until"),
        ({"user_id": AMIRA, "type": "gossip"}, "type"),
        ({"user_id": AMIRA, "limit": 0}, "limit"),
        ({"user_id": AMIRA, "since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
    ],
)
def test_it_refuses_invalid_citation_filters(
    api_manager: ConversationStateManager, chatbot: ApiClient, params: dict[str, Any], field: str
) -> None:
    response = chatbot.get("/citations", params)

    assert response.status_code == 400
    assert error_of(response).get("field") == field


def test_citations_of_an_unknown_session_are_an_empty_list(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    response = chatbot.get("/citations", {"user_id": AMIRA, "session_id": "never"})

    assert response.status_code == 200
    assert response.json() == {"citations": [], "count": 0, "truncated": False}


def test_citations_are_found_after_the_archiver_took_them_from_redis(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    chatbot.post(MESSAGES, message(message_id="m-1"))
    before = chatbot.get("/citations", {"user_id": AMIRA, "session_id": "s1"}).json()
    archive_and_forget(api_manager, AMIRA, "s1")

    after = chatbot.get("/citations", {"user_id": AMIRA, "session_id": "s1"}).json()
    appended = chatbot.get("/citations", {"user_id": AMIRA, "type": "message_appended"}).json()

    assert before["count"] == 2
    assert [c["citation_id"] for c in after["citations"]][:2] == [
        c["citation_id"] for c in before["citations"]
    ]
    assert after["citations"][-1]["type"] == "session_closed"
    assert [c["evidence"] for c in appended["citations"]] == [["m-1"]]


# ---------------------------------------------------------------------------- bodies, routes, headers


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "malformed_json"),
        ('{"role": "user", "content": NaN}', "application/json", 400, "malformed_json"),
        (b'{"role": "user", "content": "\xff"}', "application/json", 400, "malformed_json"),
        ("[1, 2]", "application/json", 400, "invalid_input"),
        ('"text"', "application/json", 400, "invalid_input"),
        ("role=user&content=hi", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ('{"role": "user", "content": "hi"}', "text/plain", 415, "unsupported_media_type"),
        (
            '{"role": "user", "content": "hi"}',
            "application/json; charset=latin-1",
            415,
            "unsupported_media_type",
        ),
    ],
)
def test_it_refuses_bodies_that_are_not_json_objects(
    api_manager: ConversationStateManager,
    chatbot: ApiClient,
    raw: str | bytes,
    content_type: str,
    status: int,
    code: str,
) -> None:
    chatbot.create_session()

    response = chatbot.post(MESSAGES, raw=raw, content_type=content_type)

    assert response.status_code == status
    assert error_of(response)["code"] == code


def test_json_with_a_vendor_media_type_and_charset_is_accepted(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()

    response = chatbot.post(MESSAGES, message(), content_type="application/vnd.ifemotion+json; charset=UTF-8")

    assert response.status_code == 201


def test_a_body_over_the_limit_is_413_before_it_is_read(
    api_manager: ConversationStateManager, chatbot: ApiClient, settings: Any
) -> None:
    chatbot.create_session()
    settings.API_MAX_BODY_BYTES = 2048

    response = chatbot.post(MESSAGES, message("x" * 3000))

    assert response.status_code == 413
    assert error_of(response)["code"] == "body_too_large"
    assert api_manager.read_session(AMIRA, "s1").metadata.message_count == 0


def test_a_body_bigger_than_django_accepts_is_413_too(
    api_manager: ConversationStateManager, chatbot: ApiClient, settings: Any
) -> None:
    chatbot.create_session()
    settings.API_MAX_BODY_BYTES = 10_000_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = chatbot.post(MESSAGES, message("x" * 3000))

    assert response.status_code == 413


def test_unknown_routes_and_methods_answer_json(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    unknown = chatbot.get("/sessions")
    wrong_method = chatbot.get(MESSAGES)
    trailing_slash = chatbot.get("/users/amira/sessions/")

    assert unknown.status_code == 405
    assert error_of(unknown)["code"] == "method_not_allowed"
    assert wrong_method.status_code == 405
    assert wrong_method["Allow"] == "POST"
    assert trailing_slash.status_code == 404
    assert error_of(trailing_slash)["code"] == "not_found"


def test_every_answer_is_marked_no_store(api_manager: ConversationStateManager, chatbot: ApiClient) -> None:
    chatbot.create_session()

    for response in (
        chatbot.get("/sessions/amira/s1"),
        chatbot.get("/sessions/amira/nope"),
        chatbot.get("/x"),
    ):
        assert response["Cache-Control"] == "no-store"


def test_bearer_requests_need_no_csrf_token(
    api_manager: ConversationStateManager, chatbot_token: str
) -> None:
    strict = ApiClient(Client(enforce_csrf_checks=True), chatbot_token)

    response = strict.post("/sessions", {"user_id": AMIRA, "model": "claude"})

    assert response.status_code == 201


def test_an_unexpected_error_is_a_json_500_that_logs_no_content(
    api_manager: ConversationStateManager,
    chatbot: ApiClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    chatbot.create_session()
    canary = "CANARY-my-secret-diary"

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"could not handle {kwargs.get('content')}")

    monkeypatch.setattr(api_manager, "append_message_result", explode)
    caplog.set_level(logging.INFO)

    response = chatbot.post(MESSAGES, message(canary))

    assert response.status_code == 500
    assert error_of(response)["code"] == "internal_error"
    assert canary not in response.content.decode()
    assert canary not in caplog.text
    assert "ValueError" in caplog.text


def test_the_openapi_document_and_docs_page_are_served(client: Client) -> None:
    schema = client.get(f"{API}/openapi.json", secure=True)
    docs = client.get(f"{API}/docs", secure=True)
    root = client.get(f"{API}/", secure=True)

    assert schema.status_code == 200
    document = json.loads(schema.content)
    assert document["openapi"].startswith("3.")
    assert "/api/v1/sessions/{user_id}/{session_id}/messages" in document["paths"]
    assert document["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn." not in docs.content
    assert root.json()["openapi"] == "openapi.json"
