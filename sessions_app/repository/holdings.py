"""What the archive of record holds of one session, as ids and counts: the database side of verifying
a "hold for review" (every message, emotion change, milestone, breakthrough, citation and note)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from sessions_app.models import (
    ArchivedBreakthrough,
    ArchivedCitation,
    ArchivedEmotionTransition,
    ArchivedMessage,
    ArchivedMilestone,
    NoteRevision,
    QuarantinedEntry,
)


@dataclass(frozen=True)
class ArchiveHoldings:
    messages_through: int  # messages with seq 1..N in the archive (or kept in quarantine)
    transition_citations: frozenset[str]
    milestone_ids: frozenset[str]
    breakthrough_ids: frozenset[str]
    note_fields: dict[str, Any] | None  # the text of the note version asked for, when captured


def message_rows(user_id: str, session_id: str, seqs: Iterable[int]) -> dict[int, tuple[str, str, str]]:
    """seq -> (message id, role, content) of the archived messages with these seqs."""
    rows = ArchivedMessage.objects.filter(user_id=user_id, session_id=session_id, seq__in=list(seqs))
    return {
        seq: (mid, role, content)
        for seq, mid, role, content in rows.values_list("seq", "message_id", "role", "content")
    }


def archived_citations(citation_ids: Iterable[str]) -> set[str]:
    """The subset of ``citation_ids`` that the archive holds."""
    wanted = list(set(citation_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found |= set(
            ArchivedCitation.objects.filter(citation_id__in=wanted[start : start + 500]).values_list(
                "citation_id", flat=True
            )
        )
    return found


def holdings(user_id: str, session_id: str, *, message_count: int, note_version: int) -> ArchiveHoldings:
    where = Q(user_id=user_id, session_id=session_id)
    archived = ArchivedMessage.objects.filter(where, seq__gte=1, seq__lte=message_count).count()
    quarantined = QuarantinedEntry.objects.filter(where, kind="message").count()
    note = None
    if note_version:
        note = (
            NoteRevision.objects.filter(where, version=note_version, text_captured=True)
            .values_list("fields", flat=True)
            .first()
        )
    return ArchiveHoldings(
        messages_through=min(message_count, archived + quarantined),
        transition_citations=frozenset(
            ArchivedEmotionTransition.objects.filter(where).values_list("citation_id", flat=True)
        ),
        milestone_ids=frozenset(
            ArchivedMilestone.objects.filter(where).values_list("milestone_id", flat=True)
        ),
        breakthrough_ids=frozenset(
            ArchivedBreakthrough.objects.filter(where).values_list("breakthrough_id", flat=True)
        ),
        note_fields=note,
    )
