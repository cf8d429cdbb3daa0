"""What the HTTP API reads beyond the live writer: sessions Redis has forgotten, and citations.

One seam over ``sessions_app.repository`` (Redis first, then the archive of record), always with the
API's state manager, so the API and its tests see one Redis.
"""

from __future__ import annotations

from datetime import datetime

import sessions_app.state.configured as configured
from sessions_app import repository
from sessions_app.domain import Citation, CitationType
from sessions_app.repository import SessionRecord

__all__ = ["SessionRecord", "search_citations", "stored_session"]


def stored_session(user_id: str, session_id: str) -> SessionRecord:
    """The session, live or archived. ``SessionNotFound`` if neither has it; ``StateUnavailable`` if
    Redis is down and the archive does not have it (it may be live)."""
    return repository.get_session(user_id, session_id, manager=configured.get_state_manager())


def search_citations(
    *,
    user_id: str,
    session_id: str | None,
    citation_type: CitationType | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[Citation]:
    """Archived and live citations, each once, oldest first, at most ``limit``."""
    return repository.search_citations(
        user_id=user_id,
        session_id=session_id,
        citation_type=citation_type,
        since=since,
        until=until,
        limit=limit,
        manager=configured.get_state_manager(),
    )
