"""The risk pages and API reads: the inbox sorted by severity and age with countdowns, a flag with
±3 turns highlighted, transitions with a required note (form error), banners on the client's pages,
and access (a flag of an unassigned client is a 404, the same as one that does not exist)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytest_django.fixtures import Settings

from ifemotion.accounts.models import AuditAction, AuditEvent, User
from sessions_app.risk.models import FlagState, RiskFlag
from sessions_app.risk.worker import RiskWorker
from sessions_app.state.manager import ConversationStateManager
from tests.risk.conftest import write_turns
from tests.risk.factories import make_flag
from tests.sessions_app.api_support import ApiClient
from tests.support import AVA, BEN, login

pytestmark = pytest.mark.django_db
RISKY = "I want to kill myself."


@pytest.fixture(autouse=True)
def plain_http(settings: Settings, locmem_cache: None) -> None:
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def conversation(fake_manager: ConversationStateManager) -> RiskFlag:
    """A live session of client-ava with the flagged message (#5) in the middle of ten turns."""
    turns = [("user" if i % 2 else "assistant", f"Turn number {i}.") for i in range(1, 11)]
    turns[4] = ("user", RISKY)
    write_turns(fake_manager, AVA, turns, session_id="s-ctx")
    RiskWorker(fake_manager.redis).run_pass()
    return RiskFlag.objects.get()


def test_inbox_sorts_by_severity_then_age_with_countdowns(alice: User) -> None:
    low = make_flag(AVA, "I feel like such a burden to everyone.", seq=1)
    high_new = make_flag(AVA, "I'm going to kill myself tonight.", seq=2)
    high_old = make_flag(AVA, "I have a plan to kill myself.", seq=3)
    RiskFlag.objects.filter(pk=high_old.pk).update(
        raised_at=high_new.raised_at - timedelta(hours=1),
        deadline_at=high_new.raised_at - timedelta(minutes=45),
    )
    page = login(alice).get("/risk/")
    assert page.status_code == 200
    rows = [flag.pk for flag, _ in page.context["rows"]]
    assert rows == [high_old.pk, high_new.pk, low.pk]
    html = page.content.decode()
    assert "overdue by" in html
    assert "due in" in html
    assert "not a crisis service" in html
    assert AuditEvent.objects.filter(action=AuditAction.RISK_INBOX_VIEWED, actor="alice").exists()


def test_inbox_shows_no_flags_of_unassigned_clients(alice: User, bob: User) -> None:
    make_flag(AVA, RISKY)
    page = login(bob).get("/risk/")
    assert page.context["rows"] == []
    assert RISKY not in page.content.decode()
    assert login(bob).get(f"/risk/?client={AVA}").context["rows"] == []


def test_a_flag_of_an_unassigned_client_is_404_like_a_missing_one(alice: User, bob: User) -> None:
    flag = make_flag(AVA, RISKY)
    assert login(bob).get(f"/risk/flags/{flag.pk}/").status_code == 404
    assert login(bob).get("/risk/flags/999999/").status_code == 404
    refused = login(bob).post(f"/risk/flags/{flag.pk}/change", {"action": "acknowledge", "note": "x"})
    assert refused.status_code == 404
    assert RiskFlag.objects.get(pk=flag.pk).state == FlagState.OPEN
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, actor="bob").exists()


def test_flag_page_shows_three_turns_either_side_highlighted(alice: User, conversation: RiskFlag) -> None:
    page = login(alice).get(f"/risk/flags/{conversation.pk}/")
    assert page.status_code == 200
    seqs = [m.seq for m in page.context["around"].items]
    assert seqs == [2, 3, 4, 5, 6, 7, 8]
    html = page.content.decode()
    assert 'id="m5" aria-current="true"' in html
    assert "Turn number 9." not in html
    assert f"/clients/{AVA}/sessions/s-ctx/?m=5#m5" in html
    assert AuditEvent.objects.filter(action=AuditAction.RISK_FLAG_VIEWED, client_id=AVA).exists()


