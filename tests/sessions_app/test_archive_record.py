"""The archive keeps the whole record after Redis forgets a session (real Redis, real expiry)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import time_machine
from django.conf import LazySettings

from sessions_app import repository
from sessions_app.archive import store as archive_store
from sessions_app.domain import Citation, Message, SessionStatus
from sessions_app.models import ArchivedCitation, ArchivedMessage, ArchivedSession, NoteRevision
from sessions_app.state.keys import GLOBAL_ACTIVE, SessionKeys, global_member
from sessions_app.state.manager import ConversationStateManager
from tests.sessions_app.archive_support import (
    archiver,
    fill_session,
    live_citations,
    use_embedded_chroma,
    wait_until_gone,
)

pytestmark = [pytest.mark.real_redis, pytest.mark.django_db]

ALICE = "alice"


@pytest.fixture(autouse=True)
def _chroma(settings: LazySettings, tmp_path: Path) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")


@pytest.mark.slow
def test_a_thousand_message_session_is_whole_after_its_ttl(real_redis: redis.Redis) -> None:
    # A 3 s TTL stands in for the 7 days: every write refreshes it, silence lets it run out.
    manager = ConversationStateManager(real_redis, ttl_seconds=3, window=100)
    draining = archiver(real_redis, margin_seconds=1)  # TTL 3 s > margin: drains only
    closing_in = archiver(real_redis, margin_seconds=60)  # TTL < margin: snapshot due
    session_id = manager.initialize_session(ALICE, model="haiku")
    seen_citations: dict[str, Citation] = {}
    written: list[Message] = []
    for block in range(10):
        for n in range(block * 100 + 1, block * 100 + 101):
            emotion: dict[str, Any] = {}
            if n % 9 == 0:
                emotion = {
                    "emotion": "anxious" if n % 2 else "exploring",
                    "intensity": 0.6,
                    "confidence": 0.8,
                }
            written.append(
                manager.append_message(
                    ALICE, session_id, role="user" if n % 2 else "assistant", content=f"words #{n}", **emotion
                )
            )
        manager.record_milestone(ALICE, session_id, description=f"milestone after {(block + 1) * 100}")
        if block % 3 == 0:
            manager.record_breakthrough(
                ALICE,
                session_id,
                description=f"insight {block}",
                category="cognitive_reframe",
                confidence=0.7,
            )
        manager.update_context_snapshot(
            ALICE, session_id, session_notes=f"notes v{block + 1}", clinician="dr-b"
        )
        for citation in live_citations(real_redis, ALICE, session_id):
            seen_citations[citation.citation_id] = citation
        draining.run_pass()
    manager.close_session(ALICE, session_id)
    for citation in live_citations(real_redis, ALICE, session_id):
        seen_citations[citation.citation_id] = citation
    live = manager.read_session(ALICE, session_id)
    assert live.overflow_count == 0  # the draining passes kept up

    closing_in.run_pass()
    keys = SessionKeys.for_session(ALICE, session_id)
    assert real_redis.hget(keys.metadata, "archived_at")  # marked, and not deleted (grace 1 h)
    wait_until_gone(real_redis, keys.metadata)

    record = repository.get_session(ALICE, session_id, manager=manager)
    assert record.source == "archive"
    assert record.state.metadata.status is SessionStatus.CLOSED
    assert record.state.metadata.message_count == 1000
    assert record.state.emotion == live.emotion
    assert record.state.emotion_log == live.emotion_log
    assert record.state.milestones == live.milestones
    assert record.state.breakthroughs == live.breakthroughs
    assert record.state.context == live.context
    assert record.state.messages == live.messages  # the last window, as live showed it
    assert record.state.overflow_count == 900

    history = repository.get_history(ALICE, session_id, manager=manager)
    assert history.total == 1000
    assert list(history.items) == written
    assert [m.seq for m in history.items if isinstance(m, Message)] == list(range(1, 1001))

    citations = repository.search_citations(user_id=ALICE, session_id=session_id, limit=5000, manager=manager)
    assert [c.citation_id for c in citations] == sorted(
        seen_citations, key=lambda cid: (seen_citations[cid].timestamp, cid)
    )
    assert ArchivedCitation.objects.count() == len(seen_citations)
    assert ArchivedMessage.objects.count() == 1000
    versions = list(
        NoteRevision.objects.order_by("version").values_list("version", "author", "text_captured")
    )
    assert [v[0] for v in versions] == list(range(1, 11))
    assert all(author == "dr-b" for _, author, _ in versions)
    assert versions[-1][2] is True  # the last text was captured with the snapshot


def test_archiving_twice_changes_nothing(real_redis: redis.Redis) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=600, window=10)
    session_id = fill_session(manager, ALICE, messages=35)
    manager.close_session(ALICE, session_id)
    first = archiver(real_redis).run_pass()
    assert (first.sessions, first.messages) == (1, 35)
    rows = list(ArchivedSession.objects.values())
    image = {key: real_redis.dump(key) for key in SessionKeys.for_session(ALICE, session_id).all()}

    second = archiver(real_redis).run_pass()

    assert (second.sessions, second.messages, second.citations) == (0, 0, 0)
    assert list(ArchivedSession.objects.values()) == rows
    assert {key: real_redis.dump(key) for key in image} == image


def test_a_session_with_a_long_ttl_is_drained_but_not_snapshotted(real_redis: redis.Redis) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=7 * 24 * 3600, window=10)
    session_id = fill_session(manager, ALICE, messages=25)

    result = archiver(real_redis).archive_session(user_id=ALICE, session_id=session_id)

    assert result.outcome == "drained"
    assert list(ArchivedMessage.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 16))
    assert not ArchivedSession.objects.exists()
    keys = SessionKeys.for_session(ALICE, session_id)
    assert real_redis.llen(keys.overflow) == 0
    assert real_redis.llen(keys.citations) == 0
    assert real_redis.llen(keys.messages) == 10
    assert real_redis.hget(keys.metadata, "archived_at") is None
    assert real_redis.ttl(keys.metadata) > 7 * 24 * 3600 - 60  # archiving is not activity: TTL untouched


def test_a_closed_session_leaves_redis_only_after_its_grace_and_is_served_from_the_archive(
    real_redis: redis.Redis,
) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=600, window=10)
    session_id = fill_session(manager, ALICE, messages=30)
    manager.close_session(ALICE, session_id)
    keys = SessionKeys.for_session(ALICE, session_id)

    kept = archiver(real_redis, delete_closed_after_seconds=3600).archive_session(
        user_id=ALICE, session_id=session_id
    )
    assert kept.outcome == "snapshot"
    assert kept.verified
    assert real_redis.exists(keys.metadata)

    removed = archiver(real_redis, delete_closed_after_seconds=0).archive_session(
        user_id=ALICE, session_id=session_id
    )

    assert removed.outcome == "deleted"
    assert not any(real_redis.exists(key) for key in keys.session_keys())
    assert not real_redis.sismember(keys.user_index, session_id)
    assert not real_redis.sismember(GLOBAL_ACTIVE, global_member(ALICE, session_id))
    assert ArchivedSession.objects.get().removed_from_live_at is not None
    history = repository.get_history(ALICE, session_id, manager=manager)
    assert [m.seq for m in history.items if isinstance(m, Message)] == list(range(1, 31))


def test_a_write_between_commit_and_trim_keeps_the_session_live(
    real_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=600, window=10)
    session_id = fill_session(manager, ALICE, messages=12)
    manager.close_session(ALICE, session_id)
    eager = archiver(real_redis, delete_closed_after_seconds=0)
    original = archive_store.store
    calls: list[int] = []

    def store_then_note(*args: Any, **kwargs: Any) -> archive_store.StoreResult:
        result = original(*args, **kwargs)
        if not calls:  # a therapist saves notes after the commit, before the trim
            manager.update_context_snapshot(ALICE, session_id, session_notes="late note", clinician="dr-b")
        calls.append(1)
        return result

    monkeypatch.setattr(archive_store, "store", store_then_note)

    first = eager.archive_session(user_id=ALICE, session_id=session_id)

    assert first.outcome == "snapshot"  # not deleted: something arrived after the commit
    assert manager.read_session(ALICE, session_id).context.session_notes == "late note"
    assert ArchivedSession.objects.get().session_notes == ""
    assert eager.archive_session(user_id=ALICE, session_id=session_id).outcome == "deleted"
    assert ArchivedSession.objects.get().session_notes == "late note"
    assert NoteRevision.objects.get(version=1).fields["session_notes"] == "late note"


def test_a_closed_session_stays_live_for_its_grace_period(real_redis: redis.Redis) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=7200, window=10)
    session_id = fill_session(manager, ALICE, messages=15)
    manager.close_session(ALICE, session_id)
    keys = SessionKeys.for_session(ALICE, session_id)
    patient = archiver(real_redis, delete_closed_after_seconds=3600)

    assert patient.archive_session(user_id=ALICE, session_id=session_id).outcome == "snapshot"
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=59), tick=False):
        assert patient.archive_session(user_id=ALICE, session_id=session_id).outcome == "unchanged"
    assert real_redis.exists(keys.metadata)  # a therapist may still write notes on it
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=61), tick=False):
        assert patient.archive_session(user_id=ALICE, session_id=session_id).outcome == "deleted"
    assert not real_redis.exists(keys.metadata)
    assert repository.get_session(ALICE, session_id, manager=manager).source == "archive"


def test_every_pass_sweeps_index_members_of_sessions_that_expired(real_redis: redis.Redis) -> None:
    manager = ConversationStateManager(real_redis, ttl_seconds=600, window=10)
    live = fill_session(manager, ALICE, messages=3)
    expired = fill_session(manager, ALICE, messages=3)
    archiver(real_redis).run_pass()
    real_redis.delete(*SessionKeys.for_session(ALICE, expired).session_keys())  # as when its TTL ran out

    archiver(real_redis).run_pass()

    assert real_redis.sismember(GLOBAL_ACTIVE, global_member(ALICE, live))
    assert not real_redis.sismember(GLOBAL_ACTIVE, global_member(ALICE, expired))
    assert not real_redis.sismember(SessionKeys.for_session(ALICE, expired).user_index, expired)
