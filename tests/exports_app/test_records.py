"""The export's input: one consistent snapshot, whole transcript, each message once."""

from __future__ import annotations

import re
import threading

import pytest
import redis

from exports_app.canonical import record_data, record_sha256
from exports_app.exporters import markdown_export
from exports_app.records import assemble, load_record, seq_gaps
from sessions_app.archive.archiver import Archiver
from sessions_app.domain import Message, UnreadableEntry
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.exports_app.factories import make_context, make_state, message


def test_assemble_merges_history_and_window_by_seq_snapshot_wins() -> None:
    window = [message(4, "four"), message(5, "five")]
    state = make_state(window)
    newer = message(6, "appended after the snapshot")
    stale_copy = message(4, "an older copy of four")
    duplicate = message(2, "two again")
    history = [message(1, "one"), message(2, "two"), duplicate, message(3, "three"), stale_copy, newer]
    record = assemble(state, history)
    assert [m.seq for m in record.transcript if isinstance(m, Message)] == [1, 2, 3, 4, 5]
    assert record.transcript[3] == window[0]
    assert seq_gaps(record) == []


def test_gaps_are_reported_as_ranges() -> None:
    state = make_state([message(9, "nine")], message_count=10)
    record = assemble(state, [message(1, "one"), message(4, "four")])
    assert seq_gaps(record) == [(2, 3), (5, 8), (10, 10)]


def _header_and_body(text: str) -> tuple[int, int, int, list[int]]:
    found = re.search(
        r"^\*\*Messages:\*\* (\d+)\u2013(\d+) of (\d+) \((\d+) shown\)", text, flags=re.MULTILINE
    )
    assert found, "no message range in the header"
    low, high, total, shown = (int(g) for g in found.groups())
    body = [int(s) for s in re.findall(r"^### Message (\d+) ", text, flags=re.MULTILINE)]
    assert (low, high) == (1, total)
    return total, shown, len(body), body


@pytest.mark.django_db
def test_export_while_appending_is_one_consistent_snapshot(
    redis_backend: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = ConversationStateManager(redis_backend, window=10)
    monkeypatch.setattr("sessions_app.state.configured.get_state_manager", lambda: manager)
    client_id = "client-ava"
    session_id = manager.initialize_session(client_id, model="m")
    for i in range(15):
        manager.append_message(client_id, session_id, role="user", content=f"early {i}")
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set() and i < 2000:
            manager.append_message(client_id, session_id, role="assistant", content=f"live {i}")
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    totals = []
    try:
        for _ in range(20):
            record = load_record(client_id, session_id, manager=manager)
            text = markdown_export(record, make_context()).content.decode()
            total, shown, body_count, body = _header_and_body(text)
            assert body == list(range(1, total + 1)), "sequence numbers not contiguous"
            assert shown == body_count == total == record.state.metadata.message_count
            assert record_data(record)["session"]["message_count"] == total
            totals.append(total)
    finally:
        stop.set()
        thread.join()
    assert totals[-1] > totals[0], "the writer did not run concurrently"


@pytest.mark.django_db
def test_record_hash_survives_the_move_to_the_archive(real_redis: redis.Redis) -> None:
    manager = ConversationStateManager(real_redis, window=5, ttl_seconds=600)
    client_id = "client-ava"
    session_id = manager.initialize_session(client_id, model="m")
    for i in range(12):
        manager.append_message(client_id, session_id, role="user" if i % 2 else "assistant", content=f"m {i}")
    manager.update_emotion(client_id, session_id, emotion="anxious", intensity=0.5, confidence=0.5)
    manager.record_milestone(client_id, session_id, description="a milestone")
    manager.update_context_snapshot(client_id, session_id, session_notes="notes")
    live = load_record(client_id, session_id, manager=manager)
    assert live.source == "live"
    Archiver(real_redis, margin_seconds=3600, index=False).run_pass()
    real_redis.delete(*SessionKeys.for_session(client_id, session_id).all())  # as if the TTL ran out
    archived = load_record(client_id, session_id, manager=manager)
    assert archived.source == "archive"
    assert record_data(archived) == record_data(live)
    assert record_sha256(record_data(archived)) == record_sha256(record_data(live))


def test_the_record_has_exactly_the_state_to_json_shape() -> None:
    """The exporter's fast conversion must not drift from the state layer's documented JSON."""
    from dataclasses import replace

    from sessions_app.state.jsonshape import state_to_json
    from tests.exports_app.factories import citation

    messages: list[Message | UnreadableEntry] = [
        message(1, "one"),
        UnreadableEntry("message", 1, "not valid JSON"),
        message(2, "two"),
    ]
    state = make_state([m for m in messages if isinstance(m, Message)])
    record = assemble(replace(state, messages=tuple(messages)), [], [citation(1), citation(2)])
    expected = state_to_json(replace(record.state, pending_citations=record.citations))
    expected["citations"] = expected.pop("pending_citations")
    del expected["messages_in_overflow"]
    del expected["session"]["archived_at"]
    expected |= {"clinical_note": None, "adjudications": []}  # from the database; none in this record
    assert record_data(record) == expected


@pytest.mark.parametrize("texts", [["hello", "world"], ["# Therapist note", "\u202e", "<img src=x>"]])
def test_json_exports_follow_the_published_schema(texts: list[str]) -> None:
    import json
    from pathlib import Path

    jsonschema = pytest.importorskip("jsonschema")  # installed with schemathesis (dev extra)
    from exports_app.exporters import json_export

    schema_path = (
        Path(__file__).resolve().parents[2] / "exports_app" / "schema" / "session-export-v1.schema.json"
    )
    schema = json.loads(schema_path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    messages: list[Message | UnreadableEntry] = [message(i + 1, t) for i, t in enumerate(texts)]
    messages.append(UnreadableEntry("message", 9, "not valid JSON"))
    record = assemble(make_state([], message_count=len(texts)), messages)
    assert len(record.transcript) == len(texts) + 1
    document = json.loads(json_export(record, make_context()).content)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
