"""Audit rows of the review workflow, through the product's one append-only audit log.

The action names are ours (the audit log's ``action`` column is free text with display choices; the
accounts app owns those choices). Never message content: who, which client and session, how far.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ifemotion.accounts import audit

REVIEW_MARKED = "review_marked"
REVIEW_UNMARKED = "review_unmarked"
SESSION_HELD = "session_held"
INBOX_VIEWED = "inbox_viewed"
DIGEST_VIEWED = "digest_viewed"
DIGEST_SENT = "digest_sent"

ACTIONS = (REVIEW_MARKED, REVIEW_UNMARKED, SESSION_HELD, INBOX_VIEWED, DIGEST_VIEWED, DIGEST_SENT)


def record(
    action: str,
    *,
    actor: str,
    role: str,
    request: HttpRequest | None = None,
    outcome: str = "ok",
    client_id: str = "",
    session_id: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        action, actor=actor, role=role, request=request, outcome=outcome, client_id=client_id,
        session_id=session_id, detail=detail,
    )  # fmt: skip
