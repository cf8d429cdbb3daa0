"""Read cursors and unread counts: per clinician, from counts only, the same from Redis and the archive."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ifemotion.accounts.models import AuditEvent, User
from sessions_app.archive.archiver import Archiver
from sessions_app.review import audit
from sessions_app.review.cursors import cursors_for, mark_client_reviewed, mark_reviewed, mark_unread
from sessions_app.review.inbox import InboxFilters, build_inbox
from sessions_app.review.status import SessionReview, holds_for, session_reviews
from sessions_app.review.tallies import Counts, gather
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.review.conftest import add_messages, grant_for
from tests.support import AVA, login


def review_of(user: User, client_id: str, session_id: str) -> SessionReview:
    tallies = gather([client_id])
    reviews = session_reviews(
        tallies.sessions, cursors=cursors_for(user.pk, [client_id]), holds=holds_for([client_id]), flags={},
        now=timezone.now(),
    )  # fmt: skip
    (review,) = [r for r in reviews if r.session_id == session_id]
    return review


def inbox_unread(user: User, client_id: str) -> Counts:
    inbox = build_inbox(
        clinician_id=user.pk, client_ids=[client_id], flags={}, now=timezone.now(), filters=InboxFilters()
    )
    (row,) = inbox.rows
    return row.unread


@pytest.mark.django_db(transaction=False)
def test_a_review_to_40_then_15_messages_and_a_milestone_are_exactly_what_is_unread(
    live_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    sid = live_manager.initialize_session(AVA, model="m")
    add_messages(live_manager, AVA, sid, 40)
    carmen_before = review_of(carmen, AVA, sid).unread

    mark_reviewed(grant=grant_for(alice, AVA), session_id=sid, seq=40)
    assert review_of(carmen, AVA, sid).unread == carmen_before == Counts(40, 0, 0, 0)  # B unchanged
    assert review_of(alice, AVA, sid).unread == Counts()

    add_messages(live_manager, AVA, sid, 7, start=41)
    live_manager.record_milestone(AVA, sid, description="Named the pattern")
    add_messages(live_manager, AVA, sid, 8, start=48)

    alice_live = review_of(alice, AVA, sid)
    assert alice_live.unread == Counts(messages=15, milestones=1)
    assert inbox_unread(alice, AVA) == Counts(messages=15, milestones=1)
    carmen_live = review_of(carmen, AVA, sid).unread
    assert carmen_live == Counts(messages=55, milestones=1)

    # The session leaves Redis (archived at T-24 h by the archiver, then its TTL runs out).
    Archiver(live_manager.redis, margin_seconds=10**9, index=False).archive_session(
        user_id=AVA, session_id=sid
    )
    live_manager.redis.delete(*SessionKeys.for_session(AVA, sid).session_keys())
    alice_archived = review_of(alice, AVA, sid)
    assert alice_archived.tally.source == "archive"
    assert alice_archived.unread == alice_live.unread
    assert inbox_unread(alice, AVA) == Counts(messages=15, milestones=1)
    assert review_of(carmen, AVA, sid).unread == carmen_live


def test_emotion_changes_and_breakthroughs_are_counted_after_the_cursor(
    live_manager: ConversationStateManager, alice: User
) -> None:
    sid = live_manager.initialize_session(AVA, model="m")
    add_messages(live_manager, AVA, sid, 3)
    live_manager.update_emotion(AVA, sid, emotion="anxious", intensity=0.7, confidence=0.8)
    mark_reviewed(grant=grant_for(alice, AVA), session_id=sid)
    live_manager.append_message(
        AVA, sid, role="user", content="x", emotion="happy", intensity=0.5, confidence=0.5
    )
    live_manager.record_breakthrough(
        AVA, sid, description="d", category="pattern_recognition", confidence=0.9, evidence=[]
    )
    assert review_of(alice, AVA, sid).unread == Counts(messages=1, breakthroughs=1, emotion_changes=1)


def test_up_to_here_covers_what_was_recorded_before_the_next_message(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    clock = iter(datetime(2026, 1, 5, 9, 0, s, tzinfo=UTC) for s in range(60))
    manager = ConversationStateManager(fake_manager.redis, clock=lambda: next(clock))
    sid = manager.initialize_session(AVA, model="m")
    add_messages(manager, AVA, sid, 5)
    manager.record_milestone(AVA, sid, description="after message 5")
    manager.update_emotion(AVA, sid, emotion="exploring", intensity=0.4, confidence=0.6)
    add_messages(manager, AVA, sid, 5, start=6)
    manager.record_milestone(AVA, sid, description="after message 10")

    saved = mark_reviewed(grant=grant_for(alice, AVA), session_id=sid, seq=5)
    assert saved == Counts(messages=5, milestones=1, emotion_changes=1)
    assert review_of(alice, AVA, sid).unread == Counts(messages=5, milestones=1)
    # Moving back is not a thing "mark reviewed" does; "mark unread" is.
    assert mark_reviewed(grant=grant_for(alice, AVA), session_id=sid, seq=2) == saved
    assert mark_unread(grant=grant_for(alice, AVA), session_id=sid) == 1
    assert review_of(alice, AVA, sid).unread == Counts(messages=10, milestones=2, emotion_changes=1)


def test_what_arrived_after_the_page_was_drawn_stays_unread(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = fake_manager.initialize_session(AVA, model="m")
    add_messages(fake_manager, AVA, sid, 4)
    shown = Counts(messages=4)
    fake_manager.record_milestone(AVA, sid, description="arrived while reading")
    add_messages(fake_manager, AVA, sid, 1, start=5)
    mark_reviewed(grant=grant_for(alice, AVA), session_id=sid, shown=shown)
    assert review_of(alice, AVA, sid).unread == Counts(messages=1, milestones=1)


def test_whole_client_and_unread_are_audited(
    fake_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    first, second = (fake_manager.initialize_session(AVA, model="m") for _ in range(2))
    add_messages(fake_manager, AVA, first, 3)
    add_messages(fake_manager, AVA, second, 2)
    assert mark_client_reviewed(grant=grant_for(alice, AVA)) == 2
    assert inbox_unread(alice, AVA) == Counts()
    assert inbox_unread(carmen, AVA) == Counts(messages=5)
    mark_unread(grant=grant_for(alice, AVA))
    assert inbox_unread(alice, AVA) == Counts(messages=5)
    events = list(AuditEvent.objects.filter(actor="alice", client_id=AVA).order_by("id"))
    assert [(e.action, e.detail["scope"]) for e in events] == [
        (audit.REVIEW_MARKED, "client"),
        (audit.REVIEW_UNMARKED, "client"),
    ]
    assert all("message" not in str(e.detail) for e in events)


def test_marking_through_the_pages(fake_manager: ConversationStateManager, alice: User) -> None:
    sid = fake_manager.initialize_session(AVA, model="m")
    add_messages(fake_manager, AVA, sid, 6)
    client = login(alice)
    detail = reverse("sessions:detail", args=[AVA, sid])
    page = client.get(detail).content.decode()
    assert "New since your last review:</strong> 6 messages" in page
    response = client.post(
        reverse("review:mark", args=[AVA]),
        {"scope": "session", "session_id": sid, "seq": 4, "messages": 6, "milestones": 0, "breakthroughs": 0,
         "emotion_changes": 0, "next": detail + "#review"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == detail + "#review"
    page = client.get(detail).content.decode()
    assert "New since your last review:</strong> 2 messages" in page
    assert "Marked reviewed up to message 4." in page
    listing = client.get(reverse("sessions:list")).content.decode()
    assert "<strong>2 messages</strong>" in listing

    # A foreign "next" never redirects off the site.
    response = client.post(
        reverse("review:mark", args=[AVA]), {"scope": "client", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("review:inbox")
    assert "all reviewed" in client.get(reverse("review:inbox")).content.decode()


def test_bad_mark_input_is_a_message_not_an_error(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    client = login(alice)
    for data in (
        {"scope": "session"},
        {"scope": "session", "session_id": "../etc"},
        {"scope": "session", "session_id": "s", "seq": "-3"},
        {"scope": "session", "session_id": "s", "messages": "4"},
        {"scope": "nonsense"},
    ):
        response = client.post(reverse("review:mark", args=[AVA]), data, follow=True)
        assert response.status_code == 200, data
        assert "Nothing was marked" in response.content.decode()
    assert (
        client.post(
            reverse("review:mark", args=[AVA]), {"scope": "session", "session_id": "no-such-session"}
        ).status_code
        == 404
    )


def test_mark_reviewed_on_an_earlier_transcript_page_stops_at_its_last_message(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = fake_manager.initialize_session(AVA, model="m")
    add_messages(fake_manager, AVA, sid, 70)
    client = login(alice)
    page = client.get(reverse("sessions:detail", args=[AVA, sid]) + "?tp=1").content.decode()
    assert 'name="seq" value="50"' in page  # transcript page 1 holds messages 1-50
    latest = client.get(reverse("sessions:detail", args=[AVA, sid])).content.decode()
    assert "everything this page shows" in latest


def test_the_session_page_links_to_the_first_unread_message(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = fake_manager.initialize_session(AVA, model="m")
    add_messages(fake_manager, AVA, sid, 70)
    url = reverse("sessions:detail", args=[AVA, sid])
    client = login(alice)
    assert f'href="{url}?m=1#m1" id="next-unread"' in client.get(url).content.decode()

    mark_reviewed(grant=grant_for(alice, AVA), session_id=sid, seq=42)
    page = client.get(url).content.decode()
    assert f'href="{url}?m=43#m43" id="next-unread"' in page
    # The link opens the transcript page that holds message 43, with it highlighted.
    opened = client.get(f"{url}?m=43").content.decode()
    assert 'id="m43" aria-current="true"' in opened

    mark_reviewed(grant=grant_for(alice, AVA), session_id=sid, seq=70)
    assert 'id="next-unread"' not in client.get(url).content.decode()
