"""The only place Redis key strings are built.

Every key of one user's sessions carries the literal hash tag ``{user_id}``, so all of them (and the
user's index) live in one Redis Cluster slot and one Lua script may touch them together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from sessions_app.errors import InvalidInput

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")

GLOBAL_ACTIVE = "sessions:global:active"


def check_id(value: object, field: str) -> str:
    """Return ``value`` if it is a valid user/session/message id, else raise ``InvalidInput``."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise InvalidInput(field, f"{field} must be 1-64 characters from A-Z, a-z, 0-9, '_' and '-'")
    return value


def user_index(user_id: str) -> str:
    return f"sessions:user:{{{check_id(user_id, 'user_id')}}}:index"


def global_member(user_id: str, session_id: str) -> str:
    return f"{user_id}:{session_id}"


def split_global_member(member: str) -> tuple[str, str] | None:
    """Parse ``U:S`` from the global set; ``None`` when malformed (never trusted blindly)."""
    user_id, sep, session_id = member.partition(":")
    if not sep or not ID_PATTERN.fullmatch(user_id) or not ID_PATTERN.fullmatch(session_id):
        return None
    return user_id, session_id


@dataclass(frozen=True)
class SessionKeys:
    """All keys of one session, in the fixed order every Lua script receives them as KEYS."""

    metadata: str
    emotion: str
    emotion_log: str
    messages: str
    overflow: str
    message_ids: str
    milestones: str
    breakthroughs: str
    context_snapshot: str
    citations: str
    user_index: str
    # KEYS[1]..KEYS[11] of every script, built once per session (see ``for_session``).
    ordered: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ordered", tuple(self.all()))

    @classmethod
    def for_session(cls, user_id: str, session_id: str) -> SessionKeys:
        """The keys of one session; validated and built once per process for a recent session (the
        chatbot writes the same sessions over and over)."""
        if type(user_id) is not str or type(session_id) is not str:
            return cls.build(user_id, session_id)  # raises InvalidInput; lru_cache would need hashables
        return _session_keys(user_id, session_id)

    @classmethod
    def build(cls, user_id: str, session_id: str) -> SessionKeys:
        check_id(user_id, "user_id")
        check_id(session_id, "session_id")
        prefix = f"session:{{{user_id}}}:{session_id}"
        return cls(
            metadata=f"{prefix}:metadata",
            emotion=f"{prefix}:emotion",
            emotion_log=f"{prefix}:emotion_log",
            messages=f"{prefix}:messages",
            overflow=f"{prefix}:overflow",
            message_ids=f"{prefix}:message_ids",
            milestones=f"{prefix}:milestones",
            breakthroughs=f"{prefix}:breakthroughs",
            context_snapshot=f"{prefix}:context_snapshot",
            citations=f"{prefix}:citations",
            user_index=user_index(user_id),
        )

    def all(self) -> list[str]:
        """Keys in script order (KEYS[1]..KEYS[11]); the Lua prelude relies on this order."""
        return [
            self.metadata,
            self.emotion,
            self.emotion_log,
            self.messages,
            self.overflow,
            self.message_ids,
            self.milestones,
            self.breakthroughs,
            self.context_snapshot,
            self.citations,
            self.user_index,
        ]

    def session_keys(self) -> list[str]:
        """The session's own keys (without the shared user index)."""
        return self.all()[:-1]


@lru_cache(maxsize=4096)
def _session_keys(user_id: str, session_id: str) -> SessionKeys:
    # An invalid id raises InvalidInput, which lru_cache does not remember.
    return SessionKeys.build(user_id, session_id)


def metadata_pattern() -> str:
    """SCAN pattern matching every session's metadata key (used to find orphans)."""
    return "session:{*}:*:metadata"


def parse_metadata_key(key: str) -> tuple[str, str] | None:
    match = re.fullmatch(r"session:\{([A-Za-z0-9_-]{1,64})\}:([A-Za-z0-9_-]{1,64}):metadata", key)
    return (match.group(1), match.group(2)) if match else None


def archive_lock(user_id: str, session_id: str) -> str:
    """The archiver's per-session lock. It shares the ``{user_id}`` hash tag with the session's keys."""
    return f"archive:lock:{{{check_id(user_id, 'user_id')}}}:{check_id(session_id, 'session_id')}"
