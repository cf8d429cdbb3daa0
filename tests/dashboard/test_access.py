"""Access: the matrix over every URL that takes a client or session id, and break-glass.

The URL list is built from the URLconf, so a view added later (an export, say) is checked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.http import Http404
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from ifemotion.accounts.identity import AccessChangeError, start_break_glass, unassign_client
from ifemotion.accounts.models import AuditAction, AuditEvent, BreakGlassGrant, User
from sessions_app.access import check_client_access
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import seed_session
from tests.support import AVA, BEN, CLEO, login

CANARY = "CANARY-AVA-7731"
REASON = "client in crisis, assigned therapist unreachable"


def record_url_names() -> Iterator[tuple[str, set[str]]]:
    """(namespaced name, its kwargs) of every URL pattern that takes a client_id or session_id."""

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> Iterator[tuple[str, set[str]]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, inner)
            elif entry.name and not namespace.startswith("api"):
                # The chatbot's HTTP API (bearer tokens, no dashboard personas) has its own tests.
                converters = set(getattr(entry.pattern, "converters", {}))
                if converters & {"client_id", "session_id"}:
                    yield f"{namespace}{entry.name}", converters

    yield from walk(get_resolver().url_patterns, "")


RECORD_URLS = sorted(record_url_names())


def test_the_matrix_covers_the_dashboard_urls() -> None:
    names = {name for name, _ in RECORD_URLS}
    assert {"sessions:detail", "sessions:live", "sessions:notes"} <= names


def request_as(client: Client, url: str) -> tuple[int, bytes]:
    """GET, or POST when the view only takes POST (with the fields a notes form sends)."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {"version": 1, "base": "", "text": "probe"})
    return response.status_code, response.content


@pytest.fixture
def ava_session(fake_manager: ConversationStateManager) -> str:
    return seed_session(fake_manager, AVA, message=f"I said {CANARY}")


@pytest.mark.parametrize(("name", "kwargs"), RECORD_URLS, ids=[n for n, _ in RECORD_URLS])
@pytest.mark.parametrize("persona", ["alice", "bob", "clara", "root", "anonymous"])
def test_access_matrix(
    persona: str,
    name: str,
    kwargs: set[str],
    ava_session: str,
    alice: User,
    bob: User,
    clara: User,
    root: User,
) -> None:
    values = {"client_id": AVA, "session_id": ava_session}
    try:
        url = reverse(name, kwargs={k: values[k] for k in kwargs})
    except KeyError:
        pytest.skip(f"{name} takes other arguments ({sorted(kwargs)}); its own tests cover it")
    users = {"alice": alice, "bob": bob, "clara": clara, "root": root}
    client = login(users[persona]) if persona in users else Client()
    status, body = request_as(client, url)
    if persona == "alice":
        assert status in {200, 204, 302, 400, 409}, (url, status)
        return
    assert CANARY.encode() not in body
    if persona == "anonymous":
        assert status == 302
        return
    assert status == 404, (persona, url, status)
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, actor=persona, client_id=AVA).exists()


def test_unknown_client_answers_exactly_like_an_unassigned_one(ava_session: str, bob: User) -> None:
    client = login(bob)
    unassigned = client.get(reverse("sessions:detail", args=[AVA, ava_session]))
    missing = client.get(reverse("sessions:detail", args=["client-nobody", "no-session"]))
    assert unassigned.status_code == missing.status_code == 404

    def strip(body: bytes) -> bytes:  # the logout form's CSRF token is masked afresh on each page
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)

    assert strip(unassigned.content) == strip(missing.content)


def test_revocation_takes_effect_on_the_next_request(ava_session: str, alice: User) -> None:
    client = login(alice)
    url = reverse("sessions:detail", args=[AVA, ava_session])
    assert client.get(url).status_code == 200
    unassign_client(therapist=alice, client_id=AVA)
    assert client.get(url).status_code == 404
    assert client.get(reverse("sessions:live", args=[AVA, ava_session])).status_code == 404
    assert CANARY not in client.get(reverse("sessions:list")).content.decode()


