"""Schema-driven fuzzing of the HTTP API with schemathesis: no 500 for any input, and every answer
matches the OpenAPI document (status code, content type, body schema).

Each operation gets a bounded number of generated requests, valid (positive) and invalid (negative),
sent in-process to Django's WSGI application with the chatbot's write token. Half of the requests to
per-session operations target a seeded session, so the fuzzer reaches the success paths, not only 404s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import redis
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import strategies as st
from pytest_django.fixtures import Settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

import sessions_app.api.urls  # noqa: F401 - registers the operations and error handlers on ``api``
from ifemotion.accounts.models import Role
from sessions_app.api.app import api
from sessions_app.state.manager import ConversationStateManager
from tests.sessions_app.api_support import AMIRA
from tests.sessions_app.archive_support import use_embedded_chroma
from tests.support import make_user, use_state_manager

MAX_EXAMPLES = 30
OPERATION_IDS = [
    "createSession",
    "appendMessage",
    "updateEmotion",
    "recordMilestone",
    "recordBreakthrough",
    "updateContext",
    "getSession",
    "closeSession",
    "listSessions",
    "searchCitations",
    "listRiskFlags",
    "getRiskFlag",
    "searchMessages",
    "searchSessions",
    "listEmotions",
    "getReviewState",
]
SEEDED = {"user_id": AMIRA, "session_id": "fuzz-s1"}


@dataclass
class Fuzz:
    schema: Any
    token: str

    def operation(self, operation_id: str) -> Any:
        for result in self.schema.get_all_operations():
            operation = result.ok()
            if operation.definition.raw.get("operationId") == operation_id:
                return operation
        raise LookupError(operation_id)


@pytest.fixture
def fuzz(
    fake_redis: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    locmem_cache: None,
    chatbot_token: str,
    tmp_path: Path,
) -> Iterator[Fuzz]:
    settings.ALLOWED_HOSTS = ["localhost"]
    use_embedded_chroma(settings, tmp_path / "chroma")  # the search operations: a private index
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    manager = ConversationStateManager(fake_redis)
    use_state_manager(monkeypatch, manager)
    manager.initialize_session(AMIRA, model="claude", session_id=SEEDED["session_id"])
    manager.append_message(AMIRA, SEEDED["session_id"], role="user", content="seed", message_id="seed-1")
    make_user("fuzz-reviewer", Role.THERAPIST, AMIRA)  # so the client has a review state to read
    # The WSGI handler closes "old" database connections around each request; inside the test's
    # transaction that would poison it. Django's own test client disconnects these handlers too.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json", WSGIHandler(), base_url="https://localhost"
        )
        yield Fuzz(schema=schema, token=chatbot_token)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_is_fuzzed() -> None:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    found = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert found == set(OPERATION_IDS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_fuzzed_requests_get_documented_answers_and_never_a_500(
    fuzz: Fuzz, operation_id: str, mode: GenerationMode
) -> None:
    operation = fuzz.operation(operation_id)
    raw = operation.definition.raw
    if mode is GenerationMode.NEGATIVE and not raw.get("parameters") and "requestBody" not in raw:
        pytest.skip(f"{operation_id} takes no input: there is nothing to make invalid")
    headers = {"Authorization": f"Bearer {fuzz.token}"}
    strategy = operation.as_strategy(generation_mode=mode, headers=headers)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    if mode is GenerationMode.NEGATIVE:
        checks.append(negative_data_rejection)
    # Requests to operations on a client or session go half to the seeded one (success paths too).
    seedable = {name: value for name, value in SEEDED.items() if f"{{{name}}}" in operation.path}

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @hypothesis.given(case=strategy, seeded=st.booleans())
    def run(case: Any, seeded: bool) -> None:
        positive = mode is GenerationMode.POSITIVE
        if positive and operation_id == "searchCitations":
            # The one rule the document can only state in words (query parameters cannot be compared).
            query = case.query or {}
            if query.get("since") and query.get("until"):
                hypothesis.assume(_instant(query["until"]) >= _instant(query["since"]))
        if seeded and seedable and positive:
            case.path_parameters = {**(case.path_parameters or {}), **seedable}
        response = case.call(base_url="https://localhost")
        case.validate_response(response, checks=checks)
        if positive:
            # A request the document calls valid is never refused as invalid: every rule the code
            # enforces is in the document (404, 409 and a server-set length limit's 413 may still come).
            assert response.status_code not in (400, 415, 422), (case.body, case.query, response.text)

    run()


def _instant(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))
