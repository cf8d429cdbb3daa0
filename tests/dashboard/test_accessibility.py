"""Accessibility: axe-core (from npm, installed by make under tests/assets/) checks every main page in
headless Chromium and fails on any serious or critical WCAG 2.1 A/AA violation; plus the rules a
page-by-page scan can miss (chip contrast over every emotion, valid htmx attributes, the skip link)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, User
from sessions_app.emotions import vocabulary
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import seed_session
from tests.dashboard.test_browser import CHROMIUM, browser, save, site  # noqa: F401 - fixtures
from tests.support import AVA, PASSWORD, login

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "assets" / "node_modules" / "axe-core" / "axe.min.js"
CSS = (ROOT / "static" / "css" / "app.css").read_text()
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def summary(violations: list[dict[str, Any]]) -> str:
    return json.dumps(
        [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:160] for n in v["nodes"][:3]]}
            for v in violations
        ],
        indent=1,
    )


def signed_in(chromium: Browser, base: str, username: str) -> Page:
    # axe is injected as a script: the test context alone bypasses the pages' Content Security Policy.
    page = chromium.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True).new_page()
    page.goto(f"{base}/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    return page


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: apt-get install chromium")
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run make (npm ci in tests/assets)")
def test_every_main_page_has_no_serious_or_critical_axe_violation(
    browser: Browser,  # noqa: F811 - the fixture
    site: str,  # noqa: F811 - the fixture
    fake_manager: ConversationStateManager,
    alice: User,
    root: User,
    settings: Settings,
) -> None:
    settings.MFA_REQUIRED_ROLES = []  # the admin's pages without a second factor, for this test only
    sid = seed_session(fake_manager, AVA)
    for emotion in vocabulary().labels:  # every chip, in the journey table and the transcript's muted lines
        fake_manager.append_message(
            AVA, sid, role="user", content="...", emotion=emotion, intensity=0.5, confidence=0.7
        )
    audit.record(AuditAction.USER_CHANGED, actor="manage.py", role="", detail={"created": "x"})

    anonymous = browser.new_context(bypass_csp=True).new_page()
    pages: dict[str, tuple[Page, str]] = {"login": (anonymous, "/accounts/login/")}
    therapist = signed_in(browser, site, "alice")
    expect(therapist.get_by_role("heading", name="Inbox")).to_be_visible()  # a login lands on the inbox
    for name, path in {
        "session list": "/sessions/",
        "session page": f"/clients/{AVA}/sessions/{sid}/",
        "emergency access": "/accounts/emergency-access/",
        "not found": "/clients/client-nobody/sessions/none/",
    }.items():
        pages[name] = (therapist, path)
    admin = signed_in(browser, site, "root")
    for name, path in {
        "admin index": "/admin/",
        "admin audit log": "/admin/accounts/auditevent/",
        "admin archived sessions": "/admin/sessions_app/archivedsession/",
    }.items():
        pages[name] = (admin, path)

    found = {}
    for name, (page, path) in pages.items():
        page.goto(site + path)
        violations = axe_violations(page)
        if violations:
            save(page, f"axe-{name.replace(' ', '-')}")
            found[name] = summary(violations)
    assert found == {}


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: apt-get install chromium")
def test_the_skip_link_is_first_and_moves_focus_to_the_content(
    browser: Browser,  # noqa: F811 - the fixture
    site: str,  # noqa: F811 - the fixture
    alice: User,
) -> None:
    page = signed_in(browser, site, "alice")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


# ---------------------------------------------------------------------------- without a browser


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_chip_meets_aa_contrast_wherever_it_sits() -> None:
    variables = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-f]{6})", CSS))
    chip_text = re.search(r"\.status, \.tag, \.emotion \{ color: var\(--([a-z]+)\); \}", CSS)
    assert chip_text, "chips must set their own text colour, not inherit a muted one"
    text = variables[chip_text.group(1)]
    backgrounds = dict(re.findall(r"\.(status-[a-z]+|tag\.live) \{ background: (#[0-9a-f]{6}); \}", CSS))
    assert backgrounds
    for chip, background in backgrounds.items():
        assert contrast(text, background) >= 4.5, chip
    # Emotion chips are coloured by valence (any label of the configured vocabulary has one).
    valences = re.findall(
        r"\.emotion\.valence-([a-z]+) \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6});", CSS
    )
    assert {v for v, _, _ in valences} >= {"negative", "neutral", "positive", "unknown"}
    for valence, background, colour in valences:
        assert contrast(colour, background) >= 4.5, valence


def test_templates_use_valid_data_hx_attributes_only() -> None:
    for template in (ROOT / "templates").rglob("*.html"):
        assert not re.search(r"\shx-[a-z]", template.read_text()), template.name


@pytest.mark.django_db
def test_the_audit_role_filter_names_rows_without_a_role(root: User, settings: Settings) -> None:
    settings.MFA_REQUIRED_ROLES = []
    audit.record(AuditAction.USER_CHANGED, actor="manage.py", role="", detail={"created": "x"})
    client = login(root)

    page = client.get("/admin/accounts/auditevent/").content.decode()
    filtered = client.get("/admin/accounts/auditevent/?role=none")

    links = re.findall(r"<a ([^>]*)>(.*?)</a>", page, flags=re.DOTALL)
    nameless = [attrs for attrs, text in links if not text.strip() and "title=" not in attrs]
    assert nameless == [], "links without a name"
    assert "none (command line, API, anonymous)" in page
    assert filtered.status_code == 200
    rows = filtered.context["cl"].result_list
    assert rows
    assert all(row.role == "" for row in rows)