def test_export_purpose_follows_the_export_roles_setting(
    alice: User, clara: User, settings: Settings
) -> None:
    assert check_client_access(alice, AVA, purpose="export").via == "assignment"
    assert check_client_access(clara, CLEO, purpose="export").via == "assignment"
    settings.EXPORT_ROLES = ["clinician"]
    with pytest.raises(Http404):
        check_client_access(alice, AVA, purpose="export")
    assert check_client_access(clara, CLEO, purpose="export").purpose == "export"


def test_unknown_purpose_is_a_programming_error(alice: User) -> None:
    with pytest.raises(ValueError, match="purpose"):
        check_client_access(alice, AVA, purpose="delete")


def test_break_glass_is_read_only_time_boxed_and_audited(ava_session: str, bob: User) -> None:
    client = login(bob)
    detail = reverse("sessions:detail", args=[AVA, ava_session])
    assert client.get(detail).status_code == 404
    response = client.post(reverse("accounts:break_glass"), {"client_id": AVA, "reason": REASON})
    assert response.status_code == 302
    page = client.get(detail)
    assert page.status_code == 200
    assert CANARY in page.content.decode()
    assert "Emergency read-only access" in page.content.decode()
    assert (
        client.post(
            reverse("sessions:notes", args=[AVA, ava_session]), {"version": 1, "text": "x"}
        ).status_code
        == 404
    )
    for purpose in ("annotate", "export"):
        with pytest.raises(Http404):
            check_client_access(bob, AVA, purpose=purpose)
    event = AuditEvent.objects.get(action=AuditAction.BREAK_GLASS)
    assert event.detail["severity"] == "high"
    assert REASON not in str(event.detail)
    with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
        again = login(bob)
        assert again.get(detail).status_code == 404


def test_break_glass_needs_a_reason_and_cannot_be_renewed_silently(bob: User) -> None:
    client = login(bob)
    short = client.post(reverse("accounts:break_glass"), {"client_id": AVA, "reason": "because"})
    assert short.status_code == 200
    assert not BreakGlassGrant.objects.exists()
    start_break_glass(user=bob, client_id=AVA, reason=REASON)
    with pytest.raises(AccessChangeError, match="already active"):
        start_break_glass(user=bob, client_id=AVA, reason=REASON)


def test_admins_break_glass_unless_the_deployment_refuses_it(root: User, settings: Settings) -> None:
    # Issue 11: admins hold no assignments; emergency access (audited, time-boxed) is their path.
    assert start_break_glass(user=root, client_id=AVA, reason=REASON).client_id == AVA
    settings.BREAK_GLASS_ROLES = ["therapist", "clinician"]
    with pytest.raises(AccessChangeError, match="role"):
        start_break_glass(user=root, client_id=BEN, reason=REASON)


def test_break_glass_grants_are_listed_for_admins(bob: User, root: User) -> None:
    start_break_glass(user=bob, client_id=AVA, reason=REASON)
    page = login(root).get("/admin/accounts/breakglassgrant/")
    assert page.status_code == 200
    assert "bob" in page.content.decode()
    assert AVA in page.content.decode()


def test_emergency_access_can_be_ended_early_by_its_holder_only(
    ava_session: str, bob: User, alice: User
) -> None:
    grant = start_break_glass(user=bob, client_id=AVA, reason=REASON)
    end_url = reverse("accounts:break_glass_end", args=[grant.pk])
    assert login(alice).post(end_url).status_code == 404
    client = login(bob)
    assert AVA in client.get(reverse("accounts:break_glass")).content.decode()
    assert client.post(end_url).status_code == 302
    assert client.get(reverse("sessions:detail", args=[AVA, ava_session])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS, detail__ended=True).exists()
