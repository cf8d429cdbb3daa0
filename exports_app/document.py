"""The content of an export, shared by the Markdown and the PDF renderers so both show the same thing.

Everything here is plain data: user text is kept raw (each renderer escapes it its own way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from exports_app.canonical import record_data, record_sha256
from exports_app.clinical import Inferences, ReviewedItem, note_status, split_inferences
from exports_app.errors import InvalidRange
from exports_app.records import ExportContext, ExportRecord, TranscriptItem, seq_gaps
from sessions_app.domain import (
    Breakthrough,
    EmotionTransition,
    Message,
    Milestone,
    Role,
    UnreadableEntry,
)
from sessions_app.emotions import INFERRED_NOTE
from sessions_app.notes.live import live_notes_text
from sessions_app.notes.records import NoteRecord
from sessions_app.repository.provenance import link_transitions

TITLE = "IF.emotion Conversation Export"
JOURNEY_NOTE = (
    f"Emotions, intensities and confidences are {INFERRED_NOTE}. Each row names the message the update "
    "was sent with, or the last message before it, and the update's own citation."
)
DASH = "\u2013"  # en dash, for ranges
ROLE_LABELS = {Role.USER: "Client", Role.ASSISTANT: "IF.emotion", Role.SYSTEM: "System"}


def utc(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def compact_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def out_of_ten(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 10)}/10"


def two_places(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@dataclass(frozen=True)
class TranscriptEntry:
    """One block of the transcript: a message, an unreadable entry, or a gap we found."""

    kind: str  # "message" | "unreadable" | "gap"
    heading: str
    text: str = ""
    meta: str = ""
    citation_id: str = ""
    seq: int | None = None


@dataclass(frozen=True)
class JourneyEntry:
    """A row of the emotional journey with its provenance, as the session page's table shows it."""

    transition: EmotionTransition
    message: str  # "#12" (the message the update was sent with, or the one just before it) or "—"
    message_citation: str  # that message's own citation id ("" when not found)
    low_confidence: bool

    @property
    def confidence(self) -> str:
        return two_places(self.transition.confidence) + (" (low)" if self.low_confidence else "")


def journey_entries(record: ExportRecord) -> list[JourneyEntry]:
    """Each readable transition with the message it belongs to (``repository.provenance``, over the
    whole transcript the export already holds: no extra read)."""
    transitions = [t for t in record.state.emotion_log if isinstance(t, EmotionTransition)]
    refs = link_transitions(transitions, record.transcript)
    threshold = float(settings.EMOTION_LOW_CONFIDENCE)
    return [
        JourneyEntry(
            transition=t,
            message="—" if ref is None else f"#{ref.seq}",
            message_citation="" if ref is None else ref.citation_id,
            low_confidence=t.confidence < threshold,
        )
        for t, ref in zip(transitions, refs, strict=True)
    ]


@dataclass(frozen=True)
class ExportDocument:
    record: ExportRecord
    context: ExportContext
    data: dict[str, Any]
    record_sha256: str
    header: list[tuple[str, str]]
    transitions: list[EmotionTransition]
    journey: list[JourneyEntry]
    milestones: list[Milestone]  # not reviewed by a clinician (reviewed ones are in verified/rejected)
    breakthroughs: list[Breakthrough]  # not reviewed, by confidence
    unreadable_journey: int
    entries: list[TranscriptEntry]
    shown_messages: int
    range_label: str
    context_fields: list[tuple[str, str]]
    notes_meta: str
    export_citation: str
    note: NoteRecord | None
    note_status: str
    verified: list[ReviewedItem]
    rejected: list[ReviewedItem]

    @property
    def generated_at(self) -> str:
        return utc(self.context.generated_at)


def _selected(record: ExportRecord, context: ExportContext) -> list[TranscriptItem]:
    low, high = context.seq_from, context.seq_to
    if low is not None and high is not None and low > high:
        raise InvalidRange(f"the message range {low}{DASH}{high} is empty: 'from' is after 'to'")
    if low is None and high is None:
        return list(record.transcript)
    lo = low if low is not None else 1
    hi = high if high is not None else record.state.metadata.message_count
    # Unreadable entries have no seq: they belong to a range only when the whole transcript is shown.
    return [m for m in record.transcript if isinstance(m, Message) and lo <= m.seq <= hi]


