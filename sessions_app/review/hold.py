"""Hold for review: archive one live session now and verify that the database holds all of it.

The archiver snapshots the session under its per-session lock (as a pass would, only without waiting
for the TTL margin), then every message, emotion change, milestone, breakthrough, citation and the
current notes are checked against the database, so nothing depends on the session's TTL any more.
Reads never extend the TTL; the archiver's writes do not either. A session written to while it is
being held is archived again (a few attempts) until one verification sees it whole.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

import sessions_app.state.configured as configured
from sessions_app.access import AccessGrant
from sessions_app.archive.archiver import Archiver
from sessions_app.domain import (
    CONTEXT_FIELDS,
    Breakthrough,
    Citation,
    EmotionTransition,
    Message,
    Milestone,
    SessionState,
    UnreadableEntry,
)
from sessions_app.errors import SessionNotFound
from sessions_app.repository.holdings import archived_citations, holdings, message_rows
from sessions_app.review import audit
from sessions_app.review.models import SessionHold

logger = logging.getLogger(__name__)

ATTEMPTS = 3
BUSY_WAIT_SECONDS = 0.5
# A margin longer than any TTL makes the archiver snapshot now; holding never removes a session.
FOREVER_SECONDS = 100 * 365 * 24 * 3600

Outcome = Literal["held", "not_live", "busy", "unverified"]


@dataclass(frozen=True)
class Check:
    kind: str  # "messages", "emotion changes", ...
    live: int  # how many the live session has
    archived: int  # how many of those the database holds

    @property
    def ok(self) -> bool:
        return self.archived >= self.live


@dataclass(frozen=True)
class HoldResult:
    outcome: Outcome
    checks: tuple[Check, ...] = ()
    hold: SessionHold | None = None

    @property
    def missing(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def verify(client_id: str, session_id: str, state: SessionState) -> tuple[Check, ...]:
    """Compare one live read of the session with the archive of record, kind by kind."""
    meta, context = state.metadata, state.context
    found = holdings(client_id, session_id, message_count=meta.message_count, note_version=context.version)
    window = [m for m in state.messages if isinstance(m, Message)]
    stored = message_rows(client_id, session_id, [m.seq for m in window])
    same_window = sum(stored.get(m.seq) == (m.id, m.role.value, m.content) for m in window)
    # Every message up to the count is archived, and the window's text is the same as in Redis.
    message_check = Check(
        "messages", meta.message_count, found.messages_through - (len(window) - same_window)
    )
    transitions = [t for t in state.emotion_log if isinstance(t, EmotionTransition)]
    milestones = [m for m in state.milestones if isinstance(m, Milestone)]
    breakthroughs = [b for b in state.breakthroughs if isinstance(b, Breakthrough)]
    cited = {m.citation_id for m in window} | {t.citation_id for t in transitions}
    cited |= {m.citation_id for m in milestones} | {b.citation_id for b in breakthroughs}
    cited |= {c.citation_id for c in state.pending_citations if isinstance(c, Citation)}
    cited.discard("")
    note_live = {name: getattr(context, name) for name in CONTEXT_FIELDS}
    note_ok = context.version == 0 or (
        found.note_fields is not None
        and {name: str(found.note_fields.get(name, "")) for name in CONTEXT_FIELDS} == note_live
    )
    unreadable = sum(
        isinstance(item, UnreadableEntry)
        for group in (state.emotion_log, state.milestones, state.breakthroughs)
        for item in group
    )
    checks = [
        message_check,
        Check(
            "emotion changes",
            len(transitions),
            sum(t.citation_id in found.transition_citations for t in transitions),
        ),
        Check("milestones", len(milestones), sum(m.id in found.milestone_ids for m in milestones)),
        Check(
            "breakthroughs", len(breakthroughs), sum(b.id in found.breakthrough_ids for b in breakthroughs)
        ),
        Check("citations", len(cited), len(archived_citations(cited))),
        Check("notes", 1 if context.version else 0, 1 if context.version and note_ok else 0),
    ]
    if unreadable:
        # Damaged entries are kept byte-exact in quarantine by the archiver, never dropped; they
        # cannot be compared, so a hold with them is refused for an operator to look at.
        checks.append(Check("unreadable entries", unreadable, 0))
    return tuple(checks)


def _counts(state: SessionState, checks: tuple[Check, ...]) -> dict[str, int]:
    by_kind = {c.kind: c.archived for c in checks}
    return {
        "messages": state.metadata.message_count,
        "emotion_changes": len(state.emotion_log),
        "milestones": state.metadata.milestone_count,
        "breakthroughs": state.metadata.breakthrough_count,
        "citations": by_kind.get("citations", 0),
        "note_version": state.context.version,
    }


def _archiver() -> Archiver:
    return Archiver(
        configured.get_state_manager().redis,
        margin_seconds=FOREVER_SECONDS,
        delete_closed_after_seconds=FOREVER_SECONDS,
        batch_size=settings.ARCHIVE_BATCH_SIZE,
        lock_seconds=settings.ARCHIVE_LOCK_SECONDS,
        index=False,  # the next archiver pass indexes it; search is not part of the record
    )


def hold_session(*, grant: AccessGrant, session_id: str, request: HttpRequest | None = None) -> HoldResult:
    """Archive the live session now and verify it. Raises ``StateUnavailable`` when Redis is down."""
    manager = configured.get_state_manager()
    archiver = _archiver()
    result = HoldResult("not_live")
    for attempt in range(ATTEMPTS):
        try:
            archived = archiver.archive_session(user_id=grant.client_id, session_id=session_id)
            if archived.outcome == "locked":  # an archiver pass is on it right now: wait for it
                result = HoldResult("busy")
                time.sleep(BUSY_WAIT_SECONDS * (attempt + 1))
                continue
            state = manager.read_session(grant.client_id, session_id, with_citations=True)
        except SessionNotFound:
            return HoldResult("not_live")
        if archived.outcome == "gone":
            return HoldResult("not_live")
        checks = verify(grant.client_id, session_id, state)
        result = HoldResult("unverified", checks)
        if all(check.ok for check in checks):
            hold, _ = SessionHold.objects.update_or_create(
                client_id=grant.client_id,
                session_id=session_id,
                defaults={
                    "held_by_id": grant.user_id, "held_by_name": grant.username, "held_at": timezone.now(),
                    **_counts(state, checks),
                },
            )  # fmt: skip
            _audit(grant, session_id, request, "ok", checks)
            return HoldResult("held", checks, hold)
    if result.outcome == "unverified":
        logger.error(
            "hold of session %s of %s: the archive does not hold %s",
            session_id, grant.client_id, ", ".join(c.kind for c in result.missing),
        )  # fmt: skip
    _audit(grant, session_id, request, "failed", result.checks)
    return result


def _audit(
    grant: AccessGrant, session_id: str, request: HttpRequest | None, outcome: str, checks: tuple[Check, ...]
) -> None:
    audit.record(
        audit.SESSION_HELD, actor=grant.username, role=grant.role, request=request, outcome=outcome,
        client_id=grant.client_id, session_id=session_id,
        detail={c.kind: [c.live, c.archived] for c in checks},
    )  # fmt: skip
