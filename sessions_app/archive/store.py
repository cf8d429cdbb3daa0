"""Writes to the archive of record. Every write is an idempotent upsert keyed by a stable id, so a
repeated or concurrent archive of the same data leaves the same rows.

Transactions contain writes only (no read first): on SQLite a read that later upgrades to a write
fails at once under contention instead of waiting for the lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import transaction

from sessions_app.archive import mapping
from sessions_app.archive.decode import DecodedRead
from sessions_app.domain import CONTEXT_FIELDS, CitationType, Message
from sessions_app.models import (
    ArchivedBreakthrough,
    ArchivedCitation,
    ArchivedEmotionTransition,
    ArchivedMessage,
    ArchivedMilestone,
    ArchivedSession,
    NoteRevision,
    QuarantinedEntry,
)

BULK_BATCH = 500


@dataclass(frozen=True)
class StoreResult:
    messages: int  # rows that were not in the archive before
    citations: int


def _author_from_event(event: str) -> str:
    # The update_context script's event reads "context snapshot updated (fields) by AUTHOR".
    _, sep, author = event.partition(") by ")
    return author if sep else ""


def _revisions_from_citations(user_id: str, session_id: str, decoded: DecodedRead) -> list[NoteRevision]:
    revisions = []
    for citation, version in decoded.citations:
        if citation.type is CitationType.CONTEXT_SNAPSHOT_UPDATED and version:
            revisions.append(
                NoteRevision(
                    user_id=user_id,
                    session_id=session_id,
                    version=version,
                    author=_author_from_event(citation.event),
                    saved_at=citation.timestamp,
                    fields={},
                    text_captured=False,
                    source="archiver",
                )
            )
    return revisions


def store(
    user_id: str, session_id: str, decoded: DecodedRead, *, fingerprint: str, now: datetime
) -> StoreResult:
    """Commit one read of a session: its drained messages and citations, and the snapshot if any."""
    seqs = [m.seq for m in decoded.messages]
    known_seqs = set(
        ArchivedMessage.objects.filter(user_id=user_id, session_id=session_id, seq__in=seqs).values_list(
            "seq", flat=True
        )
    )
    citation_ids = [c.citation_id for c, _ in decoded.citations]
    known_citations = set(
        ArchivedCitation.objects.filter(citation_id__in=citation_ids).values_list("citation_id", flat=True)
    )
    new_messages = [
        mapping.message_row(user_id, session_id, m, now) for m in decoded.messages if m.seq not in known_seqs
    ]
    # A citation belongs to the session whose list held it, whatever its body says.
    new_citations = [
        mapping.citation_row(replace(c, user_id=user_id, session_id=session_id), version)
        for c, version in decoded.citations
        if c.citation_id not in known_citations
    ]
    with transaction.atomic():
        # ignore_conflicts: a row another archiver committed meanwhile is already right.
        ArchivedMessage.objects.bulk_create(new_messages, ignore_conflicts=True, batch_size=BULK_BATCH)
        ArchivedCitation.objects.bulk_create(new_citations, ignore_conflicts=True, batch_size=BULK_BATCH)
        NoteRevision.objects.bulk_create(
            _revisions_from_citations(user_id, session_id, decoded), ignore_conflicts=True
        )
        QuarantinedEntry.objects.bulk_create(
            [
                QuarantinedEntry(
                    user_id=user_id,
                    session_id=session_id,
                    kind=kind,
                    sha256=hashlib.sha256(raw).hexdigest(),
                    raw=raw,
                    found_at=now,
                )
                for kind, raw in decoded.quarantine
            ],
            ignore_conflicts=True,
        )
        if decoded.state is not None:
            _store_snapshot(user_id, session_id, decoded, fingerprint=fingerprint, now=now)
    return StoreResult(messages=len(new_messages), citations=len(new_citations))


def _store_snapshot(
    user_id: str, session_id: str, decoded: DecodedRead, *, fingerprint: str, now: datetime
) -> None:
    state = decoded.state
    if state is None:
        return
    ArchivedSession.objects.bulk_create(
        [mapping.session_row(state, fingerprint=fingerprint, now=now)],
        update_conflicts=True,
        unique_fields=["user_id", "session_id"],
        update_fields=mapping.SESSION_UPDATE_FIELDS,
    )
    ArchivedEmotionTransition.objects.bulk_create(
        [mapping.transition_row(user_id, session_id, pos, t) for pos, t in decoded.transitions],
        ignore_conflicts=True,
        batch_size=BULK_BATCH,
    )
    # A sorted set's ranks may shift when a member with an earlier score arrives: keep them current.
    ArchivedMilestone.objects.bulk_create(
        [mapping.milestone_row(user_id, session_id, pos, m) for pos, m in decoded.milestones],
        update_conflicts=True,
        unique_fields=["milestone_id"],
        update_fields=["position"],
        batch_size=BULK_BATCH,
    )
    ArchivedBreakthrough.objects.bulk_create(
        [mapping.breakthrough_row(user_id, session_id, pos, b) for pos, b in decoded.breakthroughs],
        update_conflicts=True,
        unique_fields=["breakthrough_id"],
        update_fields=["position"],
        batch_size=BULK_BATCH,
    )
    context = state.context
    if context.version > 0:
        _record_revision(
            user_id=user_id,
            session_id=session_id,
            version=context.version,
            author=context.notes_updated_by,
            saved_at=context.last_summarized or state.metadata.last_updated,
            fields={name: getattr(context, name) for name in CONTEXT_FIELDS},
            source="archiver",
        )


def _record_revision(
    *,
    user_id: str,
    session_id: str,
    version: int,
    author: str,
    saved_at: datetime,
    fields: Mapping[str, str],
    source: str,
) -> None:
    """Insert the revision, or fill in the text of one known so far only from its citation."""
    NoteRevision.objects.bulk_create(
        [
            NoteRevision(
                user_id=user_id,
                session_id=session_id,
                version=version,
                author=author,
                saved_at=saved_at,
                fields=dict(fields),
                text_captured=True,
                source=source,
            )
        ],
        ignore_conflicts=True,
    )
    NoteRevision.objects.filter(
        user_id=user_id, session_id=session_id, version=version, text_captured=False
    ).update(fields=dict(fields), text_captured=True, author=author, saved_at=saved_at, source=source)


def record_revision(
    *,
    user_id: str,
    session_id: str,
    version: int,
    author: str,
    saved_at: datetime,
    fields: Mapping[str, str],
    source: str,
) -> NoteRevision:
    with transaction.atomic():
        _record_revision(
            user_id=user_id,
            session_id=session_id,
            version=version,
            author=author,
            saved_at=saved_at,
            fields=fields,
            source=source,
        )
    return NoteRevision.objects.get(user_id=user_id, session_id=session_id, version=version)


def stored_fingerprint(user_id: str, session_id: str) -> str | None:
    return (
        ArchivedSession.objects.filter(user_id=user_id, session_id=session_id)
        .values_list("fingerprint", flat=True)
        .first()
    )


def verify(user_id: str, session_id: str, message_count: int) -> bool:
    """True when the archive holds every message the session ever had (unreadable ones in quarantine)."""
    archived = ArchivedMessage.objects.filter(
        user_id=user_id, session_id=session_id, seq__lte=message_count
    ).count()
    if archived >= message_count:
        return True
    quarantined = QuarantinedEntry.objects.filter(
        user_id=user_id, session_id=session_id, kind="message"
    ).count()
    return archived + quarantined >= message_count


def mark_removed(user_id: str, session_id: str, now: datetime) -> None:
    ArchivedSession.objects.filter(user_id=user_id, session_id=session_id).update(removed_from_live_at=now)


def archived_message(user_id: str, session_id: str, message_id: str) -> Message | None:
    """An archived message by its id: the state layer's lookup for a duplicate append (a plain read the
    writer needs, kept here so the state package never imports the repository)."""
    row = ArchivedMessage.objects.filter(
        user_id=user_id, session_id=session_id, message_id=message_id
    ).first()
    return None if row is None else mapping.message_from_row(row)
