"""The daily digest: at T-24 h it lists exactly the unreviewed, unheld sessions (frozen clock)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from ifemotion.accounts.models import AuditEvent, User
from sessions_app.errors import StateUnavailable
from sessions_app.review import audit
from sessions_app.review.cursors import mark_reviewed
from sessions_app.review.digest import build_digest
from sessions_app.review.hold import hold_session
from sessions_app.review.models import DigestDelivery
from sessions_app.state.manager import ConversationStateManager
from tests.review.conftest import add_messages, grant_for
from tests.support import AVA, BEN, CLEO, login

NOW = datetime(2026, 3, 2, 7, 0, 30, tzinfo=UTC)
HOUR = 3600


def session(manager: ConversationStateManager, client_id: str, ttl_hours: float, messages: int = 3) -> str:
    writer = ConversationStateManager(manager.redis, ttl_seconds=int(ttl_hours * HOUR))
    sid = writer.initialize_session(client_id, model="m")
    add_messages(writer, client_id, sid, messages)
    return sid


@pytest.fixture
def frozen() -> Iterator[None]:
    """The clock stands still at NOW (fakeredis's expiry clock too; a real Redis keeps its own time,
    which moves a few milliseconds during a test)."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cases(frozen: None, live_manager: ConversationStateManager, alice: User, bob: User) -> dict[str, str]:
    """alice's sessions around the 24 h line, in every review state, and one of bob's client."""
    m = live_manager
    cases = {
        "unreviewed_23h": session(m, AVA, 23),
        "unreviewed_just_inside": session(m, AVA, 23.9),
        "reviewed_23h": session(m, AVA, 23),
        "held_23h": session(m, AVA, 22),
        "reviewed_then_more_23h": session(m, AVA, 23),
        "unreviewed_30h": session(m, AVA, 30),
        "unreviewed_7d": session(m, AVA, 24 * 7),
        "other_client_2h": session(m, BEN, 2),
    }
    grant = grant_for(alice, AVA)
    mark_reviewed(grant=grant, session_id=cases["reviewed_23h"])
    mark_reviewed(grant=grant, session_id=cases["reviewed_then_more_23h"])
    add_messages(m, AVA, cases["reviewed_then_more_23h"], 1, start=4)  # refreshes its TTL to 7 days...
    m.redis.expire(f"session:{{{AVA}}}:{cases['reviewed_then_more_23h']}:metadata", 23 * HOUR)  # ...put back
    assert hold_session(grant=grant, session_id=cases["held_23h"]).outcome == "held"
    return cases


def test_the_digest_at_t_minus_24h_lists_exactly_the_unreviewed_unheld_sessions(
    cases: dict[str, str], alice: User
) -> None:
    digest = build_digest(alice, now=timezone.now())
    listed = {item.session_id for item in digest.items}
    expected = {
        cases[name] for name in ("unreviewed_23h", "unreviewed_just_inside", "reviewed_then_more_23h")
    }
    assert listed == expected
    by_id = {item.session_id: item for item in digest.items}
    assert by_id[cases["unreviewed_23h"]].unread.messages == 3
    assert by_id[cases["reviewed_then_more_23h"]].unread.messages == 1
    assert by_id[cases["reviewed_then_more_23h"]].path.endswith("?m=4#m4")  # the first unread message
    assert [item.leaves_at for item in digest.items] == sorted(item.leaves_at for item in digest.items)
    leaves = by_id[cases["unreviewed_23h"]].leaves_at
    assert leaves.strftime("%Y-%m-%d %H:%M") == "2026-03-03 06:00"  # frozen now + 23 h


def test_the_email_goes_once_a_day_and_holds_no_content(
    cases: dict[str, str], alice: User, bob: User, clara: User, settings: Settings
) -> None:
    settings.SITE_URL = "http://127.0.0.1:8000"  # where links in mails point
    alice.email = "alice@clinic.example"
    alice.save()
    out = io.StringIO()
    call_command("send_review_digest", stdout=out, stderr=io.StringIO())
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["alice@clinic.example"]
    assert email.subject == "IF.emotion: 3 sessions leave live storage within 24 h unreviewed"
    for name in ("unreviewed_23h", "reviewed_then_more_23h"):
        assert cases[name] in email.body
    assert cases["held_23h"] not in email.body
    assert cases["unreviewed_30h"] not in email.body
    assert "message 1" not in email.body  # ids and links only, never what was said
    assert f"http://127.0.0.1:8000/clients/{AVA}/sessions/{cases['unreviewed_23h']}/?m=1#m1" in email.body
    assert "leaves live storage at 2026-03-03 06:00 UTC" in email.body
    # bob has a session leaving in 2 h but no email address; clara has nothing to review.
    assert "1 no email" in out.getvalue()
    assert "1 sent" in out.getvalue()

    call_command("send_review_digest", stdout=io.StringIO(), stderr=io.StringIO())
    assert len(mail.outbox) == 1  # already sent today
    call_command("send_review_digest", "--force", "--user", "alice", stdout=io.StringIO())
    assert len(mail.outbox) == 2
    assert DigestDelivery.objects.get(clinician=alice).sessions == 3
    assert AuditEvent.objects.filter(action=audit.DIGEST_SENT).count() == 2


def test_dry_run_sends_nothing(cases: dict[str, str], alice: User) -> None:
    alice.email = "alice@clinic.example"
    alice.save()
    out = io.StringIO()
    call_command("send_review_digest", "--dry-run", stdout=out)
    assert mail.outbox == []
    assert cases["unreviewed_23h"] in out.getvalue()


def test_redis_down_fails_the_command_rather_than_send_a_short_list(
    alice: User, fake_manager: ConversationStateManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice.email = "alice@clinic.example"
    alice.save()

    def down(*args: object, **kwargs: object) -> None:
        raise StateUnavailable("redis is down")

    monkeypatch.setattr("sessions_app.review.tallies.live_entries", down)
    with pytest.raises(CommandError):
        call_command("send_review_digest", stdout=io.StringIO(), stderr=io.StringIO())
    assert mail.outbox == []


def test_the_digest_page_and_email_me(cases: dict[str, str], alice: User) -> None:
    client = login(alice)
    page = client.get(reverse("review:digest")).content.decode()
    assert cases["unreviewed_23h"][:18] in page
    assert cases["held_23h"][:18] not in page
    assert "disabled" in page  # no email address yet
    alice.email = "alice@clinic.example"
    alice.save()
    response = client.post(reverse("review:digest"), follow=True)
    assert "The digest was emailed to alice@clinic.example." in response.content.decode()
    assert len(mail.outbox) == 1


def test_a_clinician_without_clients_gets_an_empty_digest(clara: User) -> None:
    page = login(clara).get(reverse("review:digest")).content.decode()
    assert "Nothing: no session of yours leaves live storage within 24 hours unreviewed." in page
    assert CLEO not in page
