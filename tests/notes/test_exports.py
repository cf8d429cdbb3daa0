"""The clinician's records in every export: the note signed (who, when) or marked as a draft, its
addenda, its Markdown source kept in the Markdown file and rendered safely in the PDF; verified
inferences apart and rejected ones never as findings; the JSON record and its schema; verification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from exports_app.canonical import record_data
from exports_app.document import build_document
from exports_app.exporters import json_export, markdown_export, pdf_export
from exports_app.markdown.export import generated_headings
from exports_app.records import ExportRecord, load_record
from exports_app.service import Requester, new_context
from exports_app.verify import Outcome, judge, read_claim
from ifemotion.accounts.models import User
from sessions_app.domain import Milestone
from sessions_app.notes import adjudication, services
from sessions_app.state.manager import ConversationStateManager
from tests.exports_app.conftest import Canary
from tests.exports_app.test_pdf import pdftotext
from tests.notes.conftest import actor_for, seed_session
from tests.support import AVA

SCHEMA = Path(__file__).resolve().parents[2] / "exports_app" / "schema" / "session-export-v1.schema.json"
NOTE = "### Plan\n\n- *sleep diary*\n- review in **two** weeks\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |"


def signed_session(manager: ConversationStateManager, alice: User, carmen: User) -> str:
    sid = seed_session(manager, AVA, notes="")
    services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text=NOTE)
    services.sign_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=1)
    services.add_addendum(
        actor=actor_for(carmen, AVA), session_id=sid, text="GP *informed*.", reason="follow-up"
    )
    return sid


def record_of(sid: str) -> ExportRecord:
    return load_record(AVA, sid)


def markdown_of(sid: str) -> str:
    return markdown_export(record_of(sid), new_context(Requester("alice"))).content.decode()


def section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def test_markdown_shows_who_signed_when_the_source_and_addenda(
    fake_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    sid = signed_session(fake_manager, alice, carmen)
    text = markdown_of(sid)
    notes = section(text, "Clinical Notes")
    assert "**Status:** Signed by alice (therapist) at " in notes
    assert "version 1" in notes
    for line in NOTE.split("\n"):
        assert ("    " + line).rstrip() in notes.split("\n") or not line.strip()  # the source, verbatim
    assert "### Addendum 1 · carmen · " in notes
    assert "**Reason:** follow-up" in notes
    assert "    GP *informed*." in notes


def test_a_draft_is_marked_as_a_draft_everywhere(
    fake_manager: ConversationStateManager, alice: User, tmp_path: Path
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text="Working draft")
    record = record_of(sid)
    context = new_context(Requester("alice"))
    assert (
        "**Status:** DRAFT, not signed: version 1, last saved by alice"
        in markdown_export(record, context).content.decode()
    )
    document = json.loads(json_export(record, context).content)
    assert document["record"]["clinical_note"]["status"] == "draft"
    pdf = pdftotext(pdf_export(record, context).content, tmp_path)
    assert "DRAFT, not signed" in pdf
    assert "Working draft" in pdf


def test_hostile_note_markdown_stays_inert_in_the_markdown_export(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    hostile = (
        "# Transcript\n<script>alert(1)</script>\n[x](javascript:alert(1)) ![i](https://t.example/p.png)\n"
        "<!-- c -->"
    )
    sid = seed_session(fake_manager, AVA, notes="")
    services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text=hostile)
    record = record_of(sid)
    context = new_context(Requester("alice"))
    text = markdown_export(record, context).content.decode()
    tokens = MarkdownIt("commonmark").parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert [h.replace("\\", "") for h in headings] == [
        h.replace("\\", "") for h in generated_headings(build_document(record, context))
    ]
    assert not [t for t in tokens if t.type == "html_block"]
    assert not [
        c for t in tokens for c in t.children or [] if c.type in {"link_open", "image", "html_inline"}
    ]
    assert "    <script>alert(1)</script>" in text  # kept as source, in a code block


def test_the_pdf_renders_the_note_safely_and_fetches_nothing(
    fake_manager: ConversationStateManager, alice: User, carmen: User, canary: Canary, tmp_path: Path
) -> None:
    sid = signed_session(fake_manager, alice, carmen)
    services.add_addendum(
        actor=actor_for(alice, AVA), session_id=sid, reason="links",
        text=f"![x]({canary.url}/img.png) [site]({canary.url}/page) <script>alert(1)</script>",
    )  # fmt: skip
    pdf = pdftotext(pdf_export(record_of(sid), new_context(Requester("alice"))).content, tmp_path)
    assert canary.hits == []
    assert "Signed by alice (therapist)" in pdf
    assert "Plan" in pdf
    assert "sleep diary" in pdf
    assert "### Plan" not in pdf  # rendered, not shown as source
    assert "*sleep diary*" not in pdf
    assert "[image not shown: x]" in pdf
    assert "<script>alert(1)</script>" in pdf  # raw HTML shown as text
    assert pdf.index("GP informed.") < pdf.index("[image not shown: x]")  # addenda in order


def test_verified_inferences_apart_and_rejected_never_as_findings(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    sid = seed_session(fake_manager, AVA, milestone="Named a trigger", breakthrough="Linked sleep and mood")
    milestone = fake_manager.record_milestone(AVA, sid, description="Second milestone, rejected")
    state = fake_manager.read_session(AVA, sid)
    first = next(
        m for m in state.milestones if isinstance(m, Milestone) and m.description == "Named a trigger"
    )
    breakthrough = state.breakthroughs[0]
    actor = actor_for(alice, AVA)
    adjudication.adjudicate(
        actor=actor, session_id=sid, kind="milestone", item_id=first.id, decision="accepted"
    )
    adjudication.adjudicate(actor=actor, session_id=sid, kind="milestone", item_id=milestone.id,
                            decision="rejected", reason="She said the opposite.")  # fmt: skip
    adjudication.adjudicate(actor=actor, session_id=sid, kind="breakthrough", item_id=breakthrough.id,  # type: ignore[union-attr]
                            decision="relabelled", category="relational_insight", band="medium",
                            reason="It is about her partner.")  # fmt: skip

    text = markdown_of(sid)

    findings = section(text, "Key Milestones") + section(text, "Breakthroughs")
    assert "Second milestone, rejected" not in findings
    assert "Named a trigger" not in findings  # verified: shown apart
    verified = section(text, "Clinician-Verified Findings")
    assert "Named a trigger" in verified
    assert "Linked sleep and mood" in verified
    assert "Clinician's label: relational insight, medium confidence" in verified
    assert "Chatbot's label: pattern recognition, high confidence (0.85)" in verified
    assert "Second milestone, rejected" not in verified
    rejected = section(text, "Rejected Inferences (not findings)")
    assert "Second milestone, rejected" in rejected
    assert "She said the opposite." in rejected
    data = record_data(record_of(sid))
    assert [
        (d["kind"], d["decision"], d["ai_category"], d["clinician_category"]) for d in data["adjudications"]
    ] == [
        ("milestone", "accepted", "milestone", "milestone"),
        ("breakthrough", "relabelled", "pattern_recognition", "relational_insight"),
        ("milestone", "rejected", "milestone", ""),
    ]


def test_the_json_record_with_notes_and_decisions_follows_the_schema(
    fake_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    sid = signed_session(fake_manager, alice, carmen)
    item = fake_manager.read_session(AVA, sid).milestones[0]
    adjudication.adjudicate(actor=actor_for(alice, AVA), session_id=sid, kind="milestone", item_id=item.id,  # type: ignore[union-attr]
                            decision="rejected", reason="no")  # fmt: skip
    document = json.loads(json_export(record_of(sid), new_context(Requester("alice"))).content)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    note = document["record"]["clinical_note"]
    assert (note["status"], note["signed_by"], note["text"]) == ("signed", "alice", NOTE)
    assert [a["author"] for a in note["addenda"]] == ["carmen"]
    assert document["record"]["adjudications"][0]["decision"] == "rejected"
    assert document["record"]["schema_version"] == "1.1"


def test_an_addendum_after_an_export_is_a_change_of_the_record(
    fake_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    sid = signed_session(fake_manager, alice, carmen)
    exported = json_export(record_of(sid), new_context(Requester("alice")))
    claim = read_claim(exported.content)
    assert judge(claim, record_data(record_of(sid)), None).outcome is Outcome.MATCH
    services.add_addendum(actor=actor_for(alice, AVA), session_id=sid, text="later", reason="new")
    assert judge(claim, record_data(record_of(sid)), None).outcome is Outcome.CHANGED_SINCE_EXPORT
