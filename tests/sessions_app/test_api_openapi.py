"""The OpenAPI document tells a schema-driven client the truth: each operation lists the status codes it
can return and no other, and states the rules the code enforces (checked against the generated
document, and against the server by provoking each answer)."""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema
import pytest
import redis
from hypothesis import example, given
from hypothesis import strategies as st

import sessions_app.api.urls  # noqa: F401 - registers the operations on ``api``
from sessions_app.api.app import api
from sessions_app.api.fields import LABEL_REGEX, NOTES_REGEX, TEXT_REGEX
from sessions_app.errors import ContentTooLarge, InvalidInput
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from sessions_app.state.validation import check_label, check_text
from tests.sessions_app.api_support import AMIRA, ApiClient

pytestmark = pytest.mark.django_db

SUCCESS = {200, 201}
COMMON = {400, 401, 429, 503}
WRITE = COMMON | {403, 413, 507}
BODY = WRITE | {415}
# What each operation can answer, worked out from the code by hand (not from sessions_app/api/answers.py).
EXPECTED = {
    ("post", "/api/v1/sessions"): {201} | BODY | {404, 409, 422},  # 404: a client beyond the token's reach
    ("post", "/api/v1/sessions/{user_id}/{session_id}/messages"): {200, 201} | BODY | {404, 409, 422},
    ("put", "/api/v1/sessions/{user_id}/{session_id}/emotion"): {200} | BODY | {404, 409, 422},
    ("post", "/api/v1/sessions/{user_id}/{session_id}/milestones"): {201} | BODY | {404, 409, 422},
    ("post", "/api/v1/sessions/{user_id}/{session_id}/breakthroughs"): {201} | BODY | {404, 409, 422},
    ("patch", "/api/v1/sessions/{user_id}/{session_id}/context"): {200} | BODY | {404, 409, 422},
    ("get", "/api/v1/sessions/{user_id}/{session_id}"): {200} | COMMON | {403, 404, 422},
    ("post", "/api/v1/sessions/{user_id}/{session_id}/close"): {200} | WRITE | {404, 422},
    ("get", "/api/v1/users/{user_id}/sessions"): {200} | COMMON | {404},
    ("get", "/api/v1/citations"): {200} | COMMON | {404},
    ("get", "/api/v1/emotions"): {200} | COMMON,
    ("get", "/api/v1/users/{user_id}/risk-flags"): {200} | COMMON | {404},
    ("get", "/api/v1/risk-flags/{flag_id}"): {200} | COMMON | {404},
    ("get", "/api/v1/search/messages"): {200} | COMMON | {404},
    ("get", "/api/v1/search/sessions"): {200} | COMMON | {404},
    ("get", "/api/v1/users/{user_id}/review"): {200} | COMMON | {404},
}
S = "/sessions/amira/s1"
REQUESTS = {  # one well-formed request per operation, as (method, path under /api/v1, body)
    "createSession": ("post", "/sessions", {"user_id": AMIRA, "model": "claude", "session_id": "s2"}),
    "appendMessage": ("post", f"{S}/messages", {"role": "user", "content": "hello", "message_id": "m1"}),
    "updateEmotion": ("put", f"{S}/emotion", {"emotion": "anxious", "intensity": 0.5, "confidence": 0.5}),
    "recordMilestone": ("post", f"{S}/milestones", {"description": "named it"}),
    "recordBreakthrough": (
        "post",
        f"{S}/breakthroughs",
        {"description": "sees it", "category": "pattern_recognition", "confidence": 0.8},
    ),
    "updateContext": ("patch", f"{S}/context", {"expected_version": 0, "current_theme": "sleep"}),
    "getSession": ("get", S, None),
    "closeSession": ("post", f"{S}/close", None),
    "listSessions": ("get", "/users/amira/sessions", None),
    "searchCitations": ("get", "/citations?user_id=amira", None),
}


@functools.cache
def document() -> dict[str, Any]:
    """Generated once (a few hundred milliseconds each time); nothing here changes it."""
    return api.get_openapi_schema(path_prefix="/api/v1/")


def operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    found = {}
    for path, methods in document()["paths"].items():
        for method, operation in methods.items():
            found[operation["operationId"]] = (method, path, operation)
    return found


def documented(operation_id: str) -> set[int]:
    return {int(status) for status in operations()[operation_id][2]["responses"]}


def call(client: ApiClient, operation_id: str, **overrides: Any) -> Any:
    method, path, body = REQUESTS[operation_id]
    if method == "get":
        return client.get(path)
    return client.send(method.upper(), path, overrides.get("body", body), **overrides.get("send", {}))


def test_each_operation_lists_exactly_the_status_codes_it_can_return() -> None:
    listed = {(method, path): documented(op["operationId"]) for method, path, op in operations().values()}
    assert listed == EXPECTED


