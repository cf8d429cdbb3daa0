"""Indexes live messages within seconds of the chatbot writing them, so the live week is searchable.

Polls Redis through ``state.feed`` (never touching the append path): every live session's message
count, then, for each session whose count moved past its cursor (``LiveCursor``), the messages after
it. Messages the archiver drained before we saw them are in the database and indexed from there; the
cursor moves past them. A message has the same document id live and archived (``indexer.message_id``),
so it stays one document, and ids the index already holds are not embedded again.

A cursor moves only after the index has the messages, so a pass that fails (Redis or ChromaDB down)
is simply repeated; nothing is skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis
from django.db import transaction
from django.utils import timezone

import sessions_app.state.feed as feed
from sessions_app.archive.search import chroma, indexer, locking
from sessions_app.archive.search.chroma import Document
from sessions_app.archive.search.indexer import message_document
from sessions_app.archive.search.models import LiveCursor
from sessions_app.domain import Message
from sessions_app.models import ArchivedMessage, ArchivedSession

logger = logging.getLogger(__name__)

BATCH = 1000


@dataclass(frozen=True)
class LiveResult:
    sessions: int  # live sessions that had new messages
    documents: int  # messages sent to the index
    busy: bool = False  # another process held the embedded index's writer lock throughout


def _document(user_id: str, session_id: str, message: Message) -> Document:
    return message_document(
        user_id=user_id,
        session_id=session_id,
        seq=message.seq,
        role=message.role.value,
        text=message.content,
        at=message.timestamp,
    )


class _Batch:
    """Documents waiting to be sent, and the cursors that may move once they are in the index."""

    def __init__(self) -> None:
        self.documents: list[Document] = []
        self.cursors: dict[tuple[str, str], int] = {}
        self.sent = 0

    def flush(self) -> None:
        if self.documents:
            held = chroma.existing_ids(chroma.MESSAGES, [d.id for d in self.documents])
            fresh = [d for d in self.documents if d.id not in held]
            chroma.upsert(chroma.MESSAGES, fresh)
            self.sent += len(fresh)
        now = timezone.now()
        with transaction.atomic():
            for (user_id, session_id), seq in self.cursors.items():
                LiveCursor.objects.update_or_create(
                    user_id=user_id, session_id=session_id, defaults={"seq": seq, "updated_at": now}
                )
        self.documents, self.cursors = [], {}


def index_live(client: redis.Redis, *, wait_seconds: float = 5.0) -> LiveResult:
    """One pass over every live session. Raises ``StateUnavailable`` (Redis) or ``SearchUnavailable``
    (the index); either way no cursor has moved past a message the index does not hold."""
    counts = feed.session_counts(client)
    cursors = dict(
        ((user_id, session_id), seq)
        for user_id, session_id, seq in LiveCursor.objects.values_list("user_id", "session_id", "seq")
    )
    due = sorted((pair, count) for pair, count in counts.items() if count > cursors.get(pair, 0))
    with locking.writer_lock(wait_seconds=wait_seconds) as mine:
        if not mine:
            return LiveResult(sessions=0, documents=0, busy=True)
        batch = _Batch()
        for (user_id, session_id), count in due:
            page = feed.messages_after(
                client, user_id, session_id, cursors.get((user_id, session_id), 0), message_count=count
            )
            batch.documents += [
                _document(user_id, session_id, m) for m in page.messages if isinstance(m, Message)
            ]
            if page.unreadable:  # the archiver quarantines them; their words cannot be indexed
                logger.warning(
                    "session %s: %d unreadable live messages not indexed", session_id, page.unreadable
                )
            batch.cursors[(user_id, session_id)] = count
            if len(batch.documents) >= BATCH:
                batch.flush()
        batch.flush()
    _forget_gone(cursors, counts)
    return LiveResult(sessions=len(due), documents=batch.sent)


def _forget_gone(cursors: dict[tuple[str, str], int], counts: dict[tuple[str, str], int]) -> None:
    """Sessions no longer live need no cursor. Archived ones keep their documents (the archive holds
    their records); one that expired unarchived took its records with it, so its documents go too."""
    for user_id, session_id in (pair for pair in cursors if pair not in counts):
        archived = (
            ArchivedMessage.objects.filter(user_id=user_id, session_id=session_id).exists()
            or ArchivedSession.objects.filter(user_id=user_id, session_id=session_id).exists()
        )
        if not archived:
            indexer.request_forget(user_id, session_id)
        LiveCursor.objects.filter(user_id=user_id, session_id=session_id).delete()
