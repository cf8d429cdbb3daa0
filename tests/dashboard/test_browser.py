"""End-to-end in headless Chromium (Debian's package, driven by Playwright): login, list, detail,
saving a note, live refresh, the conflict flow and logout. Screenshots: see SCREENSHOTS below.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from ifemotion.accounts.identity import assign_client
from ifemotion.accounts.models import User
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import seed_session
from tests.support import AVA, BEN, PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
# `make screenshots` refreshes the README's pictures (docs/screenshots); a plain test run keeps its
# screenshots under var/ so that running the tests never changes tracked files.
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "var" / "screenshots"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: apt-get install chromium"
    ),
]


@pytest.fixture
def browser(site: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """Closed before the live server stops, so no request thread outlives the server's DB sharing."""
    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are plain
    # synchronous code, so Django's async-safety guard is lifted for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()
            # While that loop runs, Django (asgiref) files this thread's database connections in a
            # store of their own, which pytest-django's teardown never sees: closed here, before the
            # loop stops, or one stays open and PostgreSQL refuses to drop the test database.
            connections.close_all()


@pytest.fixture
def site(audit_flushable: None, fake_manager: ConversationStateManager, settings: Settings) -> Iterator[str]:
    """A live server started after these settings (pytest-django's session-wide one predates them and
    its middleware would keep the HTTPS redirect). Plain http on localhost: the TLS-only settings
    (Secure ``__Host-`` cookies, HSTS, redirect) are checked in test_auth with production settings."""
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME = "sessionid", "csrftoken"
    settings.SECURE_HSTS_SECONDS = 0
    server = LiveServer("localhost:0")
    try:
        yield server.url
    finally:
        server.stop()


def log_in(browser: Browser, base: str, username: str, *, shot: str | None = None) -> Page:
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    if shot:
        save(page, shot)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()  # home is the review inbox
    return page


def save(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_login_list_detail_note_live_refresh_and_logout(
    browser: Browser, site: str, fake_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    sid = seed_session(fake_manager, AVA, message="I slept better <b>this</b> week.")
    for n in range(3):
        fake_manager.update_emotion(
            AVA, sid, emotion=["exploring", "happy", "integrated"][n], intensity=0.3 + n * 0.2, confidence=0.8
        )
    other = seed_session(fake_manager, BEN)
    page = log_in(browser, site, "alice", shot="login")
    page.locator("nav.nav").get_by_role("link", name="Sessions", exact=True).click()
    rows = page.locator("table.sessions tbody tr")
    expect(rows).to_have_count(1)
    assert other[:14] not in page.content()
    save(page, "list")

    page.click(f"a[href*='{sid}']")
    expect(page.locator("svg.emotion-chart")).to_be_visible()
    expect(page.get_by_text("I slept better <b>this</b> week.")).to_be_visible()  # escaped, shown as text
    save(page, "detail")

    page.fill("#id_text", "typed but not saved yet")
    fake_manager.append_message(AVA, sid, role="user", content="a message that arrives while reading")
    expect(page.get_by_text("a message that arrives while reading")).to_be_visible(timeout=5000)
    expect(page.locator("#id_text")).to_have_value("typed but not saved yet")

    page.fill("#id_text", "Sleep improving; revisit work stress.")
    page.click("text=Save notes")
    expect(page.get_by_text("Notes saved.")).to_be_visible()
    assert (
        fake_manager.read_session(AVA, sid).context.session_notes == "Sleep improving; revisit work stress."
    )

    page.click("text=Log out")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(f"{site}/sessions/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert [e for e in page.errors if "Content Security Policy" in e] == []  # type: ignore[attr-defined]


def test_conflict_shows_both_texts_and_merges(
    browser: Browser, site: str, fake_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    assign_client(therapist=bob, client_id=AVA)
    sid = seed_session(fake_manager, AVA)
    first = log_in(browser, site, "alice")
    second = log_in(browser, site, "bob")
    for page in (first, second):
        page.goto(f"{site}/clients/{AVA}/sessions/{sid}/")
    first.fill("#id_text", "Alice: discussed sleep.")
    first.click("text=Save notes")
    expect(first.get_by_text("Notes saved.")).to_be_visible()

    second.fill("#id_text", "Bob: discussed work.")
    second.click("text=Save notes")
    expect(second.get_by_role("heading", name="Someone else saved these notes first")).to_be_visible()
    expect(second.locator("pre.theirs")).to_have_text("Alice: discussed sleep.")
    expect(second.locator("pre.mine")).to_have_text("Bob: discussed work.")
    save(second, "conflict")
    second.fill("#id_merge", "Alice: discussed sleep.\nBob: discussed work.")
    second.click("text=Save merged notes")
    expect(second.get_by_text("Notes saved.")).to_be_visible()
    context = fake_manager.read_session(AVA, sid).context
    assert (context.session_notes, context.version) == ("Alice: discussed sleep.\nBob: discussed work.", 3)
    assert os.path.exists(SCREENSHOTS / "conflict.png")


def test_a_deep_link_scrolls_to_the_highlighted_message(
    browser: Browser, site: str, fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = fake_manager.initialize_session(AVA, model="m")
    for n in range(1, 61):
        fake_manager.append_message(AVA, sid, role="user", content=f"message number {n}")
    page = log_in(browser, site, "alice")

    page.goto(f"{site}/clients/{AVA}/sessions/{sid}/?m=12#m12")

    target = page.locator("#m12")
    expect(target).to_have_class("msg role-user focus")
    expect(target).to_be_in_viewport()
    expect(page.locator("#m60")).to_have_count(0)  # the latest page is not the one shown


def test_the_top_bar_wraps_by_whole_items_and_the_list_fits_a_laptop_window(
    browser: Browser, site: str, fake_manager: ConversationStateManager, alice: User
) -> None:
    """At 1,200 px the session list stays inside the window; at 320 px (WCAG reflow) the top bar
    wraps by whole items: no label is broken over two lines and the bar never widens the page."""
    seed_session(fake_manager, AVA)
    page = log_in(browser, site, "alice")
    for width in (1200, 320):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{site}/sessions/")
        overflow, window = page.evaluate(
            "() => { const b = document.querySelector('.topbar');"
            " return [b.scrollWidth - b.clientWidth, document.documentElement.clientWidth]; }"
        )
        assert overflow <= 0, f"the top bar overflows at {width} px"
        lines = page.evaluate(
            "() => [...document.querySelectorAll('.brand, .nav a')]"
            ".map(a => [a.textContent.trim(), a.getClientRects().length])"
        )
        assert len(lines) >= 8
        assert [label for label, count in lines if count != 1] == [], f"a label wraps at {width} px"
        if width == 1200:
            page_width = page.evaluate("() => document.documentElement.scrollWidth")
            assert page_width <= window, "the session list scrolls the page sideways at 1,200 px"
