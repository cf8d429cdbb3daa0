"""Hold for review: archive now, verify everything against the database, and what the hold guarantees."""

from __future__ import annotations

import pytest
import redis
from django.urls import reverse

from exports_app.exporters import markdown_export
from exports_app.records import load_record
from exports_app.service import Requester, new_context
from ifemotion.accounts.models import AuditEvent, User
from sessions_app.archive.archiver import Archiver
from sessions_app.models import (
    ArchivedBreakthrough,
    ArchivedCitation,
    ArchivedEmotionTransition,
    ArchivedMessage,
    ArchivedMilestone,
    NoteRevision,
)
from sessions_app.review import audit
from sessions_app.review.hold import hold_session, verify
from sessions_app.review.models import SessionHold
from sessions_app.state.keys import SessionKeys
from sessions_app.state.live import LiveStore
from sessions_app.state.manager import ConversationStateManager
from tests.review.conftest import add_messages, grant_for
from tests.support import AVA, BEN, login, use_state_manager


def busy_session(manager: ConversationStateManager, client_id: str = AVA) -> str:
    """More messages than the window (some wait in overflow), every kind of entry, notes."""
    sid = manager.initialize_session(client_id, model="m")
    add_messages(manager, client_id, sid, 130)
    manager.update_emotion(client_id, sid, emotion="anxious", intensity=0.7, confidence=0.8)
    manager.append_message(
        client_id, sid, role="user", content="better", emotion="exploring", intensity=0.4, confidence=0.6
    )
    manager.record_milestone(client_id, sid, description="Named the pattern")
    manager.record_breakthrough(
        client_id, sid, description="Links sleep and work", category="pattern_recognition", confidence=0.8,
        evidence=[],
    )  # fmt: skip
    manager.update_context_snapshot(
        client_id, sid, expected_version=0, author="alice", session_notes="Plan: sleep diary"
    )
    return sid


def markdown_record_hash(
    client_id: str, session_id: str, manager: ConversationStateManager
) -> tuple[str, str]:
    record = load_record(client_id, session_id, manager=manager)
    export = markdown_export(record, new_context(Requester("alice")))
    line = next(line for line in export.content.decode().splitlines() if export.record_sha256 in line)
    return record.source, line


@pytest.mark.django_db
def test_hold_puts_everything_in_the_database_and_the_export_hash_survives_expiry(
    real_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch, alice: User
) -> None:
    manager = ConversationStateManager(real_redis, window=100, ttl_seconds=3600)
    use_state_manager(monkeypatch, manager)
    sid = busy_session(manager)
    keys = SessionKeys.for_session(AVA, sid)
    ttl_before = real_redis.pttl(keys.metadata)
    source, markdown_line = markdown_record_hash(AVA, sid, manager)
    assert source == "live"

    result = hold_session(grant=grant_for(alice, AVA), session_id=sid)

    assert result.outcome == "held", result.missing
    state = manager.read_session(AVA, sid, with_citations=True)
    where = {"user_id": AVA, "session_id": sid}
    # The database holds what Redis holds, kind by kind, before the session expires.
    assert ArchivedMessage.objects.filter(**where).count() == state.metadata.message_count == 131
    assert ArchivedEmotionTransition.objects.filter(**where).count() == real_redis.llen(keys.emotion_log) == 2
    assert ArchivedMilestone.objects.filter(**where).count() == real_redis.zcard(keys.milestones) == 1
    assert ArchivedBreakthrough.objects.filter(**where).count() == real_redis.zcard(keys.breakthroughs) == 1
    # Every change's citation (initialize, 131 messages, 2 emotion changes, milestone, breakthrough,
    # notes) is archived, and nothing waits in Redis.
    assert ArchivedCitation.objects.filter(**where).count() == 1 + 131 + 2 + 1 + 1 + 1
    assert real_redis.llen(keys.citations) == 0
    assert real_redis.llen(keys.overflow) == 0
    revision = NoteRevision.objects.get(**where, version=1)
    assert revision.text_captured
    assert revision.fields["session_notes"] == "Plan: sleep diary"
    hold = SessionHold.objects.get(client_id=AVA, session_id=sid)
    assert (hold.messages, hold.emotion_changes, hold.milestones, hold.breakthroughs) == (131, 2, 1, 1)
    assert 0 < real_redis.pttl(keys.metadata) <= ttl_before  # holding never extends retention
    event = AuditEvent.objects.get(action=audit.SESSION_HELD)
    assert event.outcome == "ok"
    assert event.detail["messages"] == [131, 131]

    real_redis.delete(*keys.session_keys())  # the TTL runs out
    assert markdown_record_hash(AVA, sid, manager) == ("archive", markdown_line)


