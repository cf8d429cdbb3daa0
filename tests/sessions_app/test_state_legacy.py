"""Sessions written before the compact encoding (JSON members) stay readable, writable and archivable.

``write_old_session`` lays a session out exactly as the JSON-era scripts did (members as JSON objects
with full field names, citations carrying their user and session ids).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import redis

import sessions_app.state.ids as ids
import sessions_app.state.members as members
from sessions_app.archive.decode import decode
from sessions_app.domain import (
    Breakthrough,
    Citation,
    Emotion,
    EmotionTransition,
    Message,
    Milestone,
    Role,
    UnreadableEntry,
)
from sessions_app.state.keys import SessionKeys
from sessions_app.state.live import LiveStore
from sessions_app.state.manager import ConversationStateManager

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _citation(n: int, ctype: str, event: str, evidence: list[str], **extra: object) -> str:
    return _dumps(
        {
            "citation_id": f"if://citation/00000000-0000-4000-8000-{n:012d}",
            "type": ctype,
            "timestamp": (T0 + timedelta(minutes=n)).isoformat(),
            "user_id": "alice",
            "session_id": "old",
            "event": event,
            "evidence": evidence,
            **extra,
            "status": "verified",
        }
    )


def write_old_session(client: redis.Redis, *, window: int, messages: int) -> SessionKeys:
    keys = SessionKeys.for_session("alice", "old")
    at = T0.isoformat()
    client.hset(
        keys.metadata,
        mapping={
            "conversation_id": "c-1", "started_at": at, "last_updated": at, "last_model": "haiku",
            "status": "active", "message_count": messages, "milestone_count": 1, "breakthrough_count": 1,
        },
    )  # fmt: skip
    client.hset(
        keys.emotion,
        mapping={
            "current_emotion": "anxious", "emotion_intensity": "0.7", "emotion_confidence": "0.8",
            "last_emotion_change": at, "emotion_tracking_id": "if://citation/00000000-0000-4000-8000-000000000900",
        },
    )  # fmt: skip
    client.hset(keys.context_snapshot, mapping={"session_notes": "old notes", "version": 1})
    for seq in range(1, messages + 1):
        member = _dumps(
            {
                "seq": seq, "id": f"m{seq}", "role": "user", "content": f"old message {seq}",
                "timestamp": (T0 + timedelta(minutes=seq)).isoformat(),
                "citation_id": f"if://citation/00000000-0000-4000-8000-{seq:012d}",
            }
        )  # fmt: skip
        client.rpush(keys.overflow if seq <= messages - window else keys.messages, member)
        client.hset(keys.message_ids, f"m{seq}", seq)
        client.rpush(keys.citations, _citation(seq, "message_appended", "user message appended", [f"m{seq}"]))
    client.rpush(
        keys.emotion_log,
        _dumps(
            {
                "from": "neutral", "to": "anxious", "intensity": 0.7, "confidence": 0.8, "at": at,
                "citation_id": "if://citation/00000000-0000-4000-8000-000000000900", "message_id": "m1",
            }
        ),
    )  # fmt: skip
    client.zadd(
        keys.milestones,
        {
            _dumps(
                {
                    "message_count": 1, "emotion": "anxious", "id": "ms-1", "description": "named it",
                    "at": at, "citation_id": "if://citation/00000000-0000-4000-8000-000000000901",
                }
            ): T0.timestamp()
        },
    )  # fmt: skip
    client.zadd(
        keys.breakthroughs,
        {
            _dumps(
                {
                    "id": "b-1", "description": "saw the pattern", "category": "pattern_recognition",
                    "confidence": 0.9, "evidence": ["m1"], "at": at,
                    "citation_id": "if://citation/00000000-0000-4000-8000-000000000902",
                }
            ): T0.timestamp()
        },
    )  # fmt: skip
    client.rpush(keys.citations, _citation(903, "context_snapshot_updated", "context updated", [], version=1))
    client.sadd(keys.user_index, "old")
    for key in keys.all():
        client.expire(key, 3600)
    return keys


def test_an_old_session_reads_resumes_and_takes_new_writes(redis_backend: redis.Redis) -> None:
    write_old_session(redis_backend, window=3, messages=5)
    manager = ConversationStateManager(redis_backend, window=3)

    state = manager.resume_session("alice", "old")

    assert [m.content for m in state.messages if isinstance(m, Message)] == [
        f"old message {n}" for n in (3, 4, 5)
    ]
    assert isinstance(state.emotion_log[0], EmotionTransition)
    assert isinstance(state.milestones[0], Milestone)
    assert isinstance(state.breakthroughs[0], Breakthrough)
    assert state.unreadable_count == 0

    new = manager.append_message("alice", "old", role="assistant", content="new style")
    again = manager.append_message("alice", "old", role="user", content="x", message_id="m2")  # stored before

    assert new.seq == 6
    assert (again.seq, again.content) == (2, "old message 2")  # found in overflow, in the old form
    mixed = manager.read_session("alice", "old", with_citations=True)
    assert [m.seq for m in mixed.messages if isinstance(m, Message)] == [4, 5, 6]
    citations = [c for c in mixed.pending_citations if isinstance(c, Citation)]
    assert len(citations) == 5 + 1 + 1 + 1  # old messages, old note save, the resume, the new message
    assert {c.user_id for c in citations} == {"alice"}
    assert mixed.unreadable_count == 0


def test_the_archiver_decodes_old_and_new_members_alike(redis_backend: redis.Redis) -> None:
    write_old_session(redis_backend, window=3, messages=5)
    manager = ConversationStateManager(redis_backend, window=3)
    manager.append_message("alice", "old", role="user", content="new one")  # old m3 moves to overflow
    manager.update_context_snapshot("alice", "old", session_notes="new notes")

    decoded = decode(LiveStore(redis_backend).read("alice", "old", batch=100, full=True))

    assert decoded.quarantine == []
    assert [m.seq for m in decoded.messages] == [1, 2, 3, 4, 5, 6]
    versions = [version for _, version in decoded.citations if version is not None]
    assert versions == [1, 2]  # the old note save's version, then the new one's
    assert decoded.state is not None
    assert decoded.state.context.session_notes == "new notes"


def test_a_compact_member_round_trips_every_field() -> None:
    cid = ids.new_uuid()
    body = members.message_body("m-9", Role.ASSISTANT, "é\n\u2028 text", T0, cid, None)
    seq_prefixed = bytes([body[0] + 1, 42]) + body[1:]  # what the append script stores

    (message,) = members.messages([seq_prefixed])

    assert message == Message(
        id="m-9",
        seq=42,
        role=Role.ASSISTANT,
        content="é\n\u2028 text",
        timestamp=T0,
        citation_id=ids.citation_text(cid),
    )


def test_a_compact_member_of_the_wrong_shape_is_an_unreadable_entry() -> None:
    cid = ids.new_uuid()
    feeling = (Emotion.ANXIOUS, 0.25, 0.5)
    felt = members.message_body("m-1", Role.USER, "hi", T0, cid, feeling)
    stored = bytes([felt[0] + 1, 7]) + felt[1:]
    wrong = bytes([0x97, 7]) + felt[1:]  # a 7-field array is no message

    good, bad = members.messages([stored, wrong])

    assert isinstance(good, Message)
    assert (good.seq, good.emotion, good.intensity, good.confidence) == (7, Emotion.ANXIOUS, 0.25, 0.5)
    assert bad == UnreadableEntry(kind="message", position=1, reason="MessagePack of the wrong shape")
