"""Citations by session, user, time range and type: archived and still-buffered live ones together."""

from __future__ import annotations

from datetime import UTC, datetime

from sessions_app.archive import mapping
from sessions_app.domain import (
    Citation,
    CitationType,
)
from sessions_app.errors import InvalidInput, SessionNotFound
from sessions_app.models import (
    ArchivedCitation,
)
from sessions_app.repository.sessions import state_manager
from sessions_app.state.keys import check_id
from sessions_app.state.live import LiveStore
from sessions_app.state.manager import ConversationStateManager
from sessions_app.state.validation import check_choice, check_int


def _aware(value: datetime | None, field: str) -> datetime | None:
    """A timezone-aware bound, in UTC: PostgreSQL refuses UTC offsets beyond ±15:59 that Python allows."""
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(field, f"{field} must be a timezone-aware datetime")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(field, f"{field} is outside the supported range of dates") from None


def _live_citations(
    mgr: ConversationStateManager, user_id: str | None, session_id: str | None
) -> list[Citation]:
    if user_id is not None and session_id is not None:
        targets = [(user_id, session_id)]
    elif user_id is not None:
        targets = [(user_id, summary.session_id) for summary in mgr.get_user_sessions(user_id)]
    else:
        targets = [
            (u, s) for u, s in LiveStore(mgr.redis).sessions() if session_id is None or s == session_id
        ]
    found: list[Citation] = []
    for uid, sid in targets:
        try:
            found += mgr.get_pending_citations(uid, sid)
        except SessionNotFound:
            continue  # expired (or archived and removed) since it was listed
    return found


def search_citations(
    *,
    user_id: str | None = None,
    session_id: str | None = None,
    citation_type: str | CitationType | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
    include_live: bool = True,
    manager: ConversationStateManager | None = None,
) -> list[Citation]:
    """Citations by session, user, time range and type (the report's four filters), oldest first.

    Archived and still-buffered live citations together, each once (by citation id). Raises
    ``StateUnavailable`` when Redis is down, since the answer would be incomplete; pass
    ``include_live=False`` to search the archive alone.
    """
    if user_id is not None:
        check_id(user_id, "user_id")
    if session_id is not None:
        check_id(session_id, "session_id")
    ctype = None if citation_type is None else check_choice(citation_type, CitationType, "citation_type")
    since, until = _aware(since, "since"), _aware(until, "until")
    check_int(limit, "limit", minimum=1)
    rows = ArchivedCitation.objects.all()
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    if session_id is not None:
        rows = rows.filter(session_id=session_id)
    if ctype is not None:
        rows = rows.filter(type=ctype.value)
    if since is not None:
        rows = rows.filter(timestamp__gte=since)
    if until is not None:
        rows = rows.filter(timestamp__lte=until)
    by_id = {
        row.citation_id: mapping.citation_from_row(row) for row in rows.order_by("timestamp", "id")[:limit]
    }
    if include_live:
        for citation in _live_citations(state_manager(manager), user_id, session_id):
            if (
                (ctype is None or citation.type is ctype)
                and (since is None or citation.timestamp >= since)
                and (until is None or citation.timestamp <= until)
            ):
                by_id.setdefault(citation.citation_id, citation)
    return sorted(by_id.values(), key=lambda c: (c.timestamp, c.citation_id))[:limit]
