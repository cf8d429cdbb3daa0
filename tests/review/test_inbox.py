"""The inbox: one row per assigned client, ranked by what needs attention, filtered, live-refreshed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ifemotion.accounts.identity import assign_client, start_break_glass
from ifemotion.accounts.models import AuditEvent, User
from sessions_app.archive.archiver import Archiver
from sessions_app.errors import StateUnavailable
from sessions_app.review import audit
from sessions_app.review.cursors import mark_client_reviewed, mark_reviewed
from sessions_app.review.flags import FlagSummary
from sessions_app.review.hold import hold_session
from sessions_app.review.inbox import InboxFilters, build_inbox
from sessions_app.review.trend import trend
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.review.conftest import add_messages, grant_for
from tests.support import AVA, BEN, CLEO, login

HOUR = 3600


def live(manager: ConversationStateManager, client_id: str, messages: int, ttl_hours: float = 24 * 7) -> str:
    writer = ConversationStateManager(manager.redis, ttl_seconds=int(ttl_hours * HOUR))
    sid = writer.initialize_session(client_id, model="m")
    add_messages(writer, client_id, sid, messages)
    return sid


def order(
    user: User, clients: list[str], flags: dict[str, FlagSummary] | None = None, **filters: Any
) -> list[str]:
    inbox = build_inbox(
        clinician_id=user.pk, client_ids=clients, flags=flags or {}, now=timezone.now(),
        filters=InboxFilters(**filters),
    )  # fmt: skip
    return [row.client_id for row in inbox.rows]


@pytest.fixture
def caseload(fake_manager: ConversationStateManager, alice: User) -> list[str]:
    """Six clients of alice's, each needing attention for a different reason."""
    clients = ["c-quiet", "c-unread-old", "c-unread-new", "c-leaving", "c-leaving-sooner", "c-empty"]
    for client_id in clients:
        assign_client(therapist=alice, client_id=client_id)
    for client_id in ("c-quiet", "c-unread-old", "c-unread-new"):
        live(fake_manager, client_id, 3)
    mark_client_reviewed(grant=grant_for(alice, "c-quiet"))
    live(fake_manager, "c-leaving", 2, ttl_hours=20)
    live(fake_manager, "c-leaving-sooner", 2, ttl_hours=5)
    fake_manager.append_message("c-unread-new", fake_manager.get_user_sessions("c-unread-new")[0].session_id,
                                role="user", content="latest")  # fmt: skip
    return clients


def test_unread_comes_first_then_the_soonest_to_leave_then_the_latest_activity(
    caseload: list[str], alice: User
) -> None:
    assert order(alice, caseload) == [
        "c-leaving-sooner", "c-leaving", "c-unread-new", "c-unread-old", "c-quiet", "c-empty",
    ]  # fmt: skip


def test_open_flags_outrank_everything_by_severity_then_deadline(caseload: list[str], alice: User) -> None:
    soon, later = datetime(2026, 1, 1, 9, tzinfo=UTC), datetime(2026, 1, 1, 12, tzinfo=UTC)
    flags = {
        "c-quiet": FlagSummary(medium=1, next_deadline=later),
        "c-empty": FlagSummary(low=2, next_deadline=soon),
        "c-unread-old": FlagSummary(high=1, medium=3, next_deadline=later),
        "c-unread-new": FlagSummary(medium=1, next_deadline=soon),
    }
    assert order(alice, caseload, flags)[:4] == ["c-unread-old", "c-unread-new", "c-quiet", "c-empty"]
    assert order(alice, caseload, flags, show="flagged") == [
        "c-unread-old",
        "c-unread-new",
        "c-quiet",
        "c-empty",
    ]


def test_filters(caseload: list[str], alice: User, fake_manager: ConversationStateManager) -> None:
    fake_manager.update_emotion("c-quiet", fake_manager.get_user_sessions("c-quiet")[0].session_id,
                                emotion="anxious", intensity=0.6, confidence=0.7)  # fmt: skip
    assert order(alice, caseload, show="reviewed") == ["c-empty"]  # c-quiet's new emotion change is unread
    assert order(alice, caseload, show="expiring") == ["c-leaving-sooner", "c-leaving"]
    assert set(order(alice, caseload, show="unread")) == set(caseload) - {"c-empty"}
    assert order(alice, caseload, emotion="anxious") == ["c-quiet"]
    assert order(alice, caseload, query="LEAVING") == ["c-leaving-sooner", "c-leaving"]


def test_the_trend_compares_the_last_two_sessions_tone() -> None:
    assert trend(("happy", 0.6), ("anxious", 0.8)).direction == "up"
    assert trend(("anxious", 0.8), ("anxious", 0.3)).direction == "down"
    assert trend(("exploring", 0.4), ("neutral", 0.0)).direction == "steady"
    assert trend(("happy", 0.6), None).direction == "unknown"
    # Any label of the vocabulary, by its valence (not only the design report's eight).
    assert trend(("calm", 0.6), ("sad", 0.7)).direction == "up"
    assert trend(("hopeless", 0.8), ("hopeful", 0.5)).direction == "down"


