"""The PDF's clinician part: the note rendered from its Markdown (sanitised by nh3, the same renderer
as the page), addenda, and the inferences split by clinicians' decisions."""

from __future__ import annotations

from typing import Any

from exports_app.clinical import ReviewedItem, addendum_heading
from exports_app.document import ExportDocument, utc
from exports_app.text import visible, visible_line
from sessions_app.notes.rendering import render_safe


def _item(item: ReviewedItem) -> dict[str, Any]:
    return {
        "heading": f"{item.kind.capitalize()} · {utc(item.at)}",
        "text": visible(item.description),
        "decision": item.decision,
        "by": visible_line(item.decided_by),
        "at": utc(item.decided_at),
        "clinician_label": item.clinician_label,
        "ai_label": item.ai_label,
        "reason": visible(item.reason),
        "citation": visible_line(item.citation_id),
    }


def clinical_context(doc: ExportDocument) -> dict[str, Any]:
    note = doc.note
    rendered: dict[str, Any] | None = None
    if note is not None:
        rendered = {
            # render_safe: nh3's allow-list has just been applied (no links, images, attributes or
            # raw HTML); never used on client text.
            "html": render_safe(note.text),
            "addenda": [
                {
                    "heading": visible_line(addendum_heading(n, a.author, a.added_at)),
                    "reason": visible(a.reason),
                    "html": render_safe(a.text),
                }
                for n, a in enumerate(note.addenda, start=1)
            ],
        }
    return {
        "note": rendered,
        "note_status": visible_line(doc.note_status),
        "note_signed": note is not None and note.is_signed,
        "verified": [_item(i) for i in doc.verified],
        "rejected": [_item(i) for i in doc.rejected],
        "unreviewed_milestones": any(i.kind == "milestone" for i in (*doc.verified, *doc.rejected)),
        "unreviewed_breakthroughs": any(i.kind == "breakthrough" for i in (*doc.verified, *doc.rejected)),
    }
