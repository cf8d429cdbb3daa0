"""The risk workflow in real headless Chromium: the banner on the session list, the inbox, the flag
page with its context, a refused acknowledgement without a note, then acknowledging with one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.fixtures import Settings

from ifemotion.accounts.models import User
from sessions_app.risk.models import FlagState, RiskFlag
from sessions_app.risk.worker import RiskWorker
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.test_browser import CHROMIUM, SCREENSHOTS, browser, log_in, site  # noqa: F401
from tests.risk.conftest import write_turns
from tests.support import AVA

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: apt-get install chromium"
    ),
]


@pytest.fixture(autouse=True)
def plain_http(settings: Settings, locmem_cache: None) -> None:
    settings.SECURE_SSL_REDIRECT = False


def test_a_therapist_reviews_and_acknowledges_a_flag(
    browser: Browser,  # noqa: F811
    site: str,  # noqa: F811
    alice: User,
    fake_manager: ConversationStateManager,
) -> None:
    turns = [
        ("user", "I had a rough week at work."),
        ("assistant", "I'm sorry. What happened?"),
        ("user", "Everything piled up and I couldn't sleep."),
        ("assistant", "That sounds exhausting. How are you feeling now?"),
        ("user", "Honestly some nights I hope I just don't wake up."),
        ("assistant", "Thank you for telling me. Are you having thoughts of ending your life?"),
        ("user", "not really, I'm just so tired"),
    ]
    write_turns(fake_manager, AVA, turns, session_id="s-browser")
    RiskWorker(fake_manager.redis).run_pass()
    flag = RiskFlag.objects.get()
    page = log_in(browser, site, "alice")
    page.goto(f"{site}/sessions/?client={AVA}")
    expect(page.locator(".risk-banner")).to_contain_text("1 unresolved risk flag")
    page.screenshot(path=str(SCREENSHOTS / "risk-banner.png"), full_page=False)
    page.get_by_role("link", name="Risk alerts").first.click()
    expect(page.locator("h1")).to_have_text("Risk alerts")
    expect(page.locator(".risk-inbox tbody tr")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / "risk-inbox.png"), full_page=True)
    page.get_by_role("link", name=f"Open flag {flag.pk} of {AVA}").click()
    expect(page.locator("#m5")).to_have_attribute("aria-current", "true")
    expect(page.locator(".transcript li")).to_have_count(6)  # #2..#7: the session has seven turns
    page.get_by_role("button", name="Acknowledge").click()  # the browser refuses an empty required note
    assert RiskFlag.objects.get(pk=flag.pk).state == FlagState.OPEN
    page.get_by_label("Note (required)").fill("Read the session; calling her this afternoon.")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".messages")).to_contain_text("Flag acknowledged.")
    expect(page.locator("#history")).to_contain_text("calling her this afternoon")
    page.screenshot(path=str(SCREENSHOTS / "risk-flag.png"), full_page=True)
    assert RiskFlag.objects.get(pk=flag.pk).state == FlagState.ACKNOWLEDGED
    assert page.errors == []  # type: ignore[attr-defined]
