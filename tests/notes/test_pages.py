"""The notes app's pages through the Django test client: the session page's cards, saving, the
conflict page, signing, addenda, history, guidance, inference review; bad input and access."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse

from ifemotion.accounts.identity import start_break_glass
from ifemotion.accounts.models import AuditAction, AuditEvent, User
from sessions_app.notes import reads, services
from sessions_app.state.manager import ConversationStateManager
from tests.notes.conftest import actor_for, seed_session
from tests.support import AVA, login

REASON = "client in crisis, assigned therapist unreachable"


def detail(sid: str) -> str:
    return reverse("sessions:detail", args=[AVA, sid])


def save(client: Client, sid: str, version: int, text: str) -> object:
    return client.post(reverse("sessions:notes", args=[AVA, sid]), {"version": version, "text": text})


def test_the_session_page_shows_the_draft_and_who_may_sign(
    fake_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    response = save(login(alice), sid, 0, "## Plan\n*sleep* diary")
    assert response.status_code == 302  # type: ignore[attr-defined]

    mine = login(alice).get(detail(sid)).content.decode()
    theirs = login(carmen).get(detail(sid)).content.decode()

    assert "Draft</span> version 1, saved by alice" in mine
    assert "<h4>Plan</h4>" in mine  # the saved draft, rendered
    assert "<em>sleep</em>" in mine
    assert "Sign version 1" in mine
    assert "Sign version 1" not in theirs
    assert "Only alice, who saved this version, can sign it." in theirs
    assert "Guidance for the chatbot" in mine
    assert "Inferences to review" in mine


def test_the_conflict_page_starts_the_merge_from_their_text_with_mine_marked(
    fake_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    save(login(alice), sid, 0, "shared start")
    save(login(alice), sid, 1, "Alice: discussed sleep.")

    response = save(login(carmen), sid, 1, "Carmen: discussed work.")

    body = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "Someone else saved these notes first" in body
    assert '<pre class="theirs" dir="auto">Alice: discussed sleep.</pre>' in body
    assert '<pre class="mine" dir="auto">Carmen: discussed work.</pre>' in body
    assert 'class="diff-removed"' in body
    assert 'class="diff-added"' in body
    merge = re.search(r'<textarea id="id_merge"[^>]*>(.*?)</textarea>', body, re.S)
    assert merge is not None
    lines = merge.group(1).split("\n")
    assert lines[0] == "Alice: discussed sleep."
    assert lines[1].startswith("&gt;&gt;&gt;&gt;&gt; YOUR TEXT")
    assert lines[2] == "Carmen: discussed work."
    assert reads.session_note(AVA, sid).text == "Alice: discussed sleep."  # type: ignore[union-attr]
    # Saving the proposal as it is: refused until the markers are gone, text kept.
    proposal = merge.group(1).replace("&gt;", ">").replace("&lt;", "<")
    refused = save(login(carmen), sid, 2, proposal)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "marker lines" in refused.content.decode()  # type: ignore[attr-defined]
    merged = save(login(carmen), sid, 2, "Alice: discussed sleep.\nCarmen: discussed work.")
    assert merged.status_code == 302  # type: ignore[attr-defined]


def test_signing_someone_elses_draft_is_403_and_a_signed_note_refuses_edits(
    fake_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    save(login(alice), sid, 0, "alice's draft")
    sign = reverse("notes:sign", args=[AVA, sid])

    refused = login(carmen).post(sign, {"version": 1})
    assert refused.status_code == 403
    assert "only they can sign it" in refused.content.decode()
    assert login(alice).post(sign, {"version": 1}).status_code == 302

    edit = save(login(alice), sid, 1, "a late change")
    body = edit.content.decode()  # type: ignore[attr-defined]
    assert edit.status_code == 409  # type: ignore[attr-defined]
    assert "This note is signed" in body
    assert "a late change</textarea>" in body  # kept, offered as an addendum
    page = login(carmen).get(detail(sid)).content.decode()
    assert "Signed</span> by alice (therapist)" in page
    assert "Add addendum" in page
    assert 'name="version"' not in page.split('id="notes"')[1].split("</aside>")[0]  # no editor


def test_addenda_from_the_page_and_their_errors(fake_manager: ConversationStateManager, alice: User) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    save(login(alice), sid, 0, "summary")
    login(alice).post(reverse("notes:sign", args=[AVA, sid]), {"version": 1})
    url = reverse("notes:addendum", args=[AVA, sid])

    missing = login(alice).post(url, {"text": "GP called back", "reason": ""})
    assert missing.status_code == 400
    assert "GP called back</textarea>" in missing.content.decode()
    assert login(alice).post(url, {"text": "GP called back", "reason": "follow-up"}).status_code == 302
    page = login(alice).get(detail(sid)).content.decode()
    assert "Addendum 1" in page
    assert "Reason: <bdi>follow-up</bdi>" in page


def test_bad_input_is_a_clear_form_error_with_the_text_kept(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    client = login(alice)
    too_long = save(client, sid, 0, "x" * 50_001)
    assert too_long.status_code == 400  # type: ignore[attr-defined]
    assert "at most 50000 characters" in too_long.content.decode()  # type: ignore[attr-defined]
    nul = save(client, sid, 0, "before\x00after")
    assert nul.status_code == 400  # type: ignore[attr-defined]
    assert "Null characters are not allowed" in nul.content.decode() or "NUL" in nul.content.decode()  # type: ignore[attr-defined]
    broken = client.post(
        reverse("sessions:notes", args=[AVA, sid]),
        data=b"version=0&text=dose+%FF%FE+mg",
        content_type="application/x-www-form-urlencoded",
    )
    body = broken.content.decode()
    assert broken.status_code == 400
    assert "not valid UTF-8" in body
    assert "dose \ufffd\ufffd mg" in body  # shown with visible replacement characters, nothing silently lost
    assert reads.session_note(AVA, sid) is None


def test_history_lists_every_revision_and_diffs_any_two(
    fake_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    for version, text in enumerate(["one\ntwo", "one\n2\nthree", "zero\none\n2\nthree"]):
        save(login(alice), sid, version, text)
    url = reverse("notes:history", args=[AVA, sid])

    page = login(alice).get(url, {"from": "1", "to": "3"}).content.decode()

    assert page.count("saved in the dashboard") == 3
    assert "Version 1 → version 3: 3 lines added, 1 removed" in page
    assert '<tr class="diff-removed"><td class="num">2</td>' in page
    assert login(alice).get(url).content.decode().count("diff-added") == 1  # default: 2 → 3
    assert login(bob).get(url).status_code == 404
    assert login(alice).get(reverse("notes:history", args=[AVA, "no-such"])).status_code == 404
    views = AuditEvent.objects.filter(action=AuditAction.SESSION_VIEWED, actor="alice", session_id=sid)
    assert [e.detail["page"] for e in views] == ["note_history", "note_history"]  # one row per page shown


def test_break_glass_sees_notes_but_cannot_write_or_decide(
    fake_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    save(login(alice), sid, 0, "visible in an emergency")
    start_break_glass(user=bob, client_id=AVA, reason=REASON)
    client = login(bob)
    page = client.get(detail(sid)).content.decode()
    assert "visible in an emergency" in page
    assert "Save notes" not in page
    assert save(client, sid, 1, "bob was here").status_code == 404  # type: ignore[attr-defined]
    assert client.post(reverse("notes:sign", args=[AVA, sid]), {"version": 1}).status_code == 404
    assert client.get(reverse("notes:inferences", args=[AVA, sid])).status_code == 200
    assert client.post(reverse("notes:guidance", args=[AVA]), {"version": 0}).status_code == 404


def test_guidance_page_saves_reports_and_refuses_stale_versions(
    fake_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    live = fake_manager.initialize_session(AVA, model="m")
    url = reverse("notes:guidance", args=[AVA])
    fields = {
        "version": 0,
        "current_theme": "sleep",
        "therapeutic_focus": "routine",
        "topics_to_avoid": "her ex",
    }

    saved = login(alice).post(url, fields, follow=True)
    assert "Guidance v1 saved: written into 1 live session" in saved.content.decode()
    assert fake_manager.read_session(AVA, live).context.topics_to_avoid == "her ex"

    stale = login(carmen).post(url, fields | {"topics_to_avoid": "carmen's view"})
    body = stale.content.decode()
    assert stale.status_code == 409
    assert "not saved" in body
    assert "carmen&#x27;s view</textarea>" in body
    invalid = login(carmen).post(url, fields | {"version": 1, "current_theme": "x" * 5000})
    assert invalid.status_code == 400
    page = login(alice).get(detail(live)).content.decode()
    assert "her ex" in page


def test_reviewing_inferences_from_the_page(
    fake_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    sid = seed_session(fake_manager, AVA)
    breakthrough = fake_manager.read_session(AVA, sid).breakthroughs[0]
    review = reverse("notes:inferences", args=[AVA, sid])
    decide = reverse("notes:adjudicate", args=[AVA, sid, "breakthrough", breakthrough.id])  # type: ignore[union-attr]
    prefix = breakthrough.id  # type: ignore[union-attr]

    page = login(alice).get(review).content.decode()
    assert "Linked sleep and mood" in page
    assert "pattern recognition, high confidence (0.85)" in page
    refused = login(alice).post(decide, {f"{prefix}-decision": "rejected", f"{prefix}-reason": ""})
    assert refused.status_code == 400
    assert "Give a reason" in refused.content.decode()
    done = login(alice).post(
        decide, {f"{prefix}-decision": "relabelled", f"{prefix}-category": "relational_insight",
                 f"{prefix}-band": "medium", f"{prefix}-reason": "About her partner."},
    )  # fmt: skip
    assert done.status_code == 302
    after = login(alice).get(review).content.decode()
    assert "relabelled</span> as relational insight, medium confidence by alice" in after
    assert "1 verified, 0 rejected, 1 not reviewed" in login(alice).get(detail(sid)).content.decode()
    assert login(bob).post(decide, {f"{prefix}-decision": "accepted"}).status_code == 404
    assert login(bob).get(review).status_code == 404
    wrong = reverse("notes:adjudicate", args=[AVA, sid, "emotion", breakthrough.id])  # type: ignore[union-attr]
    assert login(alice).post(wrong, {f"{prefix}-decision": "accepted"}).status_code == 404
    unknown = reverse("notes:adjudicate", args=[AVA, sid, "milestone", "no-such-item"])
    assert login(alice).post(unknown, {"no-such-item-decision": "accepted"}).status_code == 404


def test_resending_the_live_copy(fake_manager: ConversationStateManager, alice: User) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text="the note")
    fake_manager.update_context_snapshot(AVA, sid, session_notes="the chatbot changed it")
    page = login(alice).get(detail(sid)).content.decode()
    assert "differs from them" in page
    response = login(alice).post(reverse("notes:resend", args=[AVA, sid]), follow=True)
    assert "The live session now has these notes." in response.content.decode()
    assert fake_manager.read_session(AVA, sid).context.session_notes == "the note"


class Structure(HTMLParser):
    """Ids, label targets and form fields of a page (for unique ids and labelled fields)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_targets: list[str] = []
        self.fields: list[str] = []
        self.described_by: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if tag == "label" and values.get("for"):
            self.label_targets.append(str(values["for"]))
        if tag in {"textarea", "select"} or (
            tag == "input" and values.get("type") not in {"hidden", "submit"}
        ):
            self.fields.append(str(values.get("id") or ""))
        if values.get("aria-describedby"):
            self.described_by.append(str(values["aria-describedby"]))


