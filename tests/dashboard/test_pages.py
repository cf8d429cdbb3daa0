"""The session list, the session page, notes and live refresh, through the Django test client."""

from __future__ import annotations

import re
from typing import Any

import redis
from django.test import Client
from django.urls import reverse

from ifemotion.accounts.models import AuditAction, AuditEvent, User
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import seed_session
from tests.support import AVA, BEN, login


def detail_url(client_id: str, session_id: str) -> str:
    return reverse("sessions:detail", args=[client_id, session_id])


def notes_url(client_id: str, session_id: str) -> str:
    return reverse("sessions:notes", args=[client_id, session_id])


def test_list_shows_only_the_assigned_clients_sessions(
    live_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    mine = seed_session(live_manager, AVA)
    theirs = seed_session(live_manager, BEN)
    response = login(alice).get(reverse("sessions:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert mine[:14] in body
    assert theirs[:14] not in body
    assert "anxious" in body
    assert response["Cache-Control"].count("no-store") == 1


def test_list_filters_by_emotion_status_and_date(live_manager: ConversationStateManager, alice: User) -> None:
    sid = seed_session(live_manager, AVA)
    client = login(alice)
    assert sid[:14] in client.get(reverse("sessions:list"), {"emotion": "anxious"}).content.decode()
    assert sid[:14] not in client.get(reverse("sessions:list"), {"emotion": "happy"}).content.decode()
    assert sid[:14] not in client.get(reverse("sessions:list"), {"status": "closed"}).content.decode()
    assert sid[:14] not in client.get(reverse("sessions:list"), {"until": "2001-01-01"}).content.decode()
    assert (
        sid[:14]
        in client.get(reverse("sessions:list"), {"since": "2001-01-01", "client": AVA}).content.decode()
    )


def test_detail_shows_state_journey_chart_milestones_breakthroughs_transcript(
    live_manager: ConversationStateManager, alice: User
) -> None:
    sid = seed_session(live_manager, AVA)
    response = login(alice).get(detail_url(AVA, sid))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body
    assert "Emotional journey" in body
    for text in (
        "I felt calmer today.",
        "Named a trigger",
        "Linked sleep and mood",
        "pattern_recognition",
        "first notes",
    ):
        assert text in body
    assert 'data-hx-trigger="every 3s"' in body
    assert "no-store" in response["Cache-Control"]
    assert (
        AuditEvent.objects.filter(action=AuditAction.SESSION_VIEWED, client_id=AVA, session_id=sid).count()
        == 1
    )


def test_detail_of_unknown_session_is_404(live_manager: ConversationStateManager, alice: User) -> None:
    assert login(alice).get(detail_url(AVA, "no-such-session")).status_code == 404


def test_saving_notes_writes_the_snapshot_a_revision_and_an_audit_row(
    live_manager: ConversationStateManager, alice: User
) -> None:
    from sessions_app.models import NoteRevision

    sid = seed_session(live_manager, AVA)
    client = login(alice)
    response = client.post(notes_url(AVA, sid), {"version": 1, "base": "first notes", "text": "better notes"})
    assert response.status_code == 302
    assert live_manager.read_session(AVA, sid).context.session_notes == "better notes"
    assert NoteRevision.objects.filter(user_id=AVA, session_id=sid, version=2).exists()
    event = AuditEvent.objects.get(action=AuditAction.NOTES_EDITED)
    assert "better notes" not in str(event.detail)
    assert "Notes saved. This is version 2." in client.get(response["Location"]).content.decode()


def test_saving_notes_does_not_extend_how_long_redis_keeps_the_session(
    live_manager: ConversationStateManager, alice: User
) -> None:
    sid = seed_session(live_manager, AVA)
    keys = SessionKeys.for_session(AVA, sid)
    for key in keys.all():
        live_manager.redis.pexpire(key, 50_000)

    response = login(alice).post(notes_url(AVA, sid), {"version": 1, "base": "first notes", "text": "later"})

    assert response.status_code == 302
    assert live_manager.read_session(AVA, sid).context.session_notes == "later"
    ttls = [live_manager.redis.pttl(key) for key in keys.all() if live_manager.redis.exists(key)]
    assert all(0 < ttl <= 50_000 for ttl in ttls), ttls


def test_second_saver_sees_both_texts_and_can_merge(
    live_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    from ifemotion.accounts.identity import assign_client

    assign_client(therapist=bob, client_id=AVA)
    sid = seed_session(live_manager, AVA)
    first, second = login(alice), login(bob)
    assert (
        first.post(
            notes_url(AVA, sid), {"version": 1, "base": "first notes", "text": "alice's text"}
        ).status_code
        == 302
    )
    response = second.post(notes_url(AVA, sid), {"version": 1, "base": "first notes", "text": "bob's text"})
    body = response.content.decode()
    assert response.status_code == 409
    assert "alice&#x27;s text" in body
    assert "bob&#x27;s text" in body
    assert "not saved" in body
    assert live_manager.read_session(AVA, sid).context.session_notes == "alice's text"
    merged = {"version": 2, "base": "alice's text", "text": "alice's text\nbob's text"}
    assert second.post(notes_url(AVA, sid), merged).status_code == 302
    context = live_manager.read_session(AVA, sid).context
    assert (context.session_notes, context.version) == ("alice's text\nbob's text", 3)


def test_a_snapshot_change_that_left_the_notes_alone_is_not_a_conflict(
    live_manager: ConversationStateManager, alice: User
) -> None:
    sid = seed_session(live_manager, AVA)
    live_manager.update_context_snapshot(AVA, sid, current_theme="sleep")  # the chatbot, version 2
    response = login(alice).post(notes_url(AVA, sid), {"version": 1, "base": "first notes", "text": "mine"})
    assert response.status_code == 302
    context = live_manager.read_session(AVA, sid).context
    assert (context.session_notes, context.current_theme, context.version) == ("mine", "sleep", 3)


def test_too_long_notes_are_refused_and_kept_in_the_form(
    live_manager: ConversationStateManager, alice: User, settings: object
) -> None:
    sid = seed_session(live_manager, AVA)
    response = login(alice).post(
        notes_url(AVA, sid), {"version": 1, "base": "first notes", "text": "x" * 60_000}
    )
    assert response.status_code == 400
    assert live_manager.read_session(AVA, sid).context.session_notes == "first notes"
    assert "saved" not in re.sub(r"not saved|Notes not saved", "", response.content.decode()).lower()


def test_live_check_answers_204_until_something_changes(
    live_manager: ConversationStateManager, alice: User
) -> None:
    sid = seed_session(live_manager, AVA)
    client = login(alice)
    page = client.get(detail_url(AVA, sid)).content.decode()
    live = re.search(r'data-hx-get="([^"]+)"', page)
    assert live is not None
    url = live.group(1).replace("&amp;", "&")
    assert client.get(url).status_code == 204
    live_manager.append_message(AVA, sid, role="user", content="A brand new message")
    fresh = client.get(url)
    assert fresh.status_code == 200
    assert "A brand new message" in fresh.content.decode()
    assert "<form" not in fresh.content.decode()  # the notes form is never replaced


def test_a_corrupt_message_is_an_unreadable_row_not_an_error(
    live_manager: ConversationStateManager, redis_backend: redis.Redis, alice: User
) -> None:
    sid = seed_session(live_manager, AVA)
    redis_backend.rpush(SessionKeys.for_session(AVA, sid).messages, b"\xff\xfe{bad")
    response = login(alice).get(detail_url(AVA, sid))
    assert response.status_code == 200
    assert "unreadable entry" in response.content.decode()


def test_wrong_type_metadata_is_a_clear_page_not_a_500(
    live_manager: ConversationStateManager, redis_backend: redis.Redis, alice: User
) -> None:
    sid = seed_session(live_manager, AVA)
    keys = SessionKeys.for_session(AVA, sid)
    redis_backend.delete(keys.metadata)
    redis_backend.set(keys.metadata, "not a hash")
    client = login(alice)
    response = client.get(detail_url(AVA, sid))
    assert response.status_code == 503
    assert "unreadable" in response.content.decode()
    listing = client.get(reverse("sessions:list"))
    assert listing.status_code == 200
    assert "unreadable entry" in listing.content.decode()


def test_forms_require_csrf(live_manager: ConversationStateManager, alice: User) -> None:
    sid = seed_session(live_manager, AVA)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    response = strict.post(notes_url(AVA, sid), {"version": 1, "base": "", "text": "forged"})
    assert response.status_code == 403
    assert live_manager.read_session(AVA, sid).context.session_notes == "first notes"
    assert strict.post(reverse("accounts:logout")).status_code == 403


def test_notes_save_is_post_only(live_manager: ConversationStateManager, alice: User) -> None:
    sid = seed_session(live_manager, AVA)
    assert login(alice).get(notes_url(AVA, sid), {"version": "1", "text": "x"}).status_code == 405


def test_pages_carry_csp_without_inline_scripts(live_manager: ConversationStateManager, alice: User) -> None:
    sid = seed_session(live_manager, AVA)
    client = login(alice)
    for url in (reverse("sessions:list"), detail_url(AVA, sid), reverse("accounts:login")):
        response = client.get(url, follow=True)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        body = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), url
        assert not re.search(r"\sstyle=|<style", body), url
        assert not re.search(r"\son[a-z]+=", body), url


def test_the_session_page_offers_downloads_only_to_export_roles(
    fake_manager: ConversationStateManager, alice: User, settings: Any
) -> None:
    sid = seed_session(fake_manager, AVA)
    markdown = reverse("exports:markdown", args=[AVA, sid])

    assert markdown in login(alice).get(detail_url(AVA, sid)).content.decode()
    settings.EXPORT_ROLES = ["clinician"]
    assert markdown not in login(alice).get(detail_url(AVA, sid)).content.decode()


def test_the_list_offers_a_zip_of_the_selected_clients_sessions(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    first = seed_session(fake_manager, AVA)
    second = seed_session(fake_manager, AVA)
    client = login(alice)

    unfiltered = client.get(reverse("sessions:list")).content.decode()
    filtered = client.get(reverse("sessions:list"), {"client": AVA}).content.decode()

    assert reverse("exports:zip", args=[AVA]) not in unfiltered
    assert reverse("exports:zip", args=[AVA]) in filtered
    assert f'name="session" value="{first}"' in filtered
    assert f'name="session" value="{second}"' in filtered
    zipped = client.get(reverse("exports:zip", args=[AVA]), {"session": [first, second], "format": "md"})
    assert zipped.status_code == 200
    assert zipped["Content-Type"] == "application/zip"


def test_a_deep_link_opens_the_transcript_page_of_the_message_highlighted(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    from sessions_app.dashboard.pages import TRANSCRIPT_PAGE, message_url

    sid = fake_manager.initialize_session(AVA, model="m")
    for n in range(1, TRANSCRIPT_PAGE + 11):
        fake_manager.append_message(AVA, sid, role="user", content=f"line {n}")
    url = message_url(AVA, sid, 7)
    assert url.endswith("?m=7#m7")

    body = login(alice).get(url).content.decode()

    assert "line 7<" in body
    assert f"line {TRANSCRIPT_PAGE + 1}<" not in body  # page 1, not the latest
    focused = re.findall(r'<li class="msg role-user focus" id="m(\d+)" aria-current="true">', body)
    assert focused == ["7"]
    assert body.count("aria-current") == 1