def test_the_row_says_where_to_start_reading(fake_manager: ConversationStateManager, alice: User) -> None:
    sid = live(fake_manager, AVA, 12)
    mark_reviewed(grant=grant_for(alice, AVA), session_id=sid, seq=9)
    (row,) = build_inbox(
        clinician_id=alice.pk, client_ids=[AVA], flags={}, now=timezone.now(), filters=InboxFilters()
    ).rows
    assert row.next_url == f"/clients/{AVA}/sessions/{sid}/?m=10#m10"
    assert row.last_review is not None
    assert row.last_review.seq == 9


def test_the_inbox_is_home_and_lists_assigned_clients_only(
    fake_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    live(fake_manager, AVA, 2)
    live(fake_manager, BEN, 2)
    start_break_glass(user=alice, client_id=CLEO, reason="client in crisis, assigned therapist unreachable")
    client = login(alice)
    assert client.get("/")["Location"] == reverse("review:inbox")
    page = client.get(reverse("review:inbox")).content.decode()
    assert f'data-client="{AVA}"' in page
    assert BEN not in page
    assert f'data-client="{CLEO}"' not in page
    assert 'Open risk flags <span class="count">0</span>' in page  # the risk flags, none open
    assert AuditEvent.objects.filter(action=audit.INBOX_VIEWED, actor="alice").count() == 1


def test_live_refresh_answers_204_until_something_changes(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = live(fake_manager, AVA, 2)
    client = login(alice)
    page = client.get(reverse("review:inbox")).content.decode()
    token = page.split("token=", 1)[1].split("&", 1)[0].split('"', 1)[0]
    live_url = reverse("review:inbox_live")
    assert client.get(live_url, {"token": token}).status_code == 204
    fake_manager.append_message(AVA, sid, role="user", content="new")
    fresh = client.get(live_url, {"token": token})
    assert fresh.status_code == 200
    assert "3 messages" in fresh.content.decode()
    assert AuditEvent.objects.filter(action=audit.INBOX_VIEWED).count() == 1  # polls are not page views


def test_mark_all_and_unread_from_the_inbox(fake_manager: ConversationStateManager, alice: User) -> None:
    live(fake_manager, AVA, 2)
    client = login(alice)
    page = client.post(
        reverse("review:mark", args=[AVA]), {"scope": "client", "next": "/inbox/?show=unread"}, follow=True
    )
    assert page.redirect_chain[-1][0] == "/inbox/?show=unread"
    assert "Marked 1 session of client-ava reviewed." in page.content.decode()
    assert "No client matches these filters." in page.content.decode()
    page = client.post(reverse("review:unread", args=[AVA]), {"scope": "client"}, follow=True)
    assert "Every session of client-ava is unread again." in page.content.decode()
    assert "2 messages" in page.content.decode()


def test_review_writes_need_an_assignment(
    fake_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    sid = live(fake_manager, AVA, 2)
    start_break_glass(user=bob, client_id=AVA, reason="client in crisis, assigned therapist unreachable")
    client = login(bob)
    page = client.get(reverse("sessions:detail", args=[AVA, sid])).content.decode()
    assert "Leaves live storage in" in page
    assert 'id="mark-reviewed"' not in page
    for url, data in (
        (reverse("review:mark", args=[AVA]), {"scope": "client"}),
        (reverse("review:unread", args=[AVA]), {"scope": "client"}),
        (reverse("review:hold", args=[AVA, sid]), {}),
    ):
        assert client.post(url, data).status_code == 404


def test_redis_down_still_shows_archived_counts(alice: User, monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise StateUnavailable("down")

    monkeypatch.setattr("sessions_app.review.tallies.live_entries", down)
    response = login(alice).get(reverse("review:inbox"))
    assert response.status_code == 503
    assert "Live records temporarily unavailable" in response.content.decode()


def test_live_and_archived_sessions_of_one_client_add_up_once(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    old = live(fake_manager, AVA, 5)
    fake_manager.update_emotion(AVA, old, emotion="anxious", intensity=0.9, confidence=0.8)
    Archiver(fake_manager.redis, margin_seconds=10**9, index=False).archive_session(
        user_id=AVA, session_id=old
    )
    fake_manager.redis.delete(*SessionKeys.for_session(AVA, old).session_keys())  # archived only
    held = live(fake_manager, AVA, 3)  # live and (after the hold) archived too
    assert hold_session(grant=grant_for(alice, AVA), session_id=held).outcome == "held"
    fake_manager.update_emotion(AVA, held, emotion="happy", intensity=0.6, confidence=0.8)
    mark_reviewed(grant=grant_for(alice, AVA), session_id=old, seq=2)

    (row,) = build_inbox(
        clinician_id=alice.pk, client_ids=[AVA], flags={}, now=timezone.now(), filters=InboxFilters()
    ).rows
    assert (row.sessions, row.live_sessions) == (2, 1)
    assert (row.unread.messages, row.unread.emotion_changes) == (3 + 3, 1 + 1)
    assert row.unread_sessions == 2
    assert (row.emotion, row.trend.direction) == ("happy", "up")  # live happy after archived anxious
    assert row.next_url == f"/clients/{AVA}/sessions/{held}/?m=1#m1"  # the latest with unread
    mark_reviewed(grant=grant_for(alice, AVA), session_id=held)
    (row,) = build_inbox(
        clinician_id=alice.pk, client_ids=[AVA], flags={}, now=timezone.now(), filters=InboxFilters()
    ).rows
    assert row.next_url == f"/clients/{AVA}/sessions/{old}/?m=3#m3"  # then the archived one
