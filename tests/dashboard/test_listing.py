"""The session list: only assigned clients, live and archived merged once, filters, pages."""

from __future__ import annotations

import io

import pytest
import redis
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from ifemotion.accounts.identity import assign_client
from ifemotion.accounts.models import AuditAction, AuditEvent, CareAssignment, User
from sessions_app.archive.archiver import Archiver
from sessions_app.dashboard.listing import ListFilters, list_sessions
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import seed_session
from tests.support import AVA, BEN, login


def test_home_redirects_to_the_inbox_and_the_list_to_login(db: None) -> None:
    from django.test import Client

    client = Client()
    assert client.get("/")["Location"] == reverse("review:inbox")  # home is the review inbox
    assert reverse("accounts:login") in client.get(reverse("sessions:list"))["Location"]
    assert reverse("accounts:login") in client.get(reverse("review:inbox"))["Location"]


def test_a_session_both_live_and_archived_is_listed_once(
    live_manager: ConversationStateManager, alice: User
) -> None:
    sid = seed_session(live_manager, AVA)
    Archiver(live_manager.redis, margin_seconds=10**9, index=False).archive_session(
        user_id=AVA, session_id=sid
    )
    page = list_sessions([AVA], ListFilters())
    assert [(r.session_id, r.source) for r in page.rows] == [(sid, "live")]
    assert page.total == 1


def test_archived_sessions_gone_from_redis_are_still_listed(
    live_manager: ConversationStateManager, redis_backend: redis.Redis, alice: User
) -> None:
    sid = seed_session(live_manager, AVA)
    Archiver(live_manager.redis, margin_seconds=10**9, index=False).archive_session(
        user_id=AVA, session_id=sid
    )
    redis_backend.flushdb()
    page = list_sessions([AVA], ListFilters())
    assert [(r.session_id, r.source, r.message_count) for r in page.rows] == [(sid, "archive", 2)]
    body = login(alice).get(reverse("sessions:list")).content.decode()
    assert "archived" in body


def test_pages_are_newest_first_and_complete(fake_manager: ConversationStateManager, alice: User) -> None:
    sids = [fake_manager.initialize_session(AVA, model="m") for _ in range(7)]
    seen: list[str] = []
    for number in (1, 2, 3):
        page = list_sessions([AVA], ListFilters(), page=number, per_page=3)
        assert (page.total, page.pages) == (7, 3)
        seen += [row.session_id for row in page.rows]
    assert sorted(seen) == sorted(sids)
    times = [row.last_updated for row in list_sessions([AVA], ListFilters(), per_page=10).rows]
    assert times == sorted(times, reverse=True)


def test_listing_a_page_is_audited_once(fake_manager: ConversationStateManager, alice: User) -> None:
    seed_session(fake_manager, AVA)
    login(alice).get(reverse("sessions:list"))
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_LIST, actor="alice").count() == 1


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(["t1", "t2", "t3"]),
        st.sets(st.sampled_from(["c1", "c2", "c3", "c4"]), max_size=4),
        max_size=3,
    )
)
def test_the_list_equals_the_assigned_clients_live_sessions(
    fake_manager: ConversationStateManager, db: None, assignments: dict[str, set[str]]
) -> None:
    fake_manager.redis.flushdb()
    CareAssignment.objects.all().delete()
    User.objects.all().delete()
    sessions = {
        client: {fake_manager.initialize_session(client, model="m")} for client in ["c1", "c2", "c3", "c4"]
    }
    for name, clients in assignments.items():
        user = User.objects.create_user(username=name, password="x", role="therapist")
        for client_id in clients:
            assign_client(therapist=user, client_id=client_id)
        body = login(user).get(reverse("sessions:list")).content.decode()
        for client_id, sids in sessions.items():
            for sid in sids:
                assert (sid[:14] in body) == (client_id in clients), (name, client_id)


def test_seed_demo_accounts_creates_assigned_users_and_prints_credentials(
    fake_manager: ConversationStateManager, db: None, settings: Settings
) -> None:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo_accounts", AVA, BEN, stdout=out)
    text = out.getvalue()
    password = text.split("password for all: ")[1].split(")")[0]
    assert User.objects.get(username="therapist").check_password(password)
    assert set(
        CareAssignment.objects.filter(therapist__username="clinician").values_list("client_id", flat=True)
    ) == {
        AVA,
        BEN,
    }
    assert not CareAssignment.objects.filter(therapist__username="admin").exists()
    assert "TOTP secret" in text
    # The demo's fresh passwords and devices mail nobody (a real change always does: tests/security).
    call_command("seed_demo_accounts", AVA, BEN, stdout=io.StringIO())
    assert mail.outbox == []
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo_accounts", stdout=io.StringIO())


def test_the_transcript_pages_through_archive_overflow_and_window(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = fake_manager.initialize_session(AVA, model="m")
    for n in range(1, 131):
        fake_manager.append_message(AVA, sid, role="user", content=f"message number {n}.")
    client = login(alice)
    url = reverse("sessions:detail", args=[AVA, sid])
    last = client.get(url).content.decode()
    assert "messages 101\N{EN DASH}130 of 130" in last
    assert "message number 130." in last
    first = client.get(url, {"tp": "1"}).content.decode()
    assert "messages 1\N{EN DASH}50 of 130" in first
    assert "message number 1." in first
    assert "message number 51." not in first
