"""The review in headless Chromium: the inbox (ranking, live refresh), mark reviewed on the session
page (with a message arriving while reading), hold for review, and the digest. Screenshots like the
dashboard's browser tests (``make screenshots`` writes them to docs/screenshots)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings

from ifemotion.accounts.identity import assign_client
from ifemotion.accounts.models import User
from sessions_app.review.cursors import mark_client_reviewed, mark_reviewed
from sessions_app.review.models import SessionHold
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.test_browser import CHROMIUM, SCREENSHOTS, log_in, save
from tests.review.conftest import grant_for
from tests.support import AVA

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: apt-get install chromium"
    ),
]

HOUR = 3600
LINES = [
    ("user", "I barely slept again. The review at work is on Thursday.", "anxious", 0.8),
    ("assistant", "That sounds exhausting. What goes through your mind at night?", None, None),
    ("user", "That I'll be found out. That everyone sees I'm not good enough.", "anxious", 0.7),
    ("assistant", "Whose voice does that sound like?", None, None),
    ("user", "My father's, honestly. He always found the one thing wrong.", "exploring", 0.6),
    ("assistant", "You noticed that connection yourself. How does it feel to name it?", None, None),
]


def conversation(manager: ConversationStateManager, client_id: str, turns: int, *, ttl_hours: float = 24 * 7,
                 emotion: str = "exploring", intensity: float = 0.5) -> str:  # fmt: skip
    writer = ConversationStateManager(manager.redis, ttl_seconds=int(ttl_hours * HOUR))
    sid = writer.initialize_session(client_id, model="claude-sonnet")
    for n in range(turns):
        role, text, feeling, level = LINES[n % len(LINES)]
        writer.append_message(client_id, sid, role=role, content=text, emotion=feeling, intensity=level,
                              confidence=0.8 if feeling else None)  # fmt: skip
    writer.update_emotion(client_id, sid, emotion=emotion, intensity=intensity, confidence=0.75)
    return sid


@pytest.fixture
def caseload(fake_manager: ConversationStateManager, alice: User, settings: Settings) -> dict[str, str]:
    """alice's clients: one leaving live storage in 5 h unreviewed, one with new activity, one
    reviewed, one with two sessions (a trend), one without sessions."""
    settings.REVIEW_INBOX_REFRESH_SECONDS = 2
    for client_id in ("client-bea", "client-cai", "client-dov", "client-eli"):
        assign_client(therapist=alice, client_id=client_id)
    older = conversation(fake_manager, "client-dov", 6, emotion="anxious", intensity=0.8)
    sessions = {
        "ava": conversation(fake_manager, AVA, 12, emotion="exploring", intensity=0.5),
        "bea": conversation(fake_manager, "client-bea", 8, ttl_hours=5, emotion="frustrated", intensity=0.6),
        "cai": conversation(fake_manager, "client-cai", 4, emotion="happy", intensity=0.6),
        "dov": conversation(fake_manager, "client-dov", 6, emotion="integrated", intensity=0.6),
    }
    fake_manager.record_milestone(AVA, sessions["ava"], description="Named where the fear comes from")
    mark_client_reviewed(grant=grant_for(alice, "client-cai"))
    mark_reviewed(grant=grant_for(alice, "client-dov"), session_id=older)
    mark_reviewed(grant=grant_for(alice, AVA), session_id=sessions["ava"], seq=8)
    return sessions


def test_the_inbox_ranks_clients_and_refreshes_itself(
    browser: Browser, site: str, fake_manager: ConversationStateManager, alice: User, caseload: dict[str, str]
) -> None:
    page = log_in(browser, site, "alice")
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(5)
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.client)") == [
        "client-bea", "client-ava", "client-dov", "client-cai", "client-eli",
    ]  # fmt: skip
    bea = page.locator('tr[data-client="client-bea"]')
    expect(bea).to_contain_text("8 messages")
    expect(bea.locator(".leaving-soon")).to_contain_text("in 4 h")
    expect(page.locator('tr[data-client="client-ava"]')).to_contain_text("4 messages, 1 milestone")
    expect(page.locator('tr[data-client="client-dov"] .trend-up')).to_have_count(1)
    expect(page.locator('tr[data-client="client-cai"]')).to_contain_text("all reviewed")
    save(page, "inbox")

    fake_manager.append_message("client-cai", caseload["cai"], role="user", content="One more thing...")
    expect(page.locator('tr[data-client="client-cai"]')).to_contain_text("1 message", timeout=8000)
    page.get_by_role("link", name="Needs attention").click()
    expect(rows).to_have_count(4)
    assert [e for e in page.errors if "Content Security Policy" in e] == []  # type: ignore[attr-defined]


def test_mark_reviewed_on_the_session_page(
    browser: Browser, site: str, fake_manager: ConversationStateManager, alice: User, caseload: dict[str, str]
) -> None:
    page = log_in(browser, site, "alice")
    page.locator('tr[data-client="client-ava"]').get_by_role("link", name="Review").click()
    expect(page.locator("#m9")).to_have_class("msg role-user focus")  # the first unread message
    panel = page.locator("#review")
    expect(panel).to_contain_text("New since your last review: 4 messages, 1 milestone")
    expect(panel).to_contain_text("Leaves live storage in 6 d 23 h")
    page.evaluate("window.scrollTo(0, 0)")
    snap(page, "review-panel")

    fake_manager.append_message(AVA, caseload["ava"], role="user", content="Arrived while reading.")
    expect(panel).to_contain_text("5 messages, 1 milestone", timeout=6000)
    page.fill("#review-seq", "10")
    page.get_by_role("button", name="Mark reviewed up to here").click()
    expect(page.get_by_text("Marked reviewed up to message 10.")).to_be_visible()
    expect(page.locator("#review")).to_contain_text("New since your last review: 3 messages, 1 milestone")

    page.get_by_role("button", name="Mark reviewed", exact=True).click()
    expect(page.get_by_text("Marked reviewed up to message 13.")).to_be_visible()
    expect(page.locator("#review")).to_contain_text("Reviewed: nothing new since your last review.")
    page.locator("nav.nav").get_by_role("link", name="Inbox", exact=True).click()
    expect(page.locator('tr[data-client="client-ava"]')).to_contain_text("all reviewed")


def test_hold_for_review(
    browser: Browser, site: str, fake_manager: ConversationStateManager, alice: User, caseload: dict[str, str]
) -> None:
    page = log_in(browser, site, "alice")
    page.goto(f"{site}/clients/client-bea/sessions/{caseload['bea']}/")
    expect(page.locator("#retention")).to_have_class("retention leaving-soon")
    page.get_by_role("button", name="Hold for review").click()
    expect(page.get_by_text("Held for review: archived now and verified in the database")).to_be_visible()
    expect(page.locator("#retention .tag.held")).to_have_text("held")
    expect(page.get_by_role("button", name="Hold for review")).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")
    snap(page, "hold")
    assert SessionHold.objects.filter(client_id="client-bea", session_id=caseload["bea"], messages=8).exists()
    page.locator("nav.nav").get_by_role("link", name="Sessions", exact=True).click()
    expect(page.locator("table.sessions .tag.held")).to_have_count(1)
    page.locator("nav.nav").get_by_role("link", name="Digest", exact=True).click()
    expect(
        page.get_by_text("Nothing: no session of yours leaves live storage within 24 hours")
    ).to_be_visible()


def test_the_digest_page(
    browser: Browser, site: str, fake_manager: ConversationStateManager, alice: User, caseload: dict[str, str]
) -> None:
    page = log_in(browser, site, "alice")
    page.locator("nav.nav").get_by_role("link", name="Digest", exact=True).click()
    rows = page.locator("table.digest tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("client-bea")
    save(page, "digest")


def snap(page: Page, name: str) -> None:
    """What a clinician sees first (the viewport, not the whole long page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
