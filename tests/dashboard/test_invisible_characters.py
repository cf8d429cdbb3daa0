"""Bidi and invisible control characters are shown as visible markers on every dashboard page.

"file\u202egpj.exe" must never display as "fileexe.jpg": the dashboard uses the exports' policy
(``exports_app.text.visible``) through the ``visible`` template filter.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from ifemotion.accounts.models import User
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import seed_session
from tests.dashboard.test_browser import CHROMIUM, browser, log_in, save, site  # noqa: F401 - fixtures
from tests.support import AVA, login

SPOOF = "file\u202egpj.exe"
SHOWN = "file[U+202E]gpj.exe"
HIDDEN = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\x07"


def _form_values_removed(html: str) -> str:
    """The page without textareas and hidden inputs: those keep the stored text for editing."""
    html = re.sub(r"<textarea.*?</textarea>", "", html, flags=re.S)
    return re.sub(r'<input type="hidden"[^>]*>', "", html)


def _seed(manager: ConversationStateManager) -> str:
    sid = seed_session(
        manager,
        AVA,
        message=f"see {SPOOF} now",
        milestone=f"milestone {SPOOF}",
        breakthrough=f"breakthrough {SPOOF}",
        notes=f"notes {SPOOF}",
    )
    manager.update_context_snapshot(
        AVA,
        sid,
        expected_version=1,
        current_theme=f"theme {SPOOF}",
        therapeutic_focus="focus \u2066x\u2069",
        client_state_summary="summary \u200f.",
    )
    return sid


@pytest.mark.django_db
def test_it_marks_bidi_controls_in_every_client_text_of_the_session_page(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = _seed(fake_manager)
    html = login(alice).get(reverse("sessions:detail", args=[AVA, sid])).content.decode()

    shown = _form_values_removed(html)
    for text in (
        f"see {SHOWN} now",
        f"milestone {SHOWN}",
        f"breakthrough {SHOWN}",
        f"notes {SHOWN}",
        f"theme {SHOWN}",
        "focus [U+2066]x[U+2069]",
        "summary [U+200F].",
    ):
        assert text in shown
    assert not any(ch in shown for ch in HIDDEN)


@pytest.mark.django_db
def test_the_notes_form_keeps_the_stored_text_exactly(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = _seed(fake_manager)
    html = login(alice).get(reverse("sessions:detail", args=[AVA, sid])).content.decode()
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, flags=re.S)
    assert textarea is not None
    assert f"notes {SPOOF}" in textarea.group(1)
    assert "These notes contain invisible or direction-changing characters" in html


@pytest.mark.django_db
def test_the_conflict_page_marks_both_texts(fake_manager: ConversationStateManager, alice: User) -> None:
    sid = _seed(fake_manager)
    url = reverse("sessions:notes", args=[AVA, sid])
    client = login(alice)
    assert client.post(url, {"version": "0", "text": f"theirs {SPOOF}"}).status_code == 302
    response = client.post(url, {"version": "0", "text": f"mine {SPOOF}"})  # edited from the old version
    assert response.status_code == 409
    shown = _form_values_removed(response.content.decode())
    assert f"mine {SHOWN}" in shown
    assert f"theirs {SHOWN}" in shown
    assert "\u202e" not in shown


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing")
def test_chromium_shows_the_marker_not_the_spoofed_name(
    browser: Browser,  # noqa: F811 - the fixture
    site: str,  # noqa: F811 - the fixture
    fake_manager: ConversationStateManager,
    alice: User,
) -> None:
    sid = _seed(fake_manager)
    page = log_in(browser, site, "alice")
    page.goto(f"{site}{reverse('sessions:detail', args=[AVA, sid])}")
    expect(page.get_by_text(f"see {SHOWN} now")).to_be_visible()
    text = page.locator("main").inner_text()
    assert "\u202e" not in text.replace(page.locator("#id_text").input_value(), "")
    save(page, "invisible-characters")
