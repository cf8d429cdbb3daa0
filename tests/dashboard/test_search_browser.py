"""The search page end-to-end in headless Chromium: search from the navigation, read the results,
follow a result into the transcript at that message. Screenshots: ``search`` and ``search_deep_link``."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import LazySettings
from playwright.sync_api import Browser, expect

from ifemotion.accounts.models import User
from sessions_app.archive.search import worker
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.test_browser import CHROMIUM, browser, log_in, save, site  # noqa: F401 - fixtures
from tests.sessions_app.archive_support import use_embedded_chroma
from tests.support import AVA, BEN

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: apt-get install chromium"
    ),
]

CONVERSATIONS = {
    AVA: [
        [
            "Hi. I wasn't sure I'd log on today.",
            "I'm glad you did. What's been on your mind?",
            "Since my father passed away I keep setting a plate for him at dinner.",
            "That sounds like a very tender habit. What happens when you notice it?",
            "I just sit there. My mum pretends not to see.",
        ],
        [
            "Work was chaos again, three deadlines on one day.",
            "That's a lot. How did you get through it?",
            "I didn't sleep until four, my mind kept racing through the list.",
        ],
    ],
    BEN: [["The funeral was on Tuesday and I still can't cry.", "I'm here with you."]],
}


def test_a_therapist_searches_reads_results_and_opens_the_transcript_at_a_message(
    browser: Browser,  # noqa: F811 - the fixture imported above
    site: str,  # noqa: F811
    fake_manager: ConversationStateManager,
    alice: User,
    settings: LazySettings,
    tmp_path: Path,
) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")
    settings.CHROMA_EMBEDDING = "wordllama"
    for client_id, sessions in CONVERSATIONS.items():
        for texts in sessions:
            session_id = fake_manager.initialize_session(client_id, model="m")
            for n, text in enumerate(texts):
                role = "assistant" if n % 2 else "user"
                fake_manager.append_message(client_id, session_id, role=role, content=text)
    worker.run_pass(fake_manager.redis)

    page = log_in(browser, site, "alice")
    page.get_by_role("link", name="Search").click()
    expect(page.get_by_role("heading", name="Search")).to_be_visible()
    page.get_by_label("Search your clients' sessions").fill("grief after losing a parent")
    page.get_by_label("Speaker").select_option("user")
    page.get_by_role("button", name="Search").click()

    results = page.locator("ol.search-results > li")
    expect(results.first).to_contain_text("Since my father passed away")
    expect(page.get_by_role("status")).to_contain_text("ranked")
    assert "funeral" not in page.content()  # another therapist's client
    assert "My mum pretends" in page.content() or results.count() >= 1
    save(page, "search")

    page.get_by_role("link", name="Open the transcript at message #3").first.click()
    focused = page.locator("li.msg.focus")
    expect(focused).to_have_count(1)
    expect(focused).to_contain_text("Since my father passed away")
    expect(focused).to_be_in_viewport()
    assert "m=3" in page.url
    save(page, "search_deep_link")
    assert [e for e in page.errors if "Content Security Policy" in e] == []  # type: ignore[attr-defined]
