"""Reads of the clinician's records for pages, the HTTP API, the state layer's seeding and exports.

Access control is the caller's job, as in ``sessions_app.repository``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sessions_app.notes.labels import confidence_band
from sessions_app.notes.models import (
    Adjudication,
    ClinicalNote,
    ClinicalNoteRevision,
    GuidanceRevision,
    NoteAddendum,
)
from sessions_app.notes.records import (
    AddendumRecord,
    AdjudicationRecord,
    GuidanceRecord,
    NoteRecord,
    RevisionRecord,
)


def note_is_signed(user_id: str, session_id: str) -> bool:
    return ClinicalNote.objects.filter(
        user_id=user_id, session_id=session_id, signed_at__isnull=False
    ).exists()


def revision_record(row: ClinicalNoteRevision) -> RevisionRecord:
    return RevisionRecord(
        version=row.version,
        text=row.text,
        author=row.author,
        author_role=row.author_role,
        saved_at=row.saved_at,
        source=row.source,
    )


def addendum_record(row: NoteAddendum) -> AddendumRecord:
    return AddendumRecord(
        text=row.text,
        reason=row.reason,
        author=row.author,
        author_role=row.author_role,
        added_at=row.added_at,
    )


def note_from_head(head: ClinicalNote) -> NoteRecord:
    latest = head.revisions.filter(version=head.version).first()
    return NoteRecord(
        user_id=head.user_id,
        session_id=head.session_id,
        version=head.version,
        text=latest.text if latest else "",
        author=latest.author if latest else "",
        author_role=latest.author_role if latest else "",
        saved_at=latest.saved_at if latest else None,
        source=latest.source if latest else "",
        signed_by=head.signed_by,
        signed_role=head.signed_role,
        signed_at=head.signed_at,
        signed_version=head.signed_version,
        addenda=tuple(addendum_record(a) for a in head.addenda.order_by("added_at", "id")),
    )


def session_note(user_id: str, session_id: str) -> NoteRecord | None:
    """The session's note (latest revision, signature, addenda), or None if none was saved."""
    head = ClinicalNote.objects.filter(user_id=user_id, session_id=session_id).first()
    return None if head is None or head.version == 0 else note_from_head(head)


def note_revisions(user_id: str, session_id: str) -> list[RevisionRecord]:
    """Every revision of the session's note, oldest first."""
    rows = ClinicalNoteRevision.objects.filter(note__user_id=user_id, note__session_id=session_id)
    return [revision_record(row) for row in rows.order_by("version")]


def guidance_record(row: GuidanceRevision) -> GuidanceRecord:
    return GuidanceRecord(
        client_id=row.client_id,
        version=row.version,
        current_theme=row.current_theme,
        therapeutic_focus=row.therapeutic_focus,
        topics_to_avoid=row.topics_to_avoid,
        author=row.author,
        author_role=row.author_role,
        saved_at=row.saved_at,
    )


def current_guidance(client_id: str) -> GuidanceRecord | None:
    row = GuidanceRevision.objects.filter(client_id=client_id).order_by("-version").first()
    return None if row is None else guidance_record(row)


def guidance_history(client_id: str) -> list[GuidanceRecord]:
    """Every version of the client's guidance, newest first."""
    rows = GuidanceRevision.objects.filter(client_id=client_id).order_by("-version")
    return [guidance_record(row) for row in rows]


def guidance_seed(client_id: str) -> dict[str, str]:
    """The state manager's ``context_seed``: the client's current guidance for a new session."""
    current = current_guidance(client_id)
    return {} if current is None else current.seed()


def adjudication_record(row: Adjudication) -> AdjudicationRecord:
    return AdjudicationRecord(
        kind=row.kind,
        item_id=row.item_id,
        item_at=row.item_at,
        version=row.version,
        ai_category=row.ai_category,
        ai_confidence=row.ai_confidence,
        ai_band=confidence_band(row.ai_confidence),
        decision=row.decision,
        clinician_category=row.clinician_category,
        clinician_band=row.clinician_band,
        reason=row.reason,
        decided_by=row.decided_by,
        decided_role=row.decided_role,
        decided_at=row.decided_at,
    )


def latest_decisions(rows: Iterable[Adjudication]) -> list[AdjudicationRecord]:
    """The current decision per item (its highest version), in the order of the items' times."""
    latest: dict[tuple[str, str, str, str], Adjudication] = {}
    for row in rows:
        key = (row.client_id, row.session_id, row.kind, row.item_id)
        if key not in latest or row.version > latest[key].version:
            latest[key] = row
    ordered = sorted(latest.values(), key=lambda r: (r.item_at, r.kind, r.item_id))
    return [adjudication_record(row) for row in ordered]


def session_decisions(client_id: str, session_id: str) -> dict[tuple[str, str], AdjudicationRecord]:
    """The current decisions on a session's inferences, by (kind, item id)."""
    rows = Adjudication.objects.filter(client_id=client_id, session_id=session_id)
    return {(r.kind, r.item_id): r for r in latest_decisions(rows)}


def decision_history(client_id: str, session_id: str, kind: str, item_id: str) -> list[AdjudicationRecord]:
    rows = Adjudication.objects.filter(client_id=client_id, session_id=session_id, kind=kind, item_id=item_id)
    return [adjudication_record(row) for row in rows.order_by("-version")]


def decisions_in_period(
    client_ids: Iterable[str], *, since: datetime | None, until: datetime | None
) -> list[AdjudicationRecord]:
    """Current decisions on inferences the chatbot recorded in [since, until) for these clients."""
    rows = Adjudication.objects.filter(client_id__in=list(client_ids))
    if since is not None:
        rows = rows.filter(item_at__gte=since)
    if until is not None:
        rows = rows.filter(item_at__lt=until)
    return latest_decisions(rows)
