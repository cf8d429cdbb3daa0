"""The therapist-ready Markdown export, in the design report's layout (see README "Exports").

Structure (headings, labels, tables, list markers) is ours; every piece of user text is escaped by
``mdescape`` and sits inside the block we put it in: a ``> `` quote under a message heading, or the
indented body of a list item. Identifiers are code spans.
"""

from __future__ import annotations

from exports_app.clinical import ReviewedItem, addendum_heading
from exports_app.document import JOURNEY_NOTE, TITLE, ExportDocument, out_of_ten, two_places, utc
from exports_app.markdown.escape import block, code_span, escape_inline
from exports_app.text import visible

VERIFY_HINT = "python manage.py verify_export FILE"


def _labelled(pairs: list[tuple[str, str]]) -> list[str]:
    """``**Label:** value`` lines joined by hard breaks (one paragraph, one line each)."""
    lines = [f"**{label}:** {value}" for label, value in pairs]
    return [line + "\\" for line in lines[:-1]] + lines[-1:]


def _header(doc: ExportDocument) -> list[str]:
    pairs = [(label, escape_inline(value)) for label, value in doc.header]
    pairs.append(("Citation", code_span(doc.export_citation)))
    return [f"# {TITLE}", "", *_labelled(pairs), ""]


def _emotion(doc: ExportDocument) -> list[str]:
    emotion = doc.record.state.emotion
    pairs = [
        ("Emotion", emotion.current_emotion.value),
        ("Intensity", out_of_ten(emotion.emotion_intensity)),
        ("Confidence", two_places(emotion.emotion_confidence)),
        ("Last Change", utc(emotion.last_emotion_change)),
    ]
    if emotion.emotion_tracking_id:
        pairs.append(("Citation", code_span(emotion.emotion_tracking_id)))
    return ["## Current Emotional State", "", *_labelled(pairs), ""]