def test_every_error_status_is_described_by_its_error_codes() -> None:
    for method, path, operation in operations().values():
        for status, answer in operation["responses"].items():
            if int(status) >= 400:
                assert re.search(r"`[a-z_]+`", answer["description"]), (method, path, status)
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}


def test_the_documented_cross_field_rules_are_stated() -> None:
    doc = document()
    context = doc["components"]["schemas"]["ContextPatchIn"]
    until = next(p for p in operations()["searchCitations"][2]["parameters"] if p["name"] == "until")
    model = doc["components"]["schemas"]["SessionCreateIn"]["properties"]["model"]

    assert "not earlier than `since`" in until["description"]
    assert "must change something" in context["description"]
    assert model["pattern"] == LABEL_REGEX
    assert "one line" in model["description"]
    validator = jsonschema.Draft202012Validator({**context, "components": doc["components"]})
    assert not validator.is_valid({"expected_version": 0})
    assert not validator.is_valid({"expected_version": 0, "author": "dr-lee", "session_notes": None})
    assert validator.is_valid({"expected_version": 0, "session_notes": ""})


# ---------------------------------------------------------------------------- the server agrees


def _accepts(check: Any, value: str) -> bool:
    try:
        check(value)
    except (InvalidInput, ContentTooLarge):
        return False
    return True


def _matches(pattern: str, value: str) -> bool:
    # JSON Schema's "$" is the end of the text (Python's also matches before a final newline).
    return re.search(pattern.removesuffix("$") + r"\Z", value) is not None


TRICKY = st.text(alphabet=st.sampled_from(["a", " ", "\n", "\r", "\t", "\x00", "\x1c", "\x85", "\u3000"]))


@given(value=TRICKY | st.text(max_size=20))
@example(value="\ufeff")  # not space to Python: a valid (if odd) label
@example(value=" \u2028 ")
def test_the_text_patterns_accept_exactly_what_the_state_layer_accepts(value: str) -> None:
    label_ok = _accepts(lambda v: check_label(v, "model", max_chars=10**6), value)
    text_ok = _accepts(lambda v: check_text(v, "content", max_chars=10**6), value)
    assert _matches(LABEL_REGEX, value) == label_ok
    assert _matches(TEXT_REGEX, value) == text_ok
    notes_ok = _accepts(lambda v: check_text(v, "notes", max_chars=10**6, allow_empty=True), value)
    assert _matches(NOTES_REGEX, value) == notes_ok


def test_a_context_update_that_changes_nothing_is_refused_as_documented(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    for body in ({"expected_version": 0}, {"expected_version": 0, "author": "x", "current_theme": None}):
        response = chatbot.patch(f"{S}/context", body)
        assert response.status_code == 400
        assert response.json()["error"]["field"] == "fields"


def test_until_before_since_is_refused_as_documented(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    response = chatbot.get("/citations?user_id=amira&since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "until"


@pytest.mark.parametrize("operation_id", list(REQUESTS))
def test_provoked_answers_are_documented_and_undocumented_ones_do_not_come(
    operation_id: str,
    api_manager: ConversationStateManager,
    chatbot: ApiClient,
    reporting: ApiClient,
    stranger: ApiClient,
) -> None:
    listed = documented(operation_id)
    method = REQUESTS[operation_id][0]
    chatbot.create_session()

    assert call(stranger, operation_id).status_code == 401
    assert (call(reporting, operation_id).status_code == 403) == (method != "get")
    if method != "get":
        as_text = call(chatbot, operation_id, send={"raw": "x", "content_type": "text/plain"}).status_code
        assert as_text == (415 if 415 in listed else as_text)
        assert as_text in listed
    assert call(chatbot, operation_id).status_code in listed & SUCCESS


ONE_SESSION = [op for op, (_, path, _) in REQUESTS.items() if path.startswith(S)]


@pytest.mark.parametrize("operation_id", ONE_SESSION)
def test_a_missing_or_corrupt_session_gets_a_documented_answer(
    operation_id: str, api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    listed = documented(operation_id)
    assert call(chatbot, operation_id).status_code == 404
    assert 404 in listed

    chatbot.create_session()
    redis_client: redis.Redis = api_manager.redis
    redis_client.delete(SessionKeys.for_session(AMIRA, "s1").emotion)
    redis_client.set(SessionKeys.for_session(AMIRA, "s1").emotion, "not a hash")
    status = call(chatbot, operation_id).status_code
    assert status in listed
    assert status in {422, *SUCCESS}


def test_lists_and_searches_never_answer_404_or_422(
    api_manager: ConversationStateManager, chatbot: ApiClient
) -> None:
    assert call(chatbot, "listSessions").status_code == 200  # an unknown user has no sessions
    assert call(chatbot, "searchCitations").status_code == 200
