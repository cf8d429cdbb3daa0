"""Exact search over a few clients' messages: their documents named from the records, their vectors
fetched by id and ranked by cosine distance here, instead of a ``where`` filter inside the index.

ChromaDB's filtered query walks the HNSW graph looking for allowed vectors, and when few are allowed
it visits most of the graph: one client's 100 messages among 100,000 took about 95 ms on the
development VM, and ten clients' 1,000 about 63 ms, while fetching those vectors by id took 4 and
24 ms and ranking them exactly under 1 ms, with the same top 80 (bench/search_eval.py measures both
paths). Past ``EXACT_MAX_DOCUMENTS`` fetching costs more than the filter, and the caller uses the
filter.

Which documents a client has is known without the index: every archived message is a row, and a
live session's messages were indexed up to its ``LiveCursor``. Ids the index does not hold yet (rows
not indexed yet) are simply not found; records deleted from the database are not named, so their
documents are not candidates even before the index forgets them. Access is enforced by naming only
the given clients' documents.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import numpy as np

from sessions_app.archive.search import chroma
from sessions_app.archive.search.chroma import Hit, Metadata
from sessions_app.archive.search.embeddings import Vectors
from sessions_app.archive.search.indexer import message_document, message_id
from sessions_app.archive.search.models import LiveCursor
from sessions_app.models import ArchivedMessage

# Whole searches, alternated on a quiet VM at 100,000 indexed messages: 1,000 named messages 40 ms
# against the filter's 52, 1,200 45 against 54, 1,500 64 against 50.
EXACT_MAX_DOCUMENTS = 1200


@dataclass(frozen=True)
class MessageFilter:
    """The filters of a message search, applied exactly as the index's ``where`` applies them (the
    same float timestamps, the same role text)."""

    since: datetime | None = None
    until: datetime | None = None
    role: str | None = None

    def allows(self, metadata: Metadata) -> bool:
        timestamp = float(metadata.get("timestamp", 0.0))
        if self.since is not None and timestamp < self.since.timestamp():
            return False
        if self.until is not None and timestamp > self.until.timestamp():
            return False
        return self.role is None or metadata.get("role") == self.role


def message_documents(
    user_ids: Collection[str], wanted: MessageFilter, *, limit: int | None = None
) -> dict[str, Metadata] | None:
    """The message documents of ``user_ids`` that ``wanted`` allows, by id, with their metadata as
    the index holds it; None when the clients have more than ``limit`` (``EXACT_MAX_DOCUMENTS``)
    messages in all, live ones counting twice (then the index's own filter is the cheaper way).
    Raises ``SearchUnavailable`` (the index) for live ids."""
    if limit is None:
        limit = EXACT_MAX_DOCUMENTS
    rows = ArchivedMessage.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "session_id", "seq", "role", "timestamp"
    )
    archived = list(rows[: limit + 1])
    if len(archived) > limit:
        return None
    documents: dict[str, Metadata] = {}
    for user_id, session_id, seq, role, at in archived:
        # The id and metadata the indexer gave the document (its text is not needed to name it).
        named = message_document(user_id=user_id, session_id=session_id, seq=seq, role=role, text="", at=at)
        documents[named.id] = named.metadata()
    live_sessions = LiveCursor.objects.filter(user_id__in=user_ids)
    cursors = list(live_sessions.values_list("user_id", "session_id", "seq"))
    # Live sessions hold at least as many documents as their cursors' sum, less those archived
    # already (named above): more than ``limit`` in all whenever that sum is. Checked before naming.
    if sum(seq for _u, _s, seq in cursors) > limit:
        return None
    live = [
        name
        for name in _live_ids(cursors)
        if name not in documents  # archived already: named above
    ]
    # A live document costs about twice an archived one (52 against 24 ms per 1,000): its metadata
    # comes from the index too.
    if len(documents) + 2 * len(live) > limit:
        return None
    documents.update(_indexed_metadata(live))
    return {name: metadata for name, metadata in documents.items() if wanted.allows(metadata)}


def _live_ids(cursors: Iterable[tuple[str, str, int]]) -> Iterable[str]:
    for user_id, session_id, top in cursors:
        for seq in range(1, top + 1):
            yield message_id(user_id, session_id, seq)


def _indexed_metadata(ids: list[str]) -> dict[str, Metadata]:
    """Metadata of the live-indexed documents among ``ids`` (the records hold them in Redis; the index
    has what a filter needs)."""
    if not ids:
        return {}
    target = chroma.fresh_collection(chroma.MESSAGES)
    with chroma.translate_errors("get"):
        found = target.get(ids=ids, include=["metadatas"])
    metadatas = found.get("metadatas") or []
    # Message documents hold only plain values (indexer.message_document).
    return {
        name: cast(Metadata, dict(metadata))
        for name, metadata in zip(found["ids"], metadatas, strict=True)
        if metadata is not None
    }


def rank(vector: Vectors, documents: Mapping[str, Metadata], *, limit: int) -> list[Hit]:
    """The ``limit`` documents nearest to ``vector`` (a row of ``chroma.embed``) among ``documents``,
    best first, by cosine distance (the index's own measure: 1 - cosine similarity), ties by id.
    Documents the index does not hold are left out. Raises ``SearchUnavailable``."""
    # Opened even when nothing is named: an index that is down or being rebuilt says so rather than
    # finding nothing (the client's newest live messages may be waiting for it).
    target = chroma.fresh_collection(chroma.MESSAGES)
    if not documents:
        return []
    with chroma.translate_errors("get"):
        found = target.get(ids=list(documents), include=["embeddings"])
    ids = list(found["ids"])
    if not ids:
        return []
    matrix = np.asarray(found["embeddings"], dtype=np.float32)
    query = np.asarray(vector, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1) * float(np.linalg.norm(query))
    # A zero vector (nothing the embedding knows) is as far from everything as an orthogonal one.
    similarity = np.divide(matrix @ query, norms, out=np.zeros(len(ids), dtype=np.float32), where=norms > 0)
    distances = (1.0 - similarity).tolist()
    order = sorted(range(len(ids)), key=lambda i: (distances[i], ids[i]))[:limit]
    return [Hit(id=ids[i], metadata=dict(documents[ids[i]]), distance=float(distances[i])) for i in order]