def test_verification_notices_a_missing_row(fake_manager: ConversationStateManager, alice: User) -> None:
    sid = busy_session(fake_manager)
    assert hold_session(grant=grant_for(alice, AVA), session_id=sid).outcome == "held"
    ArchivedMilestone.objects.filter(user_id=AVA, session_id=sid).delete()
    ArchivedMessage.objects.filter(user_id=AVA, session_id=sid, seq=7).delete()
    checks = {c.kind: c for c in verify(AVA, sid, fake_manager.read_session(AVA, sid, with_citations=True))}
    assert not checks["milestones"].ok
    assert not checks["messages"].ok
    assert checks["emotion changes"].ok
    assert checks["notes"].ok


def test_verification_compares_the_text_of_the_window(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = busy_session(fake_manager)
    assert hold_session(grant=grant_for(alice, AVA), session_id=sid).outcome == "held"
    ArchivedMessage.objects.filter(user_id=AVA, session_id=sid, seq=131).update(content="altered")
    NoteRevision.objects.filter(user_id=AVA, session_id=sid).update(fields={"session_notes": "other"})
    checks = {c.kind: c for c in verify(AVA, sid, fake_manager.read_session(AVA, sid, with_citations=True))}
    assert (checks["messages"].live, checks["messages"].archived) == (131, 130)
    assert not checks["notes"].ok


def test_activity_after_a_hold_is_not_covered_until_held_again(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = fake_manager.initialize_session(AVA, model="m")
    add_messages(fake_manager, AVA, sid, 3)
    client = login(alice)
    response = client.post(reverse("review:hold", args=[AVA, sid]), follow=True)
    page = response.content.decode()
    assert "Held for review: archived now and verified in the database (3 messages" in page
    assert '<span class="tag held">held</span>' in page
    assert 'id="hold-for-review"' not in page
    add_messages(fake_manager, AVA, sid, 1, start=4)
    page = client.get(reverse("sessions:detail", args=[AVA, sid])).content.decode()
    assert "Held through message 3" in page
    assert 'id="hold-for-review"' in page


def test_a_busy_archiver_is_waited_for_then_reported(
    fake_manager: ConversationStateManager, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sessions_app.review.hold.BUSY_WAIT_SECONDS", 0.01)
    sid = fake_manager.initialize_session(AVA, model="m")
    with LiveStore(fake_manager.redis).lock(AVA, sid, seconds=30) as acquired:
        assert acquired
        result = hold_session(grant=grant_for(alice, AVA), session_id=sid)
    assert result.outcome == "busy"
    assert not SessionHold.objects.exists()
    assert hold_session(grant=grant_for(alice, AVA), session_id=sid).outcome == "held"


def test_holding_an_archived_session_or_another_clients_is_refused(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    client = login(alice)
    assert client.post(reverse("review:hold", args=[AVA, "no-such-session"])).status_code == 404
    archived = fake_manager.initialize_session(AVA, model="m")
    add_messages(fake_manager, AVA, archived, 2)
    Archiver(fake_manager.redis, margin_seconds=10**9, index=False).archive_session(
        user_id=AVA, session_id=archived
    )
    fake_manager.redis.delete(*SessionKeys.for_session(AVA, archived).session_keys())
    page = client.post(reverse("review:hold", args=[AVA, archived]), follow=True).content.decode()
    assert "no longer in live storage" in page
    assert "served from the archive" in page
    assert not SessionHold.objects.exists()
    ben_session = fake_manager.initialize_session(BEN, model="m")
    assert client.post(reverse("review:hold", args=[BEN, ben_session])).status_code == 404
    assert not SessionHold.objects.exists()
