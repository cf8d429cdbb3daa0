"""Bad input gets a clear, typed error and writes nothing (both backends)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis

from sessions_app.errors import ContentTooLarge, InvalidInput
from sessions_app.state.manager import ConversationStateManager
from tests.sessions_app.helpers import dump_keys

Call = Callable[[ConversationStateManager, str], Any]

BAD_WRITES: list[tuple[str, Call, str]] = [
    ("user id with a colon", lambda m, s: m.append_message("ali:ce", s, role="user", content="x"), "user_id"),
    (
        "session id too long",
        lambda m, s: m.append_message("alice", "s" * 65, role="user", content="x"),
        "session_id",
    ),
    (
        "session id with a brace",
        lambda m, s: m.update_emotion("alice", "{x}", emotion="happy", intensity=0.1, confidence=0.1),
        "session_id",
    ),
    (
        "message id with a space",
        lambda m, s: m.append_message("alice", s, role="user", content="x", message_id="a b"),
        "message_id",
    ),
    ("unknown role", lambda m, s: m.append_message("alice", s, role="therapist", content="x"), "role"),
    ("empty content", lambda m, s: m.append_message("alice", s, role="user", content="   "), "content"),
    ("content not text", lambda m, s: m.append_message("alice", s, role="user", content=b"x"), "content"),  # type: ignore[arg-type]
    ("NUL in content", lambda m, s: m.append_message("alice", s, role="user", content="a\x00b"), "content"),
    ("lone surrogate", lambda m, s: m.append_message("alice", s, role="user", content="a\ud800b"), "content"),
    (
        "unknown emotion",
        lambda m, s: m.update_emotion("alice", s, emotion="ecstatic", intensity=0.5, confidence=0.5),
        "emotion",
    ),
    (
        "intensity above 1",
        lambda m, s: m.update_emotion("alice", s, emotion="happy", intensity=1.01, confidence=0.5),
        "intensity",
    ),
    (
        "negative confidence",
        lambda m, s: m.update_emotion("alice", s, emotion="happy", intensity=0.5, confidence=-0.1),
        "confidence",
    ),
    (
        "NaN intensity",
        lambda m, s: m.update_emotion("alice", s, emotion="happy", intensity=float("nan"), confidence=0.5),
        "intensity",
    ),
    (
        "infinite confidence",
        lambda m, s: m.update_emotion("alice", s, emotion="happy", intensity=0.5, confidence=float("inf")),
        "confidence",
    ),
    (
        "boolean intensity",
        lambda m, s: m.update_emotion("alice", s, emotion="happy", intensity=True, confidence=0.5),
        "intensity",
    ),
    (
        "string confidence",
        lambda m, s: m.update_emotion("alice", s, emotion="happy", intensity=0.5, confidence="0.5"),  # type: ignore[arg-type]
        "confidence",
    ),
    (
        "emotion without intensity",
        lambda m, s: m.append_message("alice", s, role="user", content="x", emotion="happy"),
        "intensity",
    ),
    (
        "intensity without emotion",
        lambda m, s: m.append_message("alice", s, role="user", content="x", intensity=0.3),
        "emotion",
    ),
    (
        "bad emotion with a message",
        lambda m, s: m.append_message(
            "alice", s, role="user", content="x", emotion="joy", intensity=0.3, confidence=0.3
        ),
        "emotion",
    ),
    ("empty milestone", lambda m, s: m.record_milestone("alice", s, description=""), "description"),
    (
        "milestone emotion unknown",
        lambda m, s: m.record_milestone("alice", s, description="d", emotion="meh"),
        "emotion",
    ),
    (
        "unknown category",
        lambda m, s: m.record_breakthrough("alice", s, description="d", category="magic", confidence=0.5),
        "category",
    ),
    (
        "evidence as a string",
        lambda m, s: m.record_breakthrough(
            "alice", s, description="d", category="self_compassion", confidence=0.5, evidence="m1"
        ),
        "evidence",
    ),
    (
        "evidence id invalid",
        lambda m, s: m.record_breakthrough(
            "alice", s, description="d", category="self_compassion", confidence=0.5, evidence=["a b"]
        ),
        "evidence",
    ),
    ("unknown context field", lambda m, s: m.update_context_snapshot("alice", s, diagnosis="x"), "diagnosis"),
    ("no context field", lambda m, s: m.update_context_snapshot("alice", s), "fields"),
    (
        "negative expected version",
        lambda m, s: m.update_context_snapshot("alice", s, expected_version=-1, session_notes="x"),
        "expected_version",
    ),
    (
        "NUL in notes",
        lambda m, s: m.update_context_snapshot("alice", s, session_notes="\x00"),
        "session_notes",
    ),
    (
        "multi-line author",
        lambda m, s: m.update_context_snapshot("alice", s, author="a\nb", session_notes="x"),
        "author",
    ),
    ("multi-line model", lambda m, s: m.resume_session("alice", s, model="a\nb"), "model"),
]


@pytest.mark.parametrize(("case", "call", "field"), BAD_WRITES, ids=[case for case, _, _ in BAD_WRITES])
def test_bad_input_is_refused_with_the_field_named_and_nothing_written(
    manager: ConversationStateManager, redis_backend: redis.Redis, case: str, call: Call, field: str
) -> None:
    session_id = manager.initialize_session("alice", model="haiku", session_id="s1")
    before = dump_keys(redis_backend, "alice", session_id)

    with pytest.raises(InvalidInput) as error:
        call(manager, session_id)

    assert error.value.field == field
    assert error.value.message
    assert dump_keys(redis_backend, "alice", session_id) == before


def test_oversized_content_is_refused_with_the_limit_in_the_message(
    redis_backend: redis.Redis,
) -> None:
    manager = ConversationStateManager(redis_backend, max_content_chars=1000, max_note_chars=2000)
    session_id = manager.initialize_session("alice", model="haiku")
    before = dump_keys(redis_backend, "alice", session_id)

    with pytest.raises(ContentTooLarge, match="1000"):
        manager.append_message("alice", session_id, role="user", content="x" * 1001)
    with pytest.raises(ContentTooLarge, match="2000"):
        manager.update_context_snapshot("alice", session_id, session_notes="y" * 2001)

    assert dump_keys(redis_backend, "alice", session_id) == before
    assert manager.append_message("alice", session_id, role="user", content="x" * 1000).seq == 1


@pytest.mark.parametrize("bad", ["", "a:b", "a b", "é", "x" * 65, "{u}"])
def test_initialize_refuses_bad_ids(
    manager: ConversationStateManager, redis_backend: redis.Redis, bad: str
) -> None:
    with pytest.raises(InvalidInput):
        manager.initialize_session(bad, model="haiku")
    with pytest.raises(InvalidInput):
        manager.initialize_session("alice", model="haiku", session_id=bad)
    assert redis_backend.dbsize() == 0


def test_the_manager_refuses_nonsense_configuration(fake_redis: redis.Redis) -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        ConversationStateManager(fake_redis, ttl_seconds=0)
    with pytest.raises(ValueError, match="window"):
        ConversationStateManager(fake_redis, window=0)
