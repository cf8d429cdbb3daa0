"""What the notes app adds to the session page: the notes card, the guidance card and the inference
review card (``session_cards``), built from the session the page already read plus database reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from sessions_app.access import AccessGrant
from sessions_app.domain import Breakthrough, Milestone, SessionState
from sessions_app.notes import reads
from sessions_app.notes.forms import AddendumForm, NoteForm
from sessions_app.notes.live import live_notes_text
from sessions_app.notes.records import AddendumRecord, GuidanceRecord, NoteRecord
from sessions_app.notes.rendering import render_safe

SIGNING_ROLES = frozenset({"therapist", "clinician"})


@dataclass(frozen=True)
class NotesCard:
    note: NoteRecord | None
    rendered: SafeString
    addenda: list[tuple[AddendumRecord, SafeString]]
    taken_over: bool  # the editor starts from notes found in the context snapshot (no revision yet)
    may_edit: bool
    may_sign: bool
    live_copy_stale: bool  # a live session whose copy differs from the note (Redis was down at a save)
    form: NoteForm | None
    addendum_form: AddendumForm | None
    revisions: int


@dataclass(frozen=True)
class GuidanceCard:
    current: GuidanceRecord | None
    session_version: int  # the guidance version this session's context holds (0: none)
    session_written_by: str
    is_live: bool

    @property
    def stale(self) -> bool:
        return self.is_live and self.current is not None and self.session_version != self.current.version


@dataclass(frozen=True)
class InferenceCard:
    total: int
    verified: int
    rejected: int
    unreviewed: int


@dataclass(frozen=True)
class SessionCards:
    notes: NotesCard
    guidance: GuidanceCard
    inferences: InferenceCard


def notes_card(grant: AccessGrant, state: SessionState, *, is_live: bool) -> NotesCard:
    meta = state.metadata
    note = reads.session_note(meta.user_id, meta.session_id)
    may_edit = not grant.read_only
    if note is None:
        text = state.context.session_notes
        return NotesCard(
            note=None,
            rendered=render_safe(text),
            addenda=[],
            taken_over=bool(text.strip()),
            may_edit=may_edit,
            may_sign=False,
            live_copy_stale=False,
            form=NoteForm(initial={"version": 0, "text": text}) if may_edit else None,
            addendum_form=None,
            revisions=0,
        )
    signed = note.is_signed
    return NotesCard(
        note=note,
        rendered=render_safe(note.text),
        addenda=[(a, render_safe(a.text)) for a in note.addenda],
        taken_over=False,
        may_edit=may_edit and not signed,
        may_sign=may_edit and not signed and note.author == grant.username and grant.role in SIGNING_ROLES,
        live_copy_stale=is_live and state.context.session_notes != live_notes_text(note),
        form=NoteForm(initial={"version": note.version, "text": note.text})
        if may_edit and not signed
        else None,
        addendum_form=AddendumForm() if may_edit and signed else None,
        revisions=note.version,
    )


def guidance_card(state: SessionState, *, is_live: bool) -> GuidanceCard:
    return GuidanceCard(
        current=reads.current_guidance(state.metadata.user_id),
        session_version=state.context.guidance_version,
        session_written_by=state.context.guidance_updated_by,
        is_live=is_live,
    )


def inference_card(state: SessionState) -> InferenceCard:
    meta = state.metadata
    items = {("milestone", m.id) for m in state.milestones if isinstance(m, Milestone)}
    items |= {("breakthrough", b.id) for b in state.breakthroughs if isinstance(b, Breakthrough)}
    decided = {
        key: d for key, d in reads.session_decisions(meta.user_id, meta.session_id).items() if key in items
    }
    rejected = sum(not d.verified for d in decided.values())
    return InferenceCard(
        total=len(items),
        verified=len(decided) - rejected,
        rejected=rejected,
        unreviewed=len(items) - len(decided),
    )


def session_cards(grant: AccessGrant, state: SessionState, *, is_live: bool) -> dict[str, Any]:
    """Template context for ``notes/_session_cards.html``."""
    return {
        "cards": SessionCards(
            notes=notes_card(grant, state, is_live=is_live),
            guidance=guidance_card(state, is_live=is_live),
            inferences=inference_card(state),
        )
    }
