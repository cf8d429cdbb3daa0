"""The clinician's part of an export: the session's note (signed or draft, with addenda) and the
chatbot's inferences split by what clinicians decided: verified items apart, rejected ones never
shown as findings. Plain data for the Markdown and PDF renderers, and the JSON shapes of the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sessions_app.domain import Breakthrough, Milestone
from sessions_app.notes.labels import MILESTONE, category_label, confidence_band
from sessions_app.notes.records import AdjudicationRecord, NoteRecord
from sessions_app.state.jsonshape import jsonable


def _utc(value: datetime | None) -> str:
    return "—" if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _label(category: str, band: str, confidence: float | None = None) -> str:
    text = category_label(category)
    if band:
        text += f", {band} confidence"
        if confidence is not None:
            text += f" ({confidence:.2f})"
    return text


@dataclass(frozen=True)
class ReviewedItem:
    """An inference and the clinician's current decision on it."""

    kind: str
    description: str
    at: datetime
    citation_id: str
    ai_label: str
    clinician_label: str  # "" when rejected
    decision: str
    decided_by: str
    decided_at: datetime
    reason: str

    @property
    def heading(self) -> str:
        return f"{self.kind.capitalize()} · {_utc(self.at)}"


@dataclass(frozen=True)
class Inferences:
    milestones: list[Milestone]  # not reviewed yet: the chatbot's inference only
    breakthroughs: list[Breakthrough]  # not reviewed yet, by confidence
    verified: list[ReviewedItem]  # accepted or relabelled: findings a clinician stands behind
    rejected: list[ReviewedItem]  # rejected by a clinician: not findings


def split_inferences(
    milestones: Sequence[Milestone],
    breakthroughs: Sequence[Breakthrough],
    decisions: Sequence[AdjudicationRecord],
) -> Inferences:
    by_item = {(d.kind, d.item_id): d for d in decisions}
    verified: list[ReviewedItem] = []
    rejected: list[ReviewedItem] = []
    open_milestones: list[Milestone] = []
    open_breakthroughs: list[Breakthrough] = []
    items: list[tuple[str, Milestone | Breakthrough]] = [("milestone", m) for m in milestones]
    items += [("breakthrough", b) for b in breakthroughs]
    for kind, item in items:
        decision = by_item.get((kind, item.id))
        if decision is None:
            if isinstance(item, Milestone):
                open_milestones.append(item)
            else:
                open_breakthroughs.append(item)
            continue
        if isinstance(item, Breakthrough):
            ai = _label(item.category.value, confidence_band(item.confidence), item.confidence)
        else:
            ai = _label(MILESTONE, "")
        reviewed = ReviewedItem(
            kind=kind,
            description=item.description,
            at=item.at,
            citation_id=item.citation_id,
            ai_label=ai,
            clinician_label=""
            if decision.decision == "rejected"
            else _label(decision.clinician_category, decision.clinician_band),
            decision=decision.decision,
            decided_by=decision.decided_by,
            decided_at=decision.decided_at,
            reason=decision.reason,
        )
        (rejected if decision.decision == "rejected" else verified).append(reviewed)
    return Inferences(
        milestones=open_milestones,
        breakthroughs=open_breakthroughs,
        verified=sorted(verified, key=_in_time),
        rejected=sorted(rejected, key=_in_time),
    )


def _in_time(item: ReviewedItem) -> tuple[datetime, str]:
    return item.at, item.kind


def note_status(note: NoteRecord | None) -> str:
    """One sentence on the note's state, shown in every export."""
    if note is None:
        return "No clinical note has been written for this session."
    if note.is_signed:
        role = f" ({note.signed_role})" if note.signed_role else ""
        return (
            f"Signed by {note.signed_by}{role} at {_utc(note.signed_at)}, version {note.signed_version}; "
            "a signed note is not changed afterwards, later text is an addendum."
        )
    return (
        f"DRAFT, not signed: version {note.version}, last saved by {note.author or 'unknown'} "
        f"at {_utc(note.saved_at)}."
    )


def addendum_heading(number: int, author: str, added_at: datetime) -> str:
    return f"Addendum {number} · {author} · {_utc(added_at)}"


def note_json(note: NoteRecord | None) -> dict[str, Any] | None:
    """The note in the JSON record (null when none was written)."""
    if note is None:
        return None
    data = jsonable(asdict(note))
    data.pop("user_id")
    data.pop("session_id")
    data["status"] = note.status
    return dict(data)


def decisions_json(decisions: Sequence[AdjudicationRecord]) -> list[dict[str, Any]]:
    """Every current decision on the session's inferences, both labels kept, in the order of the items."""
    ordered = sorted(decisions, key=lambda d: (d.item_at, d.kind, d.item_id))
    return [dict(jsonable(asdict(d))) for d in ordered]
