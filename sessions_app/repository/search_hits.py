"""Turning index hits into messages a page can show: their text from the record, never the index.

The index holds vectors and metadata only. An archived message's text comes from the database; a
live one's from Redis (read-only, TTLs untouched). A hit whose record no longer exists anywhere (an
index that is behind a deletion) is left out. A live hit while Redis is down is kept, marked
``text_unavailable``: the page says so rather than pretending it is not there.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sessions_app.state.feed as feed
from sessions_app.archive.search.chroma import Hit
from sessions_app.archive.search.embeddings import content_words
from sessions_app.domain import Message
from sessions_app.errors import StateUnavailable
from sessions_app.models import ArchivedMessage
from sessions_app.state.manager import ConversationStateManager

logger = logging.getLogger(__name__)

SNIPPET_CHARS = 240
WORDS = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class MessageHit:
    user_id: str
    session_id: str
    seq: int
    message_id: str
    timestamp: datetime
    snippet: str
    score: float  # cosine similarity, 1.0 = identical
    role: str = ""
    source: str = "archive"  # "archive" or "live"
    text_unavailable: bool = False  # a live message while Redis is down: no text to show


@dataclass(frozen=True)
class Candidate:
    """An index hit before its text is read: enough to group and rank."""

    user_id: str
    session_id: str
    seq: int
    score: float
    role: str
    timestamp: float

    @classmethod
    def of(cls, hit: Hit) -> Candidate:
        meta = hit.metadata
        return cls(
            user_id=str(meta["user_id"]),
            session_id=str(meta["session_id"]),
            seq=int(meta["seq"]),
            score=1.0 - hit.distance,
            role=str(meta.get("role", "")),
            timestamp=float(meta.get("timestamp", 0.0)),
        )

    @property
    def session(self) -> tuple[str, str]:
        return (self.user_id, self.session_id)


def snippet(text: str, query: str) -> str:
    """About SNIPPET_CHARS characters of ``text``: the stretch sharing most words with ``query``
    (a semantic hit may share none: then the start)."""
    if len(text) <= SNIPPET_CHARS:
        return text
    wanted = set(content_words(query))
    best_start, best = 0, 0
    for match in WORDS.finditer(text):
        if match.group().lower() in wanted:
            start = max(0, match.start() - SNIPPET_CHARS // 4)
            found = sum(1 for w in WORDS.findall(text[start : start + SNIPPET_CHARS].lower()) if w in wanted)
            if found > best:
                best_start, best = start, found
    piece = text[best_start : best_start + SNIPPET_CHARS]
    return ("…" if best_start > 0 else "") + piece + ("…" if best_start + SNIPPET_CHARS < len(text) else "")


def _archived(candidates: Sequence[Candidate]) -> dict[tuple[str, str, int], ArchivedMessage]:
    """The archived rows of the candidates, in one query (a superset, narrowed here)."""
    if not candidates:
        return {}
    wanted = {(c.user_id, c.session_id, c.seq) for c in candidates}
    rows = ArchivedMessage.objects.filter(
        user_id__in={c.user_id for c in candidates},
        session_id__in={c.session_id for c in candidates},
        seq__in={c.seq for c in candidates},
    ).only("user_id", "session_id", "seq", "message_id", "role", "content", "timestamp")
    return {key: r for r in rows if (key := (r.user_id, r.session_id, r.seq)) in wanted}


def _live(
    candidates: Iterable[Candidate], manager: Callable[[], ConversationStateManager]
) -> tuple[dict[tuple[str, str, int], Message], bool]:
    """Live messages for the candidates the archive lacks; (found, whether Redis was unavailable)."""
    by_session: dict[tuple[str, str], set[int]] = defaultdict(set)
    for c in candidates:
        by_session[c.session].add(c.seq)
    found: dict[tuple[str, str, int], Message] = {}
    try:
        client = manager().redis  # asked only when a hit is live (raises when Redis is not configured)
        for (user_id, session_id), seqs in by_session.items():
            for seq in sorted(seqs):  # one message per read: hits are few, windows can be long
                page = feed.messages_after(client, user_id, session_id, seq - 1, message_count=seq)
                for message in page.messages:
                    if isinstance(message, Message) and message.seq == seq:
                        found[(user_id, session_id, seq)] = message
    except StateUnavailable:
        return found, True
    return found, False


def resolve(
    candidates: Sequence[Candidate], query: str, manager: Callable[[], ConversationStateManager]
) -> list[MessageHit]:
    """The candidates as hits with their text, in the order given; stale ones left out. ``manager``
    gives the state manager, asked for only when a hit is not archived (its text is live)."""
    archived = _archived(candidates)
    missing = [c for c in candidates if (c.user_id, c.session_id, c.seq) not in archived]
    live, live_down = _live(missing, manager) if missing else ({}, False)
    hits: list[MessageHit] = []
    stale = 0
    for c in candidates:
        key = (c.user_id, c.session_id, c.seq)
        row = archived.get(key)
        message = live.get(key)
        if row is not None:
            hits.append(
                MessageHit(c.user_id, c.session_id, c.seq, row.message_id, row.timestamp,
                           snippet(row.content, query), c.score, row.role, "archive")
            )  # fmt: skip
        elif message is not None:
            hits.append(
                MessageHit(c.user_id, c.session_id, c.seq, message.id, message.timestamp,
                           snippet(message.content, query), c.score, message.role.value, "live")
            )  # fmt: skip
        elif live_down:
            at = datetime.fromtimestamp(c.timestamp, tz=UTC)
            hits.append(MessageHit(c.user_id, c.session_id, c.seq, "", at, "", c.score, c.role, "live", True))
        else:
            stale += 1
    if stale:
        logger.info("search: %d hits whose records no longer exist were left out", stale)
    return hits
