"""Hashes read from Redis as text (``codec.hash_to_dict``): every shape a reply can take, and a field
that is not UTF-8, which must not cost the rest of the hash."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from sessions_app.state import codec
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({b"status": b"active", b"message_count": b"3"}, {"status": "active", "message_count": "3"}),
        ({b"theme": "caf\u00e9".encode()}, {"theme": "caf\u00e9"}),
        (
            {b"notes": b"ok \xff\xfe end", b"status": b"active"},
            {"notes": "ok \ufffd\ufffd end", "status": "active"},
        ),
        ({b"\xffkey": b"v"}, {"\ufffdkey": "v"}),
        ({"status": "active", b"count": 3}, {"status": "active", "count": "3"}),
        ([b"status", b"active", b"notes", b"\xff"], {"status": "active", "notes": "\ufffd"}),
        ({}, {}),
        ([], {}),
        (None, {}),
    ],
    ids=["bytes", "utf8", "bad-value", "bad-key", "mixed-types", "flat-list", "empty", "empty-list", "none"],
)
def test_every_reply_shape_reads_as_text(raw: Any, expected: dict[str, str]) -> None:
    assert codec.hash_to_dict(raw) == expected


def test_a_flat_list_with_a_field_missing_its_value_is_refused() -> None:
    with pytest.raises(ValueError, match="shorter"):
        codec.hash_to_dict([b"status", b"active", b"notes"])


@pytest.mark.real_redis
def test_a_resume_reads_a_note_that_is_not_utf8_with_replacements(real_redis: redis.Redis) -> None:
    manager = ConversationStateManager(real_redis)
    session_id = manager.initialize_session("alice", model="haiku")
    manager.update_context_snapshot("alice", session_id, expected_version=0, current_theme="sleep")
    real_redis.hset(SessionKeys.for_session("alice", session_id).context_snapshot, "session_notes", b"a\xffb")

    state = manager.resume_session("alice", session_id)

    assert state.context.session_notes == "a\ufffdb"
    assert state.context.current_theme == "sleep"