def test_the_pages_have_unique_ids_and_every_field_is_labelled(
    fake_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    save(login(alice), sid, 0, "draft")
    conflict = save(login(carmen), sid, 0, "carmen's")
    signed = seed_session(fake_manager, AVA, notes="")
    save(login(alice), signed, 0, "to sign")
    login(alice).post(reverse("notes:sign", args=[AVA, signed]), {"version": 1})
    client = login(alice)
    pages = {
        "draft": client.get(detail(sid)).content.decode(),
        "signed": client.get(detail(signed)).content.decode(),
        "conflict": conflict.content.decode(),  # type: ignore[attr-defined]
        "history": client.get(reverse("notes:history", args=[AVA, sid])).content.decode(),
        "guidance": client.get(reverse("notes:guidance", args=[AVA])).content.decode(),
        "inferences": client.get(reverse("notes:inferences", args=[AVA, sid])).content.decode(),
        "agreement": client.get(reverse("notes:agreement")).content.decode(),
    }
    for name, html in pages.items():
        page = Structure()
        page.feed(html)
        assert len(page.ids) == len(set(page.ids)), (
            name,
            sorted(i for i in page.ids if page.ids.count(i) > 1),
        )
        unlabelled = [f for f in page.fields if f not in page.label_targets]
        # Radio buttons are labelled by wrapping labels (Django's RadioSelect): their ids are targets too.
        assert unlabelled == [], (name, unlabelled)
        assert set(page.described_by) <= set(page.ids), name