def _journey(doc: ExportDocument) -> list[str]:
    out = ["## Emotional Journey", ""]
    if not doc.journey:
        out += ["No emotional transitions recorded.", ""]
    else:
        out += [
            escape_inline(JOURNEY_NOTE),
            "",
            "| # | Time (UTC) | From | To | Intensity | Confidence | Message | Message citation | Citation |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for number, entry in enumerate(doc.journey, start=1):
            t = entry.transition
            origin = t.from_emotion.value if t.from_emotion is not None else "—"
            cited = code_span(entry.message_citation) if entry.message_citation else "—"
            out.append(
                f"| {number} | {utc(t.at)} | {origin} | {t.to_emotion.value} | {out_of_ten(t.intensity)} "
                f"| {entry.confidence} | {entry.message} | {cited} | {code_span(t.citation_id)} |"
            )
        out.append("")
    if doc.unreadable_journey:
        out += [f"*{doc.unreadable_journey} journey entries could not be decoded and are not shown.*", ""]
    return out


UNREVIEWED = "*Inferred by the chatbot; not reviewed by a clinician.*"


def _none_left(doc: ExportDocument, kind: str) -> str:
    reviewed = any(item.kind == kind for item in (*doc.verified, *doc.rejected))
    return f"Every {kind} was reviewed by a clinician (below)." if reviewed else f"No {kind}s recorded."


def _milestones(doc: ExportDocument) -> list[str]:
    out = ["## Key Milestones", ""]
    if not doc.milestones:
        return [*out, _none_left(doc, "milestone"), ""]
    out += [UNREVIEWED, ""]
    for m in doc.milestones:
        out += block(m.description, f"- **{utc(m.at)}** ", "  ")
        out.append(f"  - Emotion: {m.emotion.value if m.emotion is not None else '—'}")
        out.append(f"  - Messages so far: {m.message_count}")
        out.append(f"  - Citation: {code_span(m.citation_id)}")
    return [*out, ""]


def _breakthroughs(doc: ExportDocument) -> list[str]:
    out = ["## Breakthroughs", ""]
    if not doc.breakthroughs:
        return [*out, _none_left(doc, "breakthrough"), ""]
    out += [UNREVIEWED, ""]
    for b in doc.breakthroughs:
        out += block(b.description, f"- **{utc(b.at)}** ", "  ")
        out.append(f"  - Category: {b.category.value}")
        out.append(f"  - Confidence: {two_places(b.confidence)}")
        out.append(f"  - Citation: {code_span(b.citation_id)}")
        if b.evidence:
            out.append("  - Evidence: " + ", ".join(code_span(e) for e in b.evidence))
    return [*out, ""]


def _reviewed_item(item: ReviewedItem) -> list[str]:
    out = block(item.description, f"- **{item.kind.capitalize()}, {utc(item.at)}** ", "  ")
    verb = {"accepted": "Accepted", "relabelled": "Relabelled", "rejected": "Rejected"}[item.decision]
    out.append(f"  - {verb} by {escape_inline(item.decided_by)} at {utc(item.decided_at)}")
    if item.clinician_label:
        out.append(f"  - Clinician's label: {escape_inline(item.clinician_label)}")
    out.append(f"  - Chatbot's label: {escape_inline(item.ai_label)}")
    if item.reason.strip():
        out += block(item.reason, "  - Reason: ", "    ")
    out.append(f"  - Citation: {code_span(item.citation_id)}")
    return out


def _verified(doc: ExportDocument) -> list[str]:
    out = ["## Clinician-Verified Findings", ""]
    if not doc.verified:
        return [*out, "No inference has been verified by a clinician.", ""]
    out += ["*Inferences of the chatbot that a clinician accepted or relabelled.*", ""]
    for item in doc.verified:
        out += _reviewed_item(item)
    return [*out, ""]


def _rejected(doc: ExportDocument) -> list[str]:
    out = ["## Rejected Inferences (not findings)", ""]
    if not doc.rejected:
        return [*out, "None.", ""]
    out += ["*The chatbot inferred these and a clinician rejected them: they are not findings.*", ""]
    for item in doc.rejected:
        out += _reviewed_item(item)
    return [*out, ""]


def source_block(text: str) -> list[str]:
    """A clinician's Markdown source kept as it is, in an indented code block (every Markdown
    flavour shows it literally); invisible characters as markers, blank lines at either end dropped."""
    lines = visible(text).split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return [("    " + line).rstrip() if line.strip() else "" for line in lines] or ["    (empty)"]


def _clinical_note(doc: ExportDocument) -> list[str]:
    out = ["## Clinical Notes", "", f"**Status:** {escape_inline(doc.note_status)}", ""]
    note = doc.note
    if note is None:
        return out
    out += ["The note as its author wrote it (Markdown source):", "", *source_block(note.text), ""]
    for number, addendum in enumerate(note.addenda, start=1):
        heading = addendum_heading(number, addendum.author, addendum.added_at)
        out += [f"### {escape_inline(heading)}", "", f"**Reason:** {escape_inline(addendum.reason)}", ""]
        out += [*source_block(addendum.text), ""]
    return out


def _transcript(doc: ExportDocument) -> list[str]:
    out = ["## Transcript", "", escape_inline(doc.range_label), ""]
    for entry in doc.entries:
        out += [f"### {escape_inline(entry.heading)}", ""]
        if entry.kind == "gap":
            continue
        details = []
        if entry.meta:
            details.append(escape_inline(entry.meta))
        if entry.citation_id:
            details.append("Citation: " + code_span(entry.citation_id))
        if details:
            out += ["*" + " · ".join(details) + "*", ""]
        out += [*block(entry.text, "> ", "> "), ""]
    return out


def _context(doc: ExportDocument) -> list[str]:
    out = ["## Therapeutic Context", ""]
    for label, value in doc.context_fields:
        suffix = f" ({escape_inline(doc.notes_meta)})" if label == "Session notes" else ""
        out += [f"**{label}**{suffix}:", ""]
        out += [*block(value, "> ", "> "), ""] if value.strip() else ["*(empty)*", ""]
    return out


def _integrity(doc: ExportDocument) -> list[str]:
    pairs = [
        ("Record SHA-256", code_span(doc.record_sha256)),
        ("Record schema", code_span(str(doc.data.get("schema_version", "")))),
        ("Generated (UTC)", doc.generated_at),
        ("Requested by", escape_inline(doc.context.requested_by)),
        ("Verify with", code_span(VERIFY_HINT)),
    ]
    return ["## Export Integrity", "", *_labelled(pairs), ""]


def render_markdown(doc: ExportDocument) -> str:
    parts = (
        _header(doc),
        _emotion(doc),
        _journey(doc),
        _milestones(doc),
        _breakthroughs(doc),
        _verified(doc),
        _rejected(doc),
        _transcript(doc),
        _context(doc),
        _clinical_note(doc),
        _integrity(doc),
    )
    return "\n".join(line for part in parts for line in part).rstrip("\n") + "\n"


def generated_headings(doc: ExportDocument) -> list[str]:
    """The headings (as plain text) the export must contain and nothing else: used by the tests."""
    fixed = ["Current Emotional State", "Emotional Journey", "Key Milestones", "Breakthroughs"]
    reviews = ["Clinician-Verified Findings", "Rejected Inferences (not findings)", "Transcript"]
    addenda = [
        addendum_heading(n, a.author, a.added_at)
        for n, a in enumerate(doc.note.addenda if doc.note else (), 1)
    ]
    return [
        TITLE, *fixed, *reviews, *(e.heading for e in doc.entries), "Therapeutic Context", "Clinical Notes",
        *addenda, "Export Integrity",
    ]  # fmt: skip
