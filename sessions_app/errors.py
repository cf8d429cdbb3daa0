"""Typed errors of the state layer. Callers (views, API, commands) map each to a clear message."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sessions_app.domain import ContextSnapshot


class StateError(Exception):
    """Base of every error the state layer raises on purpose."""


class InvalidInput(StateError, ValueError):
    """Bad input from the caller; nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class ContentTooLarge(InvalidInput):
    """Text longer than the configured limit; nothing was written."""


class SessionNotFound(StateError, LookupError):
    def __init__(self, user_id: str, session_id: str) -> None:
        super().__init__(f"session {session_id} of user {user_id} does not exist (or has expired)")
        self.user_id = user_id
        self.session_id = session_id


class SessionAlreadyExists(StateError):
    def __init__(self, user_id: str, session_id: str) -> None:
        super().__init__(f"session {session_id} of user {user_id} already exists")
        self.user_id = user_id
        self.session_id = session_id


class SessionClosed(StateError):
    def __init__(self, user_id: str, session_id: str) -> None:
        super().__init__(f"session {session_id} of user {user_id} is closed; it accepts no writes")
        self.user_id = user_id
        self.session_id = session_id


class NoteConflict(StateError):
    """The context snapshot changed since the caller read it; nothing was written."""

    def __init__(self, current: ContextSnapshot, expected_version: int) -> None:
        super().__init__(
            f"context snapshot is at version {current.version}, not {expected_version}: "
            "someone else saved first"
        )
        self.current = current
        self.expected_version = expected_version


class CorruptSession(StateError):
    """A session key holds data of the wrong type; nothing was written. Logged without content."""


class StateUnavailable(StateError):
    """Redis cannot be reached (or answered too slowly). The outcome of a write is unknown."""


class StateStorageFull(StateUnavailable):
    """Redis refused a write because it reached maxmemory (noeviction); nothing was written."""


class StateReadOnly(StateUnavailable):
    """Redis is a read-only replica or refuses writes (e.g. disk full / MISCONF)."""


class StateNotConfigured(StateUnavailable):
    """No Redis is configured (no ``REDIS_URL``, Cluster or Sentinel): nothing was read or written."""

    def __init__(self) -> None:
        super().__init__(
            "live records are unavailable: no Redis is configured (set REDIS_URL; next to a running "
            "`make run`, manage.py finds its Redis by itself)"
        )
