"""Reads for the dashboard and the HTTP API: live state first, the archive once Redis has forgotten.

Access control is the caller's job: every function here returns whatever it is asked for, so call it
only after the access check (the search functions take the client ids the caller may see).

Functions that read live state take an optional ``manager`` (the process's ``get_state_manager()``
by default); tests pass their own.
"""

from sessions_app.archive.search.chroma import SearchUnavailable
from sessions_app.repository.citations import search_citations
from sessions_app.repository.search import MessageHit, SessionHit, search_messages, search_sessions
from sessions_app.repository.session_page import SessionPage, get_session_page
from sessions_app.repository.sessions import HistoryPage, SessionRecord, get_history, get_session
from sessions_app.repository.summaries import ArchivedSessions, archived_client_ids, archived_sessions

__all__ = [
    "ArchivedSessions",
    "HistoryPage",
    "MessageHit",
    "SearchUnavailable",
    "SessionHit",
    "SessionPage",
    "SessionRecord",
    "archived_client_ids",
    "archived_sessions",
    "get_history",
    "get_session",
    "get_session_page",
    "search_citations",
    "search_messages",
    "search_sessions",
]
