"""Keeps the search index in step with the archive of record.

Rows carry ``indexed=False`` until ChromaDB has them, so an unreachable index never fails or slows
archiving: the next pass picks up where this one stopped. ``reindex`` rebuilds everything, and a pass
that finds the index built with another embedding (``CHROMA_EMBEDDING`` changed) rebuilds it by itself.

A message has one document id whether it was indexed live (``live.py``) or from the archive, so a
message indexed live and archived later stays one document; the archived pass skips ids the index
already holds instead of embedding them again. Sessions whose records were deleted are removed from
the index here too (``PendingDeletion``, queued by ``signals.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from sessions_app.archive.search import chroma, locking
from sessions_app.archive.search.chroma import Document
from sessions_app.archive.search.models import LiveCursor, PendingDeletion
from sessions_app.domain import CONTEXT_FIELDS
from sessions_app.models import ArchivedCitation, ArchivedMessage, ArchivedSession

logger = logging.getLogger(__name__)

BATCH = 5000  # ChromaDB indexes large batches much faster per document (its local limit is 5461)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class IndexResult:
    documents: int
    pending: int
    error: str = ""
    busy: bool = False  # another process holds the embedded index's writer lock


def message_id(user_id: str, session_id: str, seq: int) -> str:
    return f"msg:{user_id}:{session_id}:{seq}"


def snapshot_id(user_id: str, session_id: str) -> str:
    return f"snapshot:{user_id}:{session_id}"


def message_document(
    *, user_id: str, session_id: str, seq: int, role: str, text: str, at: datetime
) -> Document:
    """The one shape of a message document, live or archived (so both give the same document)."""
    return Document(
        id=message_id(user_id, session_id, seq),
        text=text,
        user_id=user_id,
        session_id=session_id,
        type="message",
        timestamp=at.timestamp(),
        extra={"seq": seq, "role": role},
    )


def _message_document(row: ArchivedMessage) -> Document:
    return message_document(
        user_id=row.user_id,
        session_id=row.session_id,
        seq=row.seq,
        role=row.role,
        text=row.content,
        at=row.timestamp,
    )


def _citation_document(row: ArchivedCitation) -> Document:
    # The evidence (message, milestone ids) makes the text findable by id, and keeps the thousands of
    # "user message appended" events from becoming identical vectors: HNSW inserts those very slowly.
    evidence = " ".join(str(item) for item in row.evidence)
    return Document(
        id=row.citation_id,
        text=f"{row.type}: {row.event}" + (f"; evidence {evidence}" if evidence else ""),
        user_id=row.user_id,
        session_id=row.session_id,
        type=row.type,
        timestamp=row.timestamp.timestamp(),
    )


def _snapshot_document(row: ArchivedSession) -> Document:
    parts = [
        f"{name.replace('_', ' ')}: {getattr(row, name)}" for name in CONTEXT_FIELDS if getattr(row, name)
    ]
    return Document(
        id=snapshot_id(row.user_id, row.session_id),
        text="\n".join(parts) or f"session {row.session_id} ({row.status}, {row.message_count} messages)",
        user_id=row.user_id,
        session_id=row.session_id,
        type="session_snapshot",
        timestamp=row.last_updated.timestamp(),
        extra={"status": row.status, "message_count": row.message_count},
    )


def pending() -> int:
    return (
        ArchivedMessage.objects.filter(indexed=False).count()
        + ArchivedCitation.objects.filter(indexed=False).count()
        + ArchivedSession.objects.filter(indexed=False).count()
    )


def pending_all() -> int:
    """Every archived row, indexed or not: the size of a full rebuild."""
    return (
        ArchivedMessage.objects.count() + ArchivedCitation.objects.count() + ArchivedSession.objects.count()
    )


Row = TypeVar("Row", ArchivedMessage, ArchivedCitation, ArchivedSession)


def _mark_indexed(rows: list[Row]) -> None:
    for model in (ArchivedMessage, ArchivedCitation):
        if rows and isinstance(rows[0], model):
            model.objects.filter(pk__in=[row.pk for row in rows]).update(indexed=True)
            return
    for row in rows:
        if isinstance(row, ArchivedSession):
            # A snapshot may have been replaced while we indexed it: only the version we sent counts.
            ArchivedSession.objects.filter(pk=row.pk, fingerprint=row.fingerprint).update(indexed=True)


def _drain(
    model: type[Row], collection: str, to_document: Callable[[Row], Document], progress: Progress | None
) -> int:
    done = 0
    while True:
        rows = list(model.objects.filter(indexed=False).order_by("id")[:BATCH])
        if not rows:
            return done
        documents = [to_document(row) for row in rows]
        if collection == chroma.MESSAGES:  # indexed live already: same id, same vector, same metadata
            held = chroma.existing_ids(collection, [d.id for d in documents])
            documents = [d for d in documents if d.id not in held]
        chroma.upsert(collection, documents)
        _mark_indexed(rows)
        done += len(rows)
        if progress is not None:
            progress(len(rows))


def index_pending(*, progress: Progress | None = None, wait_seconds: float = 0.0) -> IndexResult:
    """Send every archived row not yet in the index (and carry out pending deletions). Rebuilds the
    index when it was built with another embedding. Never raises for an unavailable index.

    ``wait_seconds``: how long to wait for another process's writer lock before leaving the work to it.
    """
    try:
        with locking.writer_lock(wait_seconds=wait_seconds) as mine:
            if not mine:
                return IndexResult(documents=0, pending=pending(), busy=True)
            try:
                return _index_pending(progress)
            except chroma.IndexOutdated as exc:
                logger.warning("rebuilding the search index: %s", exc)
                return _rebuild_locked(progress)
    except chroma.SearchUnavailable as exc:
        logger.warning("search index unavailable; archived rows wait for the next pass")
        return IndexResult(documents=0, pending=pending(), error=str(exc))


def _repair_lost_index() -> int:
    """Rows the database believes indexed but the index no longer holds (its directory removed, or
    lost in a crash) are marked for indexing again, so the drain below rebuilds what is missing."""
    repaired = 0
    for model, name in ((ArchivedMessage, chroma.MESSAGES), (ArchivedCitation, chroma.CITATIONS),
                        (ArchivedSession, chroma.SNAPSHOTS)):  # fmt: skip
        believed = model.objects.filter(indexed=True).count()
        if believed and chroma.count(name) < believed:
            logger.warning("the %s index lost documents; re-indexing %d rows", name, believed)
            repaired += model.objects.filter(indexed=True).update(indexed=False)
            if model is ArchivedMessage:
                LiveCursor.objects.all().delete()  # live messages were lost with them
    return repaired


def _index_pending(progress: Progress | None) -> IndexResult:
    done = 0
    try:
        carry_out_deletions()
        _repair_lost_index()
        done += _drain(ArchivedMessage, chroma.MESSAGES, _message_document, progress)
        done += _drain(ArchivedCitation, chroma.CITATIONS, _citation_document, progress)
        done += _drain(ArchivedSession, chroma.SNAPSHOTS, _snapshot_document, progress)
    except chroma.IndexOutdated:
        raise
    except chroma.SearchUnavailable as exc:
        left = pending()
        logger.warning("search index unavailable; %d archived rows wait for the next pass", left)
        return IndexResult(documents=done, pending=left, error=str(exc))
    return IndexResult(documents=done, pending=0)


def _rebuild_locked(progress: Progress | None) -> IndexResult:
    chroma.drop_all()
    with transaction.atomic():
        ArchivedMessage.objects.update(indexed=False)
        ArchivedCitation.objects.update(indexed=False)
        ArchivedSession.objects.update(indexed=False)
        LiveCursor.objects.all().delete()  # the live indexer sends what Redis holds again
    return _index_pending(progress)


def reindex(*, progress: Progress | None = None) -> IndexResult:
    """Rebuild every collection from the database. Raises ``SearchUnavailable`` if it cannot start."""
    with locking.writer_lock() as mine:
        if not mine:
            raise chroma.SearchUnavailable("another process is writing the search index; try again")
        return _rebuild_locked(progress)


# ---------------------------------------------------------------------------- deletions


def request_forget(user_id: str, session_id: str) -> None:
    """Queue the removal of a session's index entries (its records were deleted)."""
    PendingDeletion.objects.update_or_create(
        user_id=user_id, session_id=session_id, defaults={"requested_at": timezone.now()}
    )


def carry_out_deletions() -> int:
    """Remove the index entries of every session queued for deletion; re-index what is left of it.

    Whole sessions are removed (one filtered delete per collection, however many rows were deleted);
    rows of the session that still exist (a partial deletion) are then marked for indexing again, and
    its live cursor is reset, so the index ends holding exactly what the records hold.
    """
    done = 0
    for pending_row in list(PendingDeletion.objects.order_by("id")[:BATCH]):
        user_id, session_id = pending_row.user_id, pending_row.session_id
        where = {"$and": [{"user_id": user_id}, {"session_id": session_id}]}
        for name in chroma.COLLECTIONS:
            chroma.delete(name, where=where)
        with transaction.atomic():
            for model in (ArchivedMessage, ArchivedCitation, ArchivedSession):
                model.objects.filter(user_id=user_id, session_id=session_id).update(indexed=False)
            LiveCursor.objects.filter(user_id=user_id, session_id=session_id).delete()
            PendingDeletion.objects.filter(pk=pending_row.pk, requested_at=pending_row.requested_at).delete()
        done += 1
    return done
