"""Search endpoints of the HTTP API (read tokens may use them): one client's messages or sessions,
nearest in meaning to a query, with the dashboard's filters.

``user_id`` is required: a token reads one client at a time, and each request's audit row names that
client (the query text is never logged or audited; access logs leave query strings out).
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Schema
from pydantic import AwareDatetime, field_validator

from sessions_app import repository
from sessions_app.api.answers import Kind, answers
from sessions_app.api.app import api
from sessions_app.api.auth import ApiError, note_subject, retry_after
from sessions_app.api.fields import Id, iso_8601
from sessions_app.api.schemas import In
from sessions_app.archive.search.chroma import IndexOutdated, SearchUnavailable
from sessions_app.domain import Role
from sessions_app.repository.search import MAX_QUERY_CHARS, QUERY_PATTERN


class SearchQuery(In):
    user_id: Id = Field(description="the client whose sessions are searched")
    q: str = Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        pattern=QUERY_PATTERN,
        description="what to look for, in any words (not only spaces or punctuation; no NUL)",
    )
    since: AwareDatetime | None = Field(None, description="ISO 8601 with a time zone, inclusive")
    until: AwareDatetime | None = Field(None, description="ISO 8601 with a time zone, inclusive")
    role: Role | None = Field(None, description="only messages of this speaker")
    limit: int = Field(10, ge=1, le=50)
    offset: int = Field(0, ge=0, le=500, description="results to skip (the next page)")

    @field_validator("since", "until", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)


class MessageHitOut(Schema):
    user_id: str
    session_id: str
    seq: int
    message_id: str
    role: str
    timestamp: datetime
    snippet: str = Field(description="up to about 240 characters of the message, from the record")
    score: float = Field(description="cosine similarity to the query (1 = identical); for ranking only")
    source: str = Field(description='"live" (Redis) or "archive" (the database)')
    text_unavailable: bool = Field(description="a live message while Redis is unreachable: no snippet")

    @classmethod
    def of(cls, hit: repository.MessageHit) -> MessageHitOut:
        return cls(
            user_id=hit.user_id, session_id=hit.session_id, seq=hit.seq, message_id=hit.message_id,
            role=hit.role, timestamp=hit.timestamp, snippet=hit.snippet, score=round(hit.score, 6),
            source=hit.source, text_unavailable=hit.text_unavailable,
        )  # fmt: skip


class MessageSearchOut(Schema):
    hits: list[MessageHitOut]
    count: int


class SessionHitOut(Schema):
    user_id: str
    session_id: str
    score: float = Field(
        description="its best message's similarity, plus half the second's and a quarter of the third's"
    )
    matches: int = Field(description="its messages among the nearest looked at")
    snippets: list[MessageHitOut] = Field(description="its best-matching messages, best first")


class SessionSearchOut(Schema):
    sessions: list[SessionHitOut]
    count: int


def _unavailable(exc: SearchUnavailable) -> ApiError:
    message = (
        "the search index is being rebuilt (the embedding changed); try again later"
        if isinstance(exc, IndexOutdated)
        else "the search index is temporarily unavailable; the records themselves are not affected"
    )
    return ApiError(503, "search_unavailable", message, headers=retry_after())


@api.get(
    "/search/messages",
    **answers({200: MessageSearchOut}, Kind.READ, corrupt=False),
    tags=["search"],
    operation_id="searchMessages",
)
def search_messages(request: HttpRequest, filters: Query[SearchQuery]) -> MessageSearchOut:
    """One client's live and archived messages nearest in meaning to `q`, best first."""
    note_subject(request, user_id=filters.user_id)
    try:
        hits = repository.search_messages(
            filters.q, user_ids=[filters.user_id], limit=filters.limit, offset=filters.offset,
            since=filters.since, until=filters.until, role=filters.role.value if filters.role else None,
        )  # fmt: skip
    except SearchUnavailable as exc:
        raise _unavailable(exc) from exc
    return MessageSearchOut(hits=[MessageHitOut.of(h) for h in hits], count=len(hits))


@api.get(
    "/search/sessions",
    **answers({200: SessionSearchOut}, Kind.READ, corrupt=False),
    tags=["search"],
    operation_id="searchSessions",
)
def search_sessions(request: HttpRequest, filters: Query[SearchQuery]) -> SessionSearchOut:
    """One client's sessions ranked by their message nearest in meaning to `q`, each with its best
    messages."""
    note_subject(request, user_id=filters.user_id)
    try:
        found = repository.search_sessions(
            filters.q, user_ids=[filters.user_id], limit=filters.limit, offset=filters.offset,
            since=filters.since, until=filters.until, role=filters.role.value if filters.role else None,
        )  # fmt: skip
    except SearchUnavailable as exc:
        raise _unavailable(exc) from exc
    sessions = [
        SessionHitOut(
            user_id=s.user_id,
            session_id=s.session_id,
            score=round(s.score, 6),
            matches=s.matches,
            snippets=[MessageHitOut.of(h) for h in s.snippets],
        )
        for s in found
    ]
    return SessionSearchOut(sessions=sessions, count=len(sessions))
