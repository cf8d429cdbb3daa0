"""The notes workflow in headless Chromium: write a Markdown note, sign it, add an addendum; merge
after a conflict; review the chatbot's inferences; set the client's guidance. Screenshots for the
README (``make screenshots``): notes, inferences, guidance (conflict.png comes from the dashboard's
browser test)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from ifemotion.accounts.identity import assign_client
from ifemotion.accounts.models import User
from sessions_app.notes import reads
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.test_browser import CHROMIUM, log_in, save
from tests.notes.conftest import seed_session
from tests.support import AVA

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: apt-get install chromium"
    ),
]

NOTE = "### Plan\n- keep a *sleep diary*\n- review in **two** weeks\n\n> She named the pattern herself."


def no_csp_errors(page: Page) -> None:
    assert [e for e in page.errors if "Content Security Policy" in e] == []  # type: ignore[attr-defined]


def test_write_sign_and_add_an_addendum(
    browser: Browser, site: str, fake_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    assign_client(therapist=bob, client_id=AVA)
    sid = seed_session(fake_manager, AVA, notes="")
    page = log_in(browser, site, "alice")
    page.goto(f"{site}/clients/{AVA}/sessions/{sid}/")

    page.fill("#id_text", NOTE)
    page.click("text=Save notes")
    expect(page.get_by_text("Notes saved. This is version 1.")).to_be_visible()
    expect(page.locator("#notes .tag.draft")).to_have_text("Draft")
    page.click("text=Sign version 1")
    expect(page.get_by_text("Note signed (version 1)")).to_be_visible()
    notes = page.locator("#notes")
    expect(notes.locator(".tag.signed")).to_have_text("Signed")
    expect(notes.locator(".note-body h5")).to_have_text("Plan")  # ### under the card's headings
    expect(notes.locator(".note-body em").first).to_have_text("sleep diary")
    expect(page.locator("form.notes-form")).to_have_count(0)  # a signed note has no editor

    page.fill("textarea[name=text]", "Client phoned: sleep diary started.")
    page.fill("input[name=reason]", "new information after signing")
    page.click("text=Add addendum")
    expect(page.get_by_text("Addendum added.")).to_be_visible()
    expect(notes.get_by_role("heading", name="Addendum 1")).to_be_visible()
    expect(notes.get_by_text("Reason: new information after signing")).to_be_visible()
    notes.scroll_into_view_if_needed()
    notes.screenshot(path=str(_shot("notes")))
    note = reads.session_note(AVA, sid)
    assert note is not None
    assert (note.signed_by, [a.author for a in note.addenda]) == ("alice", ["alice"])
    assert fake_manager.read_session(AVA, sid).context.session_notes.startswith(NOTE)
    no_csp_errors(page)

    other = log_in(browser, site, "bob")
    other.goto(f"{site}/clients/{AVA}/sessions/{sid}/")
    expect(other.locator("#notes .tag.signed")).to_be_visible()
    expect(other.locator("form.notes-form")).to_have_count(0)
    expect(other.get_by_text("Sign version")).to_have_count(0)


def test_a_conflict_merges_from_the_colleagues_text_with_mine_marked(
    browser: Browser, site: str, fake_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    assign_client(therapist=bob, client_id=AVA)
    sid = seed_session(fake_manager, AVA, notes="")
    first, second = log_in(browser, site, "alice"), log_in(browser, site, "bob")
    for page in (first, second):
        page.goto(f"{site}/clients/{AVA}/sessions/{sid}/")
    first.fill("#id_text", "Sleep: improving.\nWork: not discussed.")
    first.click("text=Save notes")
    expect(first.get_by_text("Notes saved.")).to_be_visible()

    second.fill("#id_text", "Sleep: improving.\nWork: reviews cause dread.")
    second.click("text=Save notes")

    expect(second.get_by_role("heading", name="Someone else saved these notes first")).to_be_visible()
    expect(second.locator("table.diff tr.diff-added")).to_have_count(1)
    merge = second.locator("#id_merge")
    value = merge.input_value()
    assert value.startswith("Sleep: improving.\nWork: not discussed.\n>>>>> YOUR TEXT")
    assert "Work: reviews cause dread." in value
    second.click("text=Save merged notes")  # markers still in: refused, nothing lost
    expect(second.get_by_text("remove the marker lines")).to_be_visible()
    expect(second.locator("#id_retry")).to_have_value(value)
    second.fill("#id_retry", "Sleep: improving.\nWork: reviews cause dread (not discussed with alice).")
    second.click("text=Try again")
    expect(second.get_by_text("Notes saved. This is version 2.")).to_be_visible()
    assert [r.author for r in reads.note_revisions(AVA, sid)] == ["alice", "bob"]
    no_csp_errors(second)


def test_review_the_chatbots_inferences(
    browser: Browser, site: str, fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = seed_session(fake_manager, AVA)
    fake_manager.record_milestone(AVA, sid, description="Said she is 'fine' while crying")
    state = fake_manager.read_session(AVA, sid)
    breakthrough = state.breakthroughs[0]
    rejected = next(m for m in state.milestones if "crying" in m.description)  # type: ignore[union-attr]
    page = log_in(browser, site, "alice")
    page.goto(f"{site}/clients/{AVA}/sessions/{sid}/")
    page.click("text=Review the inferences")

    card = page.locator(f"#i-{breakthrough.id}")  # type: ignore[union-attr]
    card.get_by_label("Relabel", exact=True).check()
    card.get_by_label("Category (to relabel)").select_option("relational_insight")
    card.get_by_label("Confidence band (to relabel)").select_option("medium")
    card.get_by_label("Reason (required to reject or relabel)").fill("It is about her partner, not work.")
    card.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    card = page.locator(f"#i-{breakthrough.id}")  # type: ignore[union-attr]
    expect(card.locator(".tag")).to_have_text("relabelled")

    other = page.locator(f"#i-{rejected.id}")  # type: ignore[union-attr]
    other.get_by_label("Reject", exact=True).check()
    other.get_by_role("button", name="Record decision").click()
    expect(page.locator(f"#i-{rejected.id} .errors")).to_contain_text("Give a reason")  # type: ignore[union-attr]
    other = page.locator(f"#i-{rejected.id}")  # type: ignore[union-attr]
    other.get_by_label("Reject", exact=True).check()
    other.get_by_label("Reason (required to reject or relabel)").fill("Contradicted by the transcript.")
    other.get_by_role("button", name="Record decision").click()
    expect(page.locator(f"#i-{rejected.id} .tag")).to_have_text("rejected")  # type: ignore[union-attr]
    save(page, "inferences")

    decisions = reads.session_decisions(AVA, sid)
    assert decisions[("breakthrough", breakthrough.id)].clinician_category == "relational_insight"  # type: ignore[union-attr]
    assert decisions[("milestone", rejected.id)].decision == "rejected"  # type: ignore[union-attr]
    page.click("text=Agreement with the chatbot across your clients")
    expect(page.get_by_role("heading", name="Agreement between clinicians and the chatbot")).to_be_visible()
    expect(page.locator("table.agreement")).to_be_visible()
    no_csp_errors(page)


def test_set_the_clients_guidance(
    browser: Browser, site: str, fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = fake_manager.initialize_session(AVA, model="claude")
    page = log_in(browser, site, "alice")
    page.goto(f"{site}/clients/{AVA}/sessions/{sid}/")
    page.click("text=Set or change the guidance")
    page.fill("#id_current_theme", "Sleep and work stress")
    page.fill("#id_therapeutic_focus", "Behavioural activation; small daily routines")
    page.fill("#id_topics_to_avoid", "Her brother's accident (wait for her to raise it)")
    page.click("text=Save guidance")
    expect(page.get_by_text("Guidance v1 saved: written into 1 live session")).to_be_visible()
    save(page, "guidance")
    context = fake_manager.read_session(AVA, sid).context
    assert (context.topics_to_avoid, context.guidance_updated_by) == (
        "Her brother's accident (wait for her to raise it)",
        "alice",
    )
    no_csp_errors(page)


def _shot(name: str):  # type: ignore[no-untyped-def]
    from tests.dashboard.test_browser import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
