"""Search over live and archived messages by meaning, among the messages of the clients the caller
may see, and only those.

Only documents of those clients are ever ranked, so a page of k results holds k authorised hits
whenever that many exist, and a foreign document is never even a candidate: for a few clients the
search names their documents (``exact``: from the records, ranked exactly here), for more the access
filter (and the date and speaker filters) are part of the ChromaDB ``where``. Call these only with
the client ids the caller may read (``access.readable_client_ids``).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sessions_app.archive.search import chroma, exact
from sessions_app.domain import Role
from sessions_app.errors import InvalidInput
from sessions_app.repository.search_hits import Candidate, MessageHit, resolve
from sessions_app.repository.sessions import state_manager
from sessions_app.state.keys import check_id
from sessions_app.state.manager import ConversationStateManager
from sessions_app.state.validation import check_int, check_text

logger = logging.getLogger(__name__)

__all__ = ["MAX_QUERY_CHARS", "MessageHit", "SessionHit", "search_messages", "search_sessions"]

MAX_QUERY_CHARS = 500
MAX_CANDIDATES = 1000  # nearest messages looked at to fill one page of sessions
SNIPPETS = 3


@dataclass(frozen=True)
class SessionHit:
    """A session with its best-matching messages (best first), ranked by ``session_score``."""

    user_id: str
    session_id: str
    score: float  # session_score: best similarity + half the second + a quarter of the third
    snippets: tuple[MessageHit, ...]
    matches: int  # messages of the session among the nearest looked at


# Something to search for: a character that is not a space, a control or a punctuation mark (ASCII, or
# Unicode's general punctuation: dashes, ellipsis, quotes). Spelled out (not ``\w``) so that the HTTP
# API's schema states the same rule in every regex engine.
SPACES = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
SEARCHABLE = rf"[^{SPACES}\x00-\x08\x0e-\x1b\x7f!-/:-@\[-`{{-~\u2010-\u2027\u2030-\u205e]"
QUERY_PATTERN = rf"^[^\x00]*{SEARCHABLE}[^\x00]*$"
_SEARCHABLE = re.compile(SEARCHABLE)


def check_query(query: object) -> str:
    """The query, or ``InvalidInput`` with a message a person can act on."""
    text = check_text(query, "query", max_chars=MAX_QUERY_CHARS)
    if not _SEARCHABLE.search(text):
        raise InvalidInput("query", "the query has nothing to search for (only spaces or punctuation)")
    return text.strip()


def _where(
    user_ids: Collection[str], since: datetime | None, until: datetime | None, role: str | None
) -> tuple[list[str], dict[str, Any] | None]:
    ids = sorted({check_id(uid, "user_id") for uid in user_ids})
    clauses: list[dict[str, Any]] = [{"user_id": ids[0]} if len(ids) == 1 else {"user_id": {"$in": ids}}]
    for value, name in ((since, "since"), (until, "until")):
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise InvalidInput(name, f"{name} must be a datetime with a time zone")
    if since is not None and until is not None and since > until:
        raise InvalidInput("until", "until must not be earlier than since")
    if since is not None:
        clauses.append({"timestamp": {"$gte": since.timestamp()}})
    if until is not None:
        clauses.append({"timestamp": {"$lte": until.timestamp()}})
    if role:
        if role not in {r.value for r in Role}:
            raise InvalidInput("role", f"role must be one of {', '.join(r.value for r in Role)}")
        clauses.append({"role": role})
    return ids, clauses[0] if len(clauses) == 1 else {"$and": clauses}


class _Nearest:
    """The allowed messages nearest to the query, best first, as many as the caller asks for.

    A few clients' messages (at most ``exact.EXACT_MAX_DOCUMENTS``) are named from the records and
    ranked exactly, once per search; more are found by the index's filtered query, asked again for
    more when a page needs it. Either way only ``user_ids``' documents are candidates. Raises
    ``InvalidInput`` for a bad filter, before anything is read.
    """

    def __init__(
        self,
        query: str,
        user_ids: Collection[str],
        since: datetime | None,
        until: datetime | None,
        role: str | None,
    ) -> None:
        ids, self.where = _where(user_ids, since, until, role)
        self.allowed = set(ids)
        self.vector = chroma.embed([query])[0]
        self.documents = exact.message_documents(ids, exact.MessageFilter(since, until, role or None))
        self.ranked: list[Candidate] | None = None

    def first(self, n: int) -> list[Candidate]:
        if self.documents is not None:
            if self.ranked is None:
                self.ranked = self._allowed(exact.rank(self.vector, self.documents, limit=MAX_CANDIDATES))
            return self.ranked[:n]
        return self._allowed(chroma.query(chroma.MESSAGES, self.vector, where=self.where, limit=n))

    def _allowed(self, hits: list[chroma.Hit]) -> list[Candidate]:
        # Belt and braces: the where clause, or the ids named, already restrict the index to these clients.
        return [Candidate.of(h) for h in hits if h.metadata.get("user_id") in self.allowed]


def search_messages(
    query: str,
    *,
    user_ids: Collection[str],
    limit: int = 20,
    offset: int = 0,
    since: datetime | None = None,
    until: datetime | None = None,
    role: str | None = None,
    manager: ConversationStateManager | None = None,
) -> list[MessageHit]:
    """Live and archived messages most similar in meaning to ``query``, only of ``user_ids``, best
    first; ``offset`` skips that many (for pages). Snippets come from the records, never the index.

    Raises ``InvalidInput`` for a bad query or filter and ``SearchUnavailable`` when the index cannot
    be used (the records themselves are unaffected).
    """
    text = check_query(query)
    check_int(limit, "limit", minimum=1, maximum=500)
    check_int(offset, "offset", minimum=0, maximum=MAX_CANDIDATES)
    if isinstance(user_ids, str):
        raise InvalidInput("user_ids", "user_ids must be a collection of ids, not one string")
    if not user_ids:
        return []
    nearest = _Nearest(text, user_ids, since, until, role)
    wanted = offset + limit
    n = wanted
    while True:
        candidates = nearest.first(n)
        hits = resolve(candidates[offset:], text, lambda: state_manager(manager))
        # Hits whose records are gone were dropped: ask for more while the index may hold them.
        if len(hits) >= limit or len(candidates) < n or n >= MAX_CANDIDATES:
            return hits[:limit]
        n = min(MAX_CANDIDATES, n * 2)


def session_score(scores: list[float]) -> float:
    """A session's score from its messages' similarities, best first: the best, plus half the second
    and a quarter of the third. A session that returns to the subject ranks above one that touched it
    once; measured on bench/search_eval.py, this beat the best message alone on both halves of the
    queries, for the bundled model and for all-MiniLM-L6-v2."""
    return sum(score * 0.5**rank for rank, score in enumerate(scores[:3]))


def _rank(candidates: list[Candidate]) -> list[tuple[float, list[Candidate]]]:
    """Sessions by ``session_score``, each with its candidates (best first)."""
    grouped: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for c in candidates:  # already best first
        grouped[c.session].append(c)
    scored = [(session_score([c.score for c in group]), group) for group in grouped.values()]
    scored.sort(key=lambda item: (-item[0], item[1][0].session))
    return scored


def search_sessions(
    query: str,
    *,
    user_ids: Collection[str],
    limit: int = 10,
    offset: int = 0,
    since: datetime | None = None,
    until: datetime | None = None,
    role: str | None = None,
    snippets: int = SNIPPETS,
    manager: ConversationStateManager | None = None,
) -> list[SessionHit]:
    """Sessions of ``user_ids`` whose messages are nearest in meaning to ``query``, best first, each
    with up to ``snippets`` of its best-matching messages. Filters and errors as ``search_messages``."""
    text = check_query(query)
    check_int(limit, "limit", minimum=1, maximum=100)
    check_int(offset, "offset", minimum=0, maximum=MAX_CANDIDATES)
    check_int(snippets, "snippets", minimum=1, maximum=20)
    if isinstance(user_ids, str):
        raise InvalidInput("user_ids", "user_ids must be a collection of ids, not one string")
    if not user_ids:
        return []
    nearest = _Nearest(text, user_ids, since, until, role)
    wanted = offset + limit
    n = min(MAX_CANDIDATES, wanted * 8)
    while True:
        candidates = nearest.first(n)
        ranked = _rank(candidates)
        if len(ranked) >= wanted or len(candidates) < n or n >= MAX_CANDIDATES:
            break
        n = min(MAX_CANDIDATES, n * 4)  # many hits in few sessions: look further for more sessions
    page = ranked[offset:wanted]
    shown = [c for _score, group in page for c in group[:snippets]]
    by_session: dict[tuple[str, str], list[MessageHit]] = defaultdict(list)
    for hit in resolve(shown, text, lambda: state_manager(manager)):
        by_session[(hit.user_id, hit.session_id)].append(hit)
    results = []
    for score, group in page:
        found = by_session.get(group[0].session)
        if found:  # a session whose shown messages no longer exist is left out
            results.append(SessionHit(group[0].user_id, group[0].session_id, score, tuple(found), len(group)))
    return results
