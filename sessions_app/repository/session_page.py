"""What the dashboard's session page shows, from one consistent read of Redis (or from the archive).

The page used to read Redis up to four times (the session, a change probe with the pending citations,
the transcript history, sometimes again when the history had moved on) and could show parts from
different instants. ``get_session_page`` reads it once (``StateReader.read_page``) and takes from the
database only the transcript's archived part, which the archiver committed before trimming it from
Redis, so nothing falls between the two reads.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sessions_app.archive import mapping
from sessions_app.domain import Citation, Message, UnreadableEntry
from sessions_app.errors import SessionNotFound, StateUnavailable
from sessions_app.models import ArchivedMessage
from sessions_app.repository.sessions import HistoryPage, SessionRecord, get_session, state_manager
from sessions_app.state.keys import check_id
from sessions_app.state.manager import ConversationStateManager
from sessions_app.state.validation import check_int


@dataclass(frozen=True)
class SessionPage:
    record: SessionRecord
    # The requested transcript page (read with the session); None when the session came from the
    # archive: page it with ``get_history``.
    history: HistoryPage | None
    pending_citations: tuple[Citation, ...]
    token: str  # the page's change token ("archive" when the archive answered)


def page_bounds(total: int, page: int | None, page_size: int) -> tuple[int, int]:
    """(page number, offset) of transcript page ``page`` (None: the last), clamped to the pages."""
    pages = max(1, -(-total // page_size))
    number = pages if page is None else min(max(1, page), pages)
    return number, (number - 1) * page_size


def get_session_page(
    user_id: str,
    session_id: str,
    *,
    page: int | None,
    page_size: int,
    manager: ConversationStateManager | None = None,
) -> SessionPage:
    """The session (live first, its TTL untouched), transcript page ``page`` and the pending citations.

    Raises like ``get_session``.
    """
    check_id(user_id, "user_id")
    check_id(session_id, "session_id")
    check_int(page_size, "page_size", minimum=1)
    try:
        live = state_manager(manager).read_page(user_id, session_id, page=page, page_size=page_size)
    except (SessionNotFound, StateUnavailable):
        record = get_session(user_id, session_id, manager=manager)  # the archive, or the same error
        return SessionPage(record, None, (), "archive")
    state = live.state
    total = state.metadata.message_count
    _, offset = page_bounds(total, page, page_size)
    first, last = offset + 1, min(offset + page_size, total)
    window_first = total - len(state.messages) + 1
    live_first = window_first - state.overflow_count
    items: list[Message | UnreadableEntry] = []
    if first < live_first:  # the archived part: committed to the database before Redis let it go
        rows = ArchivedMessage.objects.filter(
            user_id=user_id, session_id=session_id, seq__gte=first, seq__lte=min(last, live_first - 1)
        ).order_by("seq")
        items += [mapping.message_from_row(row) for row in rows]
    items += live.overflow_part
    if last >= window_first:
        items += state.messages[max(first, window_first) - window_first : last - window_first + 1]
    pending = tuple(c for c in state.pending_citations if isinstance(c, Citation))
    history = HistoryPage(total=total, offset=offset, items=tuple(items))
    record = SessionRecord(state=replace(state, pending_citations=()), source="live")  # as get_session
    return SessionPage(record, history, pending, live.token)