def _entries(
    record: ExportRecord, items: list[TranscriptItem], context: ExportContext
) -> list[TranscriptEntry]:
    gaps = seq_gaps(record)
    lo = context.seq_from or 1
    hi = context.seq_to or record.state.metadata.message_count
    pending = [(a, b) for a, b in gaps if b >= lo and a <= hi]
    entries: list[TranscriptEntry] = []

    def flush_gaps(before_seq: int | None) -> None:
        while pending and (before_seq is None or pending[0][0] < before_seq):
            a, b = pending.pop(0)
            a, b = max(a, lo), min(b, hi)
            label = f"Message {a}" if a == b else f"Messages {a}{DASH}{b}"
            entries.append(TranscriptEntry(kind="gap", heading=f"{label}: missing from the record"))

    for item in items:
        if isinstance(item, UnreadableEntry):
            entries.append(
                TranscriptEntry(
                    kind="unreadable",
                    heading=f"Unreadable entry (stored position {item.position})",
                    text=f"This {item.kind} could not be decoded ({item.reason}); it is kept for review.",
                )
            )
            continue
        flush_gaps(item.seq)
        role = ROLE_LABELS.get(item.role, str(item.role))
        meta = ""
        if item.emotion is not None:
            meta = (
                f"Emotion: {item.emotion.value}, intensity {out_of_ten(item.intensity)}, "
                f"confidence {two_places(item.confidence)}"
            )
        entries.append(
            TranscriptEntry(
                kind="message",
                heading=f"Message {item.seq} · {role} · {utc(item.timestamp)}",
                text=item.content,
                meta=meta,
                citation_id=item.citation_id,
                seq=item.seq,
            )
        )
    flush_gaps(None)
    return entries


def _range_label(record: ExportRecord, items: list[TranscriptItem]) -> tuple[str, int]:
    seqs = [m.seq for m in items if isinstance(m, Message)]
    total = record.state.metadata.message_count
    if not seqs:
        return f"No messages shown ({total} recorded).", 0
    return f"Messages {min(seqs)}{DASH}{max(seqs)} of {total} ({len(seqs)} shown).", len(seqs)


def build_document(record: ExportRecord, context: ExportContext) -> ExportDocument:
    meta = record.state.metadata
    data = record_data(record)
    digest = record_sha256(data)
    items = _selected(record, context)
    range_label, shown = _range_label(record, items)
    duration = max(0.0, (meta.last_updated - meta.started_at).total_seconds()) / 60
    if record.live_unavailable:
        source = "archive only: live records were unavailable, newer messages may exist"
    elif record.source == "live":
        source = "live record"
    else:
        source = "archive (the live record has expired)"
    header = [
        ("Client", meta.user_id),
        ("Session ID", meta.session_id),
        ("Started", utc(meta.started_at)),
        ("Last Updated", utc(meta.last_updated)),
        ("Duration", f"{duration:.1f} minutes"),
        ("Status", meta.status.value),
        ("Model", meta.last_model or "—"),
        ("Source", source),
        ("Messages", range_label.removeprefix("Messages ")),
        ("Generated", f"{utc(context.generated_at)} by {context.requested_by}"),
    ]
    journey = (*record.state.emotion_log, *record.state.milestones, *record.state.breakthroughs)
    ctx = record.state.context
    context_fields = [
        ("Current theme", ctx.current_theme),
        ("Therapeutic focus", ctx.therapeutic_focus),
        ("Topics to avoid", ctx.topics_to_avoid),
        ("Client state summary", ctx.client_state_summary),
        ("Session notes", _notes_copy(record)),
    ]
    notes_meta = f"version {ctx.version}"
    if ctx.notes_updated_by:
        notes_meta += f", last edited by {ctx.notes_updated_by}"
    if ctx.last_summarized is not None:
        notes_meta += f", last summarised {utc(ctx.last_summarized)}"
    if ctx.guidance_version:
        notes_meta += f"; guidance version {ctx.guidance_version}"
    inferences = _inferences(record)
    return ExportDocument(
        record=record,
        context=context,
        data=data,
        record_sha256=digest,
        header=header,
        transitions=[t for t in record.state.emotion_log if isinstance(t, EmotionTransition)],
        journey=journey_entries(record),
        milestones=inferences.milestones,
        breakthroughs=sorted(inferences.breakthroughs, key=lambda b: (-b.confidence, b.at)),
        unreadable_journey=sum(isinstance(x, UnreadableEntry) for x in journey),
        entries=_entries(record, items, context),
        shown_messages=shown,
        range_label=range_label,
        context_fields=context_fields,
        notes_meta=notes_meta,
        export_citation=f"if://export/{meta.session_id}/{context.export_id}",
        note=record.note,
        note_status=note_status(record.note),
        verified=inferences.verified,
        rejected=inferences.rejected,
    )


COPY_OF_NOTE = "(the Clinical Notes below, as the chatbot reads them)"


def _notes_copy(record: ExportRecord) -> str:
    """The context's notes, unless they are just the live copy of the clinical note (not shown twice)."""
    copy = record.state.context.session_notes
    if record.note is not None and copy == live_notes_text(record.note):
        return COPY_OF_NOTE
    return copy


def _inferences(record: ExportRecord) -> Inferences:
    return split_inferences(
        [m for m in record.state.milestones if isinstance(m, Milestone)],
        [b for b in record.state.breakthroughs if isinstance(b, Breakthrough)],
        record.decisions,
    )
