"""Keeps the search index in step with the archive of record.

Rows carry ``indexed=False`` until ChromaDB has them, so an unreachable index never fails or slows
archiving: the next pass picks up where this one stopped. ``reindex`` rebuilds everything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction

from sessions_app.archive.search import chroma
from sessions_app.archive.search.chroma import Document
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


def _message_document(row: ArchivedMessage) -> Document:
    return Document(
        id=message_id(row.user_id, row.session_id, row.seq),
        text=row.content,
        user_id=row.user_id,
        session_id=row.session_id,
        type="message",
        timestamp=row.timestamp.timestamp(),
        extra={"seq": row.seq},
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
        chroma.upsert(collection, [to_document(row) for row in rows])
        _mark_indexed(rows)
        done += len(rows)
        if progress is not None:
            progress(len(rows))


def index_pending(*, progress: Progress | None = None) -> IndexResult:
    """Send every archived row not yet in the index. Never raises for an unavailable index."""
    try:
        with chroma.writer_lock() as mine:
            if not mine:
                return IndexResult(documents=0, pending=pending(), busy=True)
            return _index_pending(progress)
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
    return repaired


def _index_pending(progress: Progress | None) -> IndexResult:
    done = 0
    try:
        _repair_lost_index()
        done += _drain(ArchivedMessage, chroma.MESSAGES, _message_document, progress)
        done += _drain(ArchivedCitation, chroma.CITATIONS, _citation_document, progress)
        done += _drain(ArchivedSession, chroma.SNAPSHOTS, _snapshot_document, progress)
    except chroma.SearchUnavailable as exc:
        left = pending()
        logger.warning("search index unavailable; %d archived rows wait for the next pass", left)
        return IndexResult(documents=done, pending=left, error=str(exc))
    return IndexResult(documents=done, pending=0)


def reindex(*, progress: Progress | None = None) -> IndexResult:
    """Rebuild every collection from the database. Raises ``SearchUnavailable`` if it cannot start."""
    with chroma.writer_lock() as mine:
        if not mine:
            raise chroma.SearchUnavailable("another process is writing the search index; try again")
        chroma.drop_all()
        with transaction.atomic():
            ArchivedMessage.objects.update(indexed=False)
            ArchivedCitation.objects.update(indexed=False)
            ArchivedSession.objects.update(indexed=False)
        return _index_pending(progress)
