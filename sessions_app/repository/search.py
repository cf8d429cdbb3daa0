"""Text search over messages, restricted inside the index query to the clients the caller may see."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sessions_app.archive.search import chroma
from sessions_app.errors import InvalidInput
from sessions_app.models import (
    ArchivedMessage,
)
from sessions_app.state.keys import check_id
from sessions_app.state.validation import check_int

SNIPPET_CHARS = 200


@dataclass(frozen=True)
class MessageHit:
    user_id: str
    session_id: str
    seq: int
    message_id: str
    timestamp: datetime
    snippet: str
    score: float  # cosine similarity, 1.0 = identical


def _snippet(text: str, query: str) -> str:
    """About SNIPPET_CHARS characters of ``text`` around the first word it shares with ``query``."""
    if len(text) <= SNIPPET_CHARS:
        return text
    start = 0
    for word in re.findall(r"\w{3,}", query.lower()):
        found = text.lower().find(word)
        if found >= 0:
            start = max(0, found - SNIPPET_CHARS // 4)
            break
    piece = text[start : start + SNIPPET_CHARS]
    return ("…" if start > 0 else "") + piece + ("…" if start + SNIPPET_CHARS < len(text) else "")


def search_messages(query: str, *, user_ids: Collection[str], limit: int = 20) -> list[MessageHit]:
    """Archived messages most similar to ``query``, only of the given clients, best first.

    Only archived messages are indexed (the live window is not). Snippets come from the database,
    the record of truth; a hit the database does not hold (a stale index) is left out. Raises
    ``SearchUnavailable`` when the search index cannot be used; the records themselves are unaffected.
    """
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput("query", "query must not be empty")
    if isinstance(user_ids, str):
        raise InvalidInput("user_ids", "user_ids must be a collection of ids, not one string")
    check_int(limit, "limit", minimum=1, maximum=500)
    ids = sorted({check_id(uid, "user_id") for uid in user_ids})
    if not ids:
        return []
    where: dict[str, object] = {"user_id": ids[0]} if len(ids) == 1 else {"user_id": {"$in": ids}}
    hits = chroma.query(chroma.MESSAGES, query, where=where, limit=limit)
    keys = []
    for hit in hits:
        meta = hit.metadata
        if meta.get("user_id") in ids:  # belt and braces: never show another client's words
            keys.append((str(meta["user_id"]), str(meta["session_id"]), int(meta["seq"]), 1.0 - hit.distance))
    rows = {
        (row.user_id, row.session_id, row.seq): row
        for row in ArchivedMessage.objects.filter(
            user_id__in={k[0] for k in keys},
            session_id__in={k[1] for k in keys},
            seq__in={k[2] for k in keys},
        )
    }
    results = []
    for user_id, session_id, seq, score in keys:
        row = rows.get((user_id, session_id, seq))
        if row is not None:
            results.append(
                MessageHit(
                    user_id=user_id,
                    session_id=session_id,
                    seq=seq,
                    message_id=row.message_id,
                    timestamp=row.timestamp,
                    snippet=_snippet(row.content, query),
                    score=score,
                )
            )
    return results
