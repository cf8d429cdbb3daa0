"""In headless Chromium: a chart point leads to the highlighted message; the client page's points lead to
their sessions; the pages a clinician reads are photographed for the README (``make screenshots``)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from ifemotion.accounts.models import User
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.journeys import archive_away, drain, real_session
from tests.dashboard.test_browser import CHROMIUM, SCREENSHOTS, browser, log_in, save, site  # noqa: F401
from tests.support import AVA

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: apt-get install chromium"
    ),
]


def test_clicking_a_chart_point_lands_on_the_highlighted_message(
    browser: Browser,  # noqa: F811
    site: str,  # noqa: F811
    fake_manager: ConversationStateManager,
    alice: User,
) -> None:
    sid = real_session(fake_manager, AVA, 1, messages=168).session_id
    drain(fake_manager, AVA, sid)
    page = log_in(browser, site, "alice")
    page.goto(f"{site}/clients/{AVA}/sessions/{sid}/")
    points = page.locator("svg.emotion-chart a")
    count = points.count()
    assert count > 5

    first = points.first
    label = first.get_attribute("aria-label") or ""
    first.click()

    expect(page).to_have_url(re.compile(r"\?m=\d+&c=if%3A%2F%2Fcitation%2F[0-9a-f-]+#m\d+$"))
    seq = re.search(r"#m(\d+)$", page.url).group(1)  # type: ignore[union-attr]
    target = page.locator(f"#m{seq}")
    expect(target).to_have_class(re.compile(r"\bfocus\b"))
    expect(target).to_be_in_viewport()
    expect(target.locator(".focus-update")).to_contain_text("The emotion update you followed")
    assert label.split(" UTC")[0] in label  # the point said when and what before it was clicked
    expect(page.locator("#citations tr.focus")).to_have_count(1)
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_client_page_and_the_session_page_as_a_clinician_sees_them(
    browser: Browser,  # noqa: F811
    site: str,  # noqa: F811
    fake_manager: ConversationStateManager,
    alice: User,
) -> None:
    ids = []
    for number, days in enumerate((43, 36, 29, 22, 15, 8, 1), start=1):
        session = real_session(
            fake_manager, AVA, number, messages=30 + 8 * number, days_ago=days, closed=number < 7
        )
        ids.append(session.session_id)
    for sid in ids[:5]:
        archive_away(fake_manager, AVA, sid)
    page = log_in(browser, site, "alice")

    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{site}/clients/{AVA}/")
    expect(page.get_by_role("heading", name=f"Client {AVA}")).to_be_visible()
    expect(page.locator("table.client-sessions tbody tr")).to_have_count(7)
    # Every column, the last ones (risk flags, unread) included, fits a 1200 px window without scrolling.
    overflow = page.evaluate(
        "() => { const s = document.querySelector('.table-scroll'); return s.scrollWidth - s.clientWidth; }"
    )
    assert overflow <= 0
    unread = page.get_by_role("columnheader", name="Unread").bounding_box()
    assert unread is not None
    assert unread["x"] + unread["width"] <= 1200
    expect(page.locator("svg.trend-chart a")).to_have_count(7)
    save(page, "client")

    page.locator("svg.trend-chart a").nth(6).click()
    expect(page).to_have_url(f"{site}/clients/{AVA}/sessions/{ids[6]}/")
    expect(page.locator("#citations details")).not_to_have_attribute("open", "")
    page.set_viewport_size({"width": 1200, "height": 900})
    save(page, "session")
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_summary_pdf_as_an_image_for_the_readme(
    browser: Browser,  # noqa: F811
    site: str,  # noqa: F811
    fake_manager: ConversationStateManager,
    alice: User,
    tmp_path: Path,
) -> None:
    for number, days in enumerate((22, 15, 8, 1), start=1):
        real_session(fake_manager, AVA, number, messages=40, days_ago=days)
    page = log_in(browser, site, "alice")
    page.goto(f"{site}/clients/{AVA}/")
    with page.expect_download() as download:
        page.get_by_text("Download a one-page summary").click()
    pdf = tmp_path / "summary.pdf"
    download.value.save_as(pdf)
    assert (
        "Pages:           1"
        in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(SCREENSHOTS / "summary")], check=True
    )
    assert (SCREENSHOTS / "summary.png").exists()
