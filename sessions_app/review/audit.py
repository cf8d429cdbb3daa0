"""Audit rows of the review workflow, through the product's one append-only audit log.

The action names are ours (the audit log's ``action`` column is free text with display choices; the
accounts app owns those choices). Never message content: who, which client and session, how far.
"""

from __future__ import annotations

from typing import Unpack

from ifemotion.accounts import audit

REVIEW_MARKED = "review_marked"
REVIEW_UNMARKED = "review_unmarked"
SESSION_HELD = "session_held"
INBOX_VIEWED = "inbox_viewed"
DIGEST_VIEWED = "digest_viewed"
DIGEST_SENT = "digest_sent"

ACTIONS = (REVIEW_MARKED, REVIEW_UNMARKED, SESSION_HELD, INBOX_VIEWED, DIGEST_VIEWED, DIGEST_SENT)


def record(action: str, *, actor: str, role: str, **fields: Unpack[audit.EventContext]) -> None:
    """Every review action is taken in a role, which the row must show."""
    audit.record(action, actor=actor, role=role, **fields)