def test_acknowledge_without_a_note_is_a_form_error(alice: User, conversation: RiskFlag) -> None:
    page = login(alice).post(f"/risk/flags/{conversation.pk}/change", {"action": "acknowledge", "note": "  "})
    assert page.status_code == 400
    assert "A note is required" in page.content.decode()
    assert RiskFlag.objects.get(pk=conversation.pk).state == FlagState.OPEN


def test_acknowledge_then_resolve_from_the_page(alice: User, conversation: RiskFlag) -> None:
    client = login(alice)
    done = client.post(f"/risk/flags/{conversation.pk}/change", {"action": "acknowledge", "note": "Calling."})
    assert done.status_code == 302
    client.post(f"/risk/flags/{conversation.pk}/change", {"action": "resolve", "note": "Safe; plan agreed."})
    flag = RiskFlag.objects.get(pk=conversation.pk)
    assert (flag.state, flag.closed_by) == (FlagState.RESOLVED, "alice")
    page = client.get(f"/risk/flags/{conversation.pk}/").content.decode()
    assert "Safe; plan agreed." in page
    assert "This flag is closed" in page


def test_a_closed_flag_cannot_be_reopened_from_the_page(alice: User, conversation: RiskFlag) -> None:
    client = login(alice)
    client.post(f"/risk/flags/{conversation.pk}/change", {"action": "acknowledge", "note": "a"})
    client.post(f"/risk/flags/{conversation.pk}/change", {"action": "false_positive", "note": "b"})
    again = client.post(f"/risk/flags/{conversation.pk}/change", {"action": "acknowledge", "note": "c"})
    assert again.status_code == 409


def test_banners_on_the_session_list_and_session_page(alice: User, conversation: RiskFlag) -> None:
    client = login(alice)
    listing = client.get(f"/sessions/?client={AVA}").content.decode()
    assert "1 unresolved risk flag" in listing
    assert "1 high" in listing
    detail = client.get(f"/clients/{AVA}/sessions/s-ctx/").content.decode()
    assert "This session: 1 flag" in detail
    assert "not a clinical assessment" in detail
    menu = client.get("/risk/").content.decode()
    assert 'class="nav-badge"' in menu


def test_no_banner_without_flags(alice: User, fake_manager: ConversationStateManager) -> None:
    assert "risk-banner" not in login(alice).get("/sessions/").content.decode()


def test_client_text_in_a_flag_is_escaped(alice: User) -> None:
    make_flag(AVA, "<script>alert(1)</script> I want to kill myself.")
    html = login(alice).get("/risk/").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


# --- API reads -----------------------------------------------------------------------------------


def test_api_lists_and_reads_flags_with_a_read_token(reporting: ApiClient, alice: User) -> None:
    flag = make_flag(AVA, RISKY)
    make_flag(BEN, "I just want to die.")
    listing = reporting.get(f"/users/{AVA}/risk-flags")
    assert listing.status_code == 200
    body = listing.json()
    assert [f["flag_id"] for f in body["flags"]] == [flag.pk]
    assert body["flags"][0]["excerpt"] == RISKY
    one = reporting.get(f"/risk-flags/{flag.pk}").json()
    audited = AuditEvent.objects.filter(action=AuditAction.API_REQUEST).order_by("-id").first()
    assert audited is not None
    assert (audited.client_id, audited.detail["endpoint"]) == (AVA, "get_risk_flag")
    assert one["state"] == "open"
    assert one["events"] == []
    assert reporting.get(f"/users/{AVA}/risk-flags", {"state": "resolved"}).json()["count"] == 0
    assert reporting.get("/risk-flags/424242").status_code == 404
    assert reporting.get(f"/users/{AVA}/risk-flags", {"limit": 0}).status_code in (400, 422)


def test_api_flag_reads_need_a_token(client: object, db: None) -> None:
    from django.test import Client

    assert ApiClient(Client(), None).get(f"/users/{AVA}/risk-flags").status_code == 401
