"""The writer API: each test runs on fakeredis and on the real Redis (``manager`` fixture)."""

from __future__ import annotations

import json
import re

import pytest
import redis

import sessions_app.state.members as members
from sessions_app.domain import (
    Breakthrough,
    CitationType,
    Emotion,
    EmotionTransition,
    Message,
    Milestone,
    Role,
    SessionStatus,
    UnreadableEntry,
)
from sessions_app.errors import NoteConflict, SessionAlreadyExists, SessionClosed, SessionNotFound
from sessions_app.state import codec
from sessions_app.state.keys import GLOBAL_ACTIVE, SessionKeys, user_index
from sessions_app.state.manager import ConversationStateManager
from tests.sessions_app.helpers import dump_keys, raw_messages

CITATION_ID = re.compile(r"if://citation/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def messages_of(items: tuple[Message | UnreadableEntry, ...]) -> list[Message]:
    assert all(isinstance(item, Message) for item in items), items
    return [item for item in items if isinstance(item, Message)]


def test_initialize_creates_metadata_indexes_and_a_citation(
    manager: ConversationStateManager, redis_backend: redis.Redis
) -> None:
    session_id = manager.initialize_session("alice", model="claude-haiku")

    state = manager.read_session("alice", session_id, with_citations=True)
    assert state.metadata.status == SessionStatus.ACTIVE
    assert state.metadata.last_model == "claude-haiku"
    assert state.metadata.message_count == 0
    assert state.emotion.current_emotion == Emotion.NEUTRAL
    assert state.context.version == 0
    assert redis_backend.sismember(user_index("alice"), session_id)
    assert redis_backend.sismember(GLOBAL_ACTIVE, f"alice:{session_id}")
    [citation] = state.pending_citations
    assert not isinstance(citation, UnreadableEntry)
    assert citation.type == CitationType.SESSION_INITIALIZED
    assert CITATION_ID.fullmatch(citation.citation_id)


def test_initialize_refuses_an_existing_session_id_and_changes_nothing(
    manager: ConversationStateManager, redis_backend: redis.Redis
) -> None:
    manager.initialize_session("alice", model="haiku", session_id="s1")
    before = dump_keys(redis_backend, "alice", "s1")

    with pytest.raises(SessionAlreadyExists):
        manager.initialize_session("alice", model="opus", session_id="s1")

    assert dump_keys(redis_backend, "alice", "s1") == before


def test_messages_get_contiguous_sequence_numbers_and_round_trip_exactly(
    manager: ConversationStateManager,
) -> None:
    session_id = manager.initialize_session("alice", model="haiku")
    texts = ["plain", "עברית \u202e reversed", "emoji 👩‍👩‍👧 e\u0301", "line\r\nbreak", '{"json": 1}']

    stored = [
        manager.append_message("alice", session_id, role="user" if i % 2 == 0 else "assistant", content=text)
        for i, text in enumerate(texts)
    ]

    assert [m.seq for m in stored] == [1, 2, 3, 4, 5]
    read_back = messages_of(manager.get_message_history("alice", session_id, limit=50))
    assert [m.content for m in read_back] == texts
    assert [m.role for m in read_back] == [Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT, Role.USER]
    assert [m.id for m in read_back] == [m.id for m in stored]


def test_the_same_message_id_is_stored_once(manager: ConversationStateManager) -> None:
    session_id = manager.initialize_session("alice", model="haiku")
    first = manager.append_message_result("alice", session_id, role="user", content="hello", message_id="m-1")
    again = manager.append_message_result("alice", session_id, role="user", content="hello", message_id="m-1")

    assert first.created is True
    assert again.created is False
    assert again.message == first.message
    state = manager.read_session("alice", session_id)
    assert state.metadata.message_count == 1
    assert len(state.messages) == 1


def test_a_retried_id_returns_the_stored_message_even_from_overflow(redis_backend: redis.Redis) -> None:
    manager = ConversationStateManager(redis_backend, window=3)
    session_id = manager.initialize_session("alice", model="haiku")
    for i in range(6):
        manager.append_message("alice", session_id, role="user", content=f"text {i}", message_id=f"m{i}")

    again = manager.append_message_result("alice", session_id, role="user", content="other", message_id="m0")

    assert again.created is False
    assert (again.message.seq, again.message.content) == (1, "text 0")
    assert manager.get_session_stats("alice", session_id).message_count == 6


def test_message_101_moves_message_1_to_overflow_and_nothing_is_lost(
    manager: ConversationStateManager, redis_backend: redis.Redis
) -> None:
    session_id = manager.initialize_session("alice", model="haiku")
    for i in range(1, 151):
        manager.append_message("alice", session_id, role="user", content=f"message {i}", message_id=f"m{i}")

    keys = SessionKeys.for_session("alice", session_id)
    assert redis_backend.llen(keys.messages) == 100
    assert redis_backend.llen(keys.overflow) == 50
    every = messages_of(members.messages(raw_messages(redis_backend, "alice", session_id)))
    assert [m.seq for m in every] == list(range(1, 151))
    assert [m.content for m in every] == [f"message {i}" for i in range(1, 151)]
    window = messages_of(manager.read_session("alice", session_id).messages)
    assert window[0].seq == 51
    assert window[-1].seq == 150


def test_an_emotion_given_with_a_message_is_applied_in_the_same_step(
    manager: ConversationStateManager,
) -> None:
    session_id = manager.initialize_session("alice", model="haiku")
    message = manager.append_message(
        "alice",
        session_id,
        role="user",
        content="I can't sleep",
        emotion="anxious",
        intensity=0.7,
        confidence=0.8,
    )

    state = manager.read_session("alice", session_id)
    assert state.emotion.current_emotion == Emotion.ANXIOUS
    assert state.emotion.emotion_intensity == pytest.approx(0.7)
    [transition] = state.emotion_log
    assert isinstance(transition, EmotionTransition)
    assert (transition.from_emotion, transition.to_emotion) == (Emotion.NEUTRAL, Emotion.ANXIOUS)
    assert transition.message_id == message.id
    assert messages_of(state.messages)[0].emotion == Emotion.ANXIOUS


def test_the_emotion_log_keeps_every_transition_in_order(manager: ConversationStateManager) -> None:
    session_id = manager.initialize_session("alice", model="haiku")
    arc = [("anxious", 0.8), ("exploring", 0.5), ("breakthrough", 0.9), ("integrated", 0.4)]
    for emotion, intensity in arc:
        manager.update_emotion("alice", session_id, emotion=emotion, intensity=intensity, confidence=0.9)

    journey = manager.get_journey_summary("alice", session_id)
    transitions = [t for t in journey.transitions if isinstance(t, EmotionTransition)]
    assert [(t.from_emotion, t.to_emotion) for t in transitions] == [
        (Emotion.NEUTRAL, Emotion.ANXIOUS),
        (Emotion.ANXIOUS, Emotion.EXPLORING),
        (Emotion.EXPLORING, Emotion.BREAKTHROUGH),
        (Emotion.BREAKTHROUGH, Emotion.INTEGRATED),
    ]
    assert journey.current.current_emotion == Emotion.INTEGRATED
    assert journey.current.emotion_tracking_id == transitions[-1].citation_id


def test_a_milestone_records_the_message_count_and_current_emotion(manager: ConversationStateManager) -> None:
    session_id = manager.initialize_session("alice", model="haiku")
    manager.append_message("alice", session_id, role="user", content="one")
    manager.append_message("alice", session_id, role="assistant", content="two")
    manager.update_emotion("alice", session_id, emotion="exploring", intensity=0.5, confidence=0.7)

    milestone = manager.record_milestone("alice", session_id, description="Named the family pattern")
    explicit = manager.record_milestone("alice", session_id, description="Calmer", emotion="integrated")

    assert (milestone.message_count, milestone.emotion) == (2, Emotion.EXPLORING)
    assert explicit.emotion == Emotion.INTEGRATED
    stored = manager.read_session("alice", session_id)
    assert [m for m in stored.milestones if isinstance(m, Milestone)] == [milestone, explicit]
    assert stored.metadata.milestone_count == 2


def test_breakthroughs_are_kept_in_time_order_and_shown_by_confidence(
    manager: ConversationStateManager,
) -> None:
    session_id = manager.initialize_session("alice", model="haiku")
    low = manager.record_breakthrough(
        "alice", session_id, description="first", category="cognitive_reframe", confidence=0.6
    )
    high = manager.record_breakthrough(
        "alice",
        session_id,
        description="second",
        category="pattern_recognition",
        confidence=0.95,
        evidence=["m1"],
    )

    journey = manager.get_journey_summary("alice", session_id)
    assert [b for b in journey.breakthroughs if isinstance(b, Breakthrough)] == [low, high]
    assert journey.breakthroughs_by_confidence() == [high, low]
    assert high.evidence == ("m1",)
    assert manager.read_session("alice", session_id).metadata.breakthrough_count == 2


def test_every_state_change_writes_a_citation(manager: ConversationStateManager) -> None:
    session_id = manager.initialize_session("alice", model="haiku")
    message = manager.append_message("alice", session_id, role="user", content="hi")
    manager.append_message(
        "alice", session_id, role="user", content="hi", emotion="happy", intensity=0.3, confidence=0.6
    )
    manager.update_emotion("alice", session_id, emotion="exploring", intensity=0.4, confidence=0.5)
    manager.record_milestone("alice", session_id, description="m")
    manager.record_breakthrough(
        "alice", session_id, description="b", category="self_compassion", confidence=0.7
    )
    manager.update_context_snapshot("alice", session_id, current_theme="work")
    manager.resume_session("alice", session_id, model="sonnet")
    manager.close_session("alice", session_id)

    citations = manager.get_pending_citations("alice", session_id)
    assert [c.type for c in citations] == [
        CitationType.SESSION_INITIALIZED,
        CitationType.MESSAGE_APPENDED,
        CitationType.MESSAGE_APPENDED,
        CitationType.EMOTION_STATE_UPDATE,
        CitationType.EMOTION_STATE_UPDATE,
        CitationType.MILESTONE_RECORDED,
        CitationType.BREAKTHROUGH_RECORDED,
        CitationType.CONTEXT_SNAPSHOT_UPDATED,
        CitationType.SESSION_RESUMED,
        CitationType.SESSION_CLOSED,
    ]
    assert len({c.citation_id for c in citations}) == len(citations)
    assert all(CITATION_ID.fullmatch(c.citation_id) for c in citations)
    assert all((c.user_id, c.session_id) == ("alice", session_id) for c in citations)
    assert citations[1].evidence == (message.id,)
    assert "sonnet" in citations[8].event
    timestamps = [c.timestamp for c in citations]
    assert timestamps == sorted(timestamps)
    by_type = manager.get_pending_citations("alice", session_id, citation_type="milestone_recorded")
    assert [c.type for c in by_type] == [CitationType.MILESTONE_RECORDED]
    assert manager.get_pending_citations("alice", session_id, since=timestamps[-1]) == [citations[-1]]


def test_context_snapshot_version_check_refuses_a_stale_save_and_writes_nothing(
    manager: ConversationStateManager, redis_backend: redis.Redis
) -> None:
    session_id = manager.initialize_session("alice", model="haiku")
    first = manager.update_context_snapshot(
        "alice", session_id, expected_version=0, clinician="dr-alice", session_notes="A's note"
    )
    assert (first.version, first.session_notes, first.notes_updated_by) == (1, "A's note", "dr-alice")
    before = dump_keys(redis_backend, "alice", session_id)

    with pytest.raises(NoteConflict) as conflict:
        manager.update_context_snapshot(
            "alice", session_id, expected_version=0, clinician="dr-bob", session_notes="B"
        )

    assert conflict.value.current.session_notes == "A's note"
    assert conflict.value.current.version == 1
    assert dump_keys(redis_backend, "alice", session_id) == before
    merged = manager.update_context_snapshot("alice", session_id, expected_version=1, session_notes="A + B")
    assert merged.version == 2


def test_context_without_expected_version_always_writes_and_keeps_other_fields(
    manager: ConversationStateManager,
) -> None:
    session_id = manager.initialize_session("alice", model="haiku")
    manager.update_context_snapshot("alice", session_id, current_theme="grief", therapeutic_focus="somatic")
    snapshot = manager.update_context_snapshot("alice", session_id, client_state_summary="steadier")

    assert (snapshot.current_theme, snapshot.therapeutic_focus) == ("grief", "somatic")
    assert snapshot.client_state_summary == "steadier"
    assert snapshot.version == 2


def test_a_closed_session_refuses_chatbot_writes_but_keeps_notes_writable(
    manager: ConversationStateManager, redis_backend: redis.Redis
) -> None:
    session_id = manager.initialize_session("alice", model="haiku")
    assert manager.close_session("alice", session_id) is True
    assert manager.close_session("alice", session_id) is False
    before = dump_keys(redis_backend, "alice", session_id)

    with pytest.raises(SessionClosed):
        manager.append_message("alice", session_id, role="user", content="late")
    with pytest.raises(SessionClosed):
        manager.update_emotion("alice", session_id, emotion="happy", intensity=0.2, confidence=0.2)
    with pytest.raises(SessionClosed):
        manager.record_milestone("alice", session_id, description="late")
    with pytest.raises(SessionClosed):
        manager.record_breakthrough(
            "alice", session_id, description="late", category="self_compassion", confidence=0.5
        )
    assert dump_keys(redis_backend, "alice", session_id) == before

    notes = manager.update_context_snapshot("alice", session_id, session_notes="written after the session")
    assert notes.session_notes == "written after the session"
    assert manager.read_session("alice", session_id).metadata.status == SessionStatus.CLOSED


def test_writes_to_a_missing_session_raise_and_create_nothing(
    manager: ConversationStateManager, redis_backend: redis.Redis
) -> None:
    with pytest.raises(SessionNotFound):
        manager.append_message("alice", "nope", role="user", content="hi")
    with pytest.raises(SessionNotFound):
        manager.update_emotion("alice", "nope", emotion="happy", intensity=0.2, confidence=0.2)
    with pytest.raises(SessionNotFound):
        manager.update_context_snapshot("alice", "nope", session_notes="x")
    with pytest.raises(SessionNotFound):
        manager.resume_session("alice", "nope")
    with pytest.raises(SessionNotFound):
        manager.read_session("alice", "nope")
    assert redis_backend.dbsize() == 0


def test_resume_records_the_resume_and_a_model_switch(manager: ConversationStateManager) -> None:
    session_id = manager.initialize_session("alice", model="claude-haiku")
    manager.append_message("alice", session_id, role="user", content="hello")

    same = manager.resume_session("alice", session_id)
    switched = manager.resume_session("alice", session_id, model="claude-opus")

    assert same.metadata.last_model == "claude-haiku"
    assert same.metadata.last_resumed is not None
    assert switched.metadata.last_model == "claude-opus"
    assert [m.content for m in messages_of(switched.messages)] == ["hello"]
    events = [
        c.event for c in manager.get_pending_citations("alice", session_id, citation_type="session_resumed")
    ]
    assert events == ["session resumed", "session resumed; model switched from claude-haiku to claude-opus"]


def test_resuming_a_closed_session_reads_without_writing(
    manager: ConversationStateManager, redis_backend: redis.Redis
) -> None:
    session_id = manager.initialize_session("alice", model="haiku")
    manager.close_session("alice", session_id)
    before = dump_keys(redis_backend, "alice", session_id)

    state = manager.resume_session("alice", session_id, model="opus")

    assert state.metadata.status == SessionStatus.CLOSED
    assert dump_keys(redis_backend, "alice", session_id) == before


def test_user_sessions_are_listed_newest_first_and_ghosts_pruned(
    manager: ConversationStateManager, redis_backend: redis.Redis
) -> None:
    older = manager.initialize_session("alice", model="haiku", session_id="older")
    newer = manager.initialize_session("alice", model="haiku", session_id="newer")
    manager.append_message(
        "alice", newer, role="user", content="hi", emotion="happy", intensity=0.4, confidence=0.6
    )
    ghost = manager.initialize_session("alice", model="haiku", session_id="ghost")
    redis_backend.delete(*SessionKeys.for_session("alice", ghost).session_keys())  # as if expired

    sessions = manager.get_user_sessions("alice")

    assert [s.session_id for s in sessions] == [newer, older]
    assert sessions[0].current_emotion == Emotion.HAPPY
    assert sessions[0].message_count == 1
    assert not redis_backend.sismember(user_index("alice"), ghost)
    assert not redis_backend.sismember(GLOBAL_ACTIVE, f"alice:{ghost}")
    assert manager.get_user_sessions("nobody") == []


def test_cleanup_removes_expired_members_and_reindexes_orphans(
    manager: ConversationStateManager, redis_backend: redis.Redis
) -> None:
    live = manager.initialize_session("alice", model="haiku", session_id="live")
    gone = manager.initialize_session("bob", model="haiku", session_id="gone")
    redis_backend.delete(*SessionKeys.for_session("bob", gone).session_keys())
    redis_backend.sadd(GLOBAL_ACTIVE, "not a member")
    redis_backend.srem(GLOBAL_ACTIVE, f"alice:{live}")  # an orphan: keys present, not indexed

    removed = manager.cleanup_expired_sessions()

    assert removed == 2
    members = {codec.text(m) for m in redis_backend.smembers(GLOBAL_ACTIVE)}
    assert members == {f"alice:{live}"}
    assert not redis_backend.sismember(user_index("bob"), gone)
    assert manager.cleanup_expired_sessions() == 0


def test_stats_and_json_export_describe_the_session(manager: ConversationStateManager) -> None:
    manager.window = 2
    session_id = manager.initialize_session("alice", model="haiku")
    for i in range(3):
        manager.append_message("alice", session_id, role="user", content=f"m{i}")
    manager.record_milestone("alice", session_id, description="first")

    stats = manager.get_session_stats("alice", session_id)
    exported = manager.export_json("alice", session_id)

    assert (stats.message_count, stats.messages_in_window, stats.messages_in_overflow) == (3, 2, 1)
    assert stats.milestone_count == 1
    assert stats.ttl_seconds is not None
    assert 0 < stats.ttl_seconds <= manager.ttl_seconds
    assert exported["schema_version"] == "1.1"
    assert [m["seq"] for m in exported["messages"]] == [2, 3]
    assert exported["messages_in_overflow"] == 1
    assert exported["milestones"][0]["description"] == "first"
    json.dumps(exported)  # JSON-ready: raises if a datetime or enum slipped through
