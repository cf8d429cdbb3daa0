"""What an export shows: one consistent snapshot of a session, assembled from the repository.

The live part (metadata, emotion, window, milestones, ...) comes from ONE read of Redis (one Lua
script). Older messages come from the archive and the overflow list, which only ever grow, so they are
merged in by sequence number: only messages older than the snapshot's window are taken from the
history, and nothing newer than the snapshot can slip in while a session is being appended to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sessions_app.domain import Citation, Message, SessionState, UnreadableEntry
from sessions_app.errors import StateUnavailable
from sessions_app.notes import reads as note_reads
from sessions_app.notes.records import AdjudicationRecord, NoteRecord
from sessions_app.state.manager import ConversationStateManager

TranscriptItem = Message | UnreadableEntry
Source = Literal["live", "archive"]
MAX_CITATIONS = 1_000_000


@dataclass(frozen=True)
class ExportRecord:
    """The input of every exporter: a session snapshot and its whole transcript, in seq order."""

    state: SessionState
    transcript: tuple[TranscriptItem, ...]
    citations: tuple[Citation | UnreadableEntry, ...] = ()
    source: Source = "live"
    live_unavailable: bool = False
    note: NoteRecord | None = None  # the clinician's note (database), signed or draft
    decisions: tuple[AdjudicationRecord, ...] = ()  # clinicians' decisions on the inferences

    @property
    def client_id(self) -> str:
        return self.state.metadata.user_id

    @property
    def session_id(self) -> str:
        return self.state.metadata.session_id


@dataclass(frozen=True)
class ExportContext:
    """Who asked, when, and for which part of the transcript (seq bounds are inclusive)."""

    requested_by: str
    generated_at: datetime
    export_id: str
    seq_from: int | None = None
    seq_to: int | None = None


def assemble(
    state: SessionState,
    history: Iterable[TranscriptItem],
    citations: Sequence[Citation | UnreadableEntry] = (),
    *,
    source: Source = "live",
    live_unavailable: bool = False,
) -> ExportRecord:
    """Merge the snapshot's window with older history, deduplicated by seq, snapshot wins."""
    window = tuple(state.messages)
    window_seqs = [item.seq for item in window if isinstance(item, Message)]
    # Everything at or after the window's first message, and anything newer than the snapshot,
    # is decided by the snapshot alone.
    first_window_seq = min(window_seqs) if window_seqs else state.metadata.message_count + 1
    earlier: list[TranscriptItem] = []
    seen: set[int] = set()
    for item in history:
        if isinstance(item, Message):
            if item.seq >= first_window_seq:
                continue
            if item.seq in seen:
                continue
            seen.add(item.seq)
        earlier.append(item)
    ordered = sorted(
        (m for m in earlier if isinstance(m, Message)),
        key=lambda m: m.seq,
    )
    # Unreadable history entries have no seq; they stay in front of the window, after readable ones.
    unreadable = [m for m in earlier if isinstance(m, UnreadableEntry)]
    return ExportRecord(
        state=state,
        transcript=(*ordered, *unreadable, *window),
        citations=snapshot_citations(state, citations),
        source=source,
        live_unavailable=live_unavailable,
    )


def snapshot_citations(
    state: SessionState, citations: Sequence[Citation | UnreadableEntry]
) -> tuple[Citation | UnreadableEntry, ...]:
    """Citations of the snapshot: every write stamps last_updated and its citation with one clock
    reading in one script, so later writes (made after the snapshot) have later timestamps."""
    cutoff = state.metadata.last_updated
    readable: dict[str, Citation] = {}
    unreadable: list[UnreadableEntry] = []
    for citation in (*citations, *state.pending_citations):
        if isinstance(citation, UnreadableEntry):
            unreadable.append(citation)
        elif citation.timestamp <= cutoff:
            readable.setdefault(citation.citation_id, citation)
    ordered = sorted(readable.values(), key=lambda c: (c.timestamp, c.citation_id))
    return (*ordered, *unreadable)


def seq_gaps(record: ExportRecord) -> list[tuple[int, int]]:
    """Inclusive ranges of seq numbers 1..message_count that the transcript lacks."""
    present = {m.seq for m in record.transcript if isinstance(m, Message)}
    gaps: list[tuple[int, int]] = []
    start: int | None = None
    for seq in range(1, record.state.metadata.message_count + 1):
        if seq in present:
            if start is not None:
                gaps.append((start, seq - 1))
                start = None
        elif start is None:
            start = seq
    if start is not None:
        gaps.append((start, record.state.metadata.message_count))
    return gaps


def load_record(
    client_id: str, session_id: str, *, manager: ConversationStateManager | None = None
) -> ExportRecord:
    """Read a session for export: the snapshot first (one read), then the older history.

    Raises ``SessionNotFound`` / ``StateUnavailable`` / ``InvalidInput`` like the repository.
    """
    from sessions_app import repository

    snapshot = repository.get_session(client_id, session_id, manager=manager)
    history = repository.get_history(client_id, session_id, manager=manager)
    live_unavailable = snapshot.live_unavailable or history.live_unavailable
    try:
        citations = repository.search_citations(
            user_id=client_id,
            session_id=session_id,
            limit=MAX_CITATIONS,
            include_live=not live_unavailable,
            manager=manager,
        )
    except StateUnavailable:
        citations = repository.search_citations(
            user_id=client_id, session_id=session_id, limit=MAX_CITATIONS, include_live=False
        )
        live_unavailable = True
    record = assemble(
        snapshot.state,
        history.items,
        citations,
        source=snapshot.source,
        live_unavailable=live_unavailable,
    )
    return replace(
        record,
        note=note_reads.session_note(client_id, session_id),
        decisions=tuple(note_reads.session_decisions(client_id, session_id).values()),
    )
