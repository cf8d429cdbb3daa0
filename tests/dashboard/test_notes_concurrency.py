"""Concurrent note saves: exactly one writer wins per version, nobody is overwritten silently.

Everything is real: the compare-and-set in Redis, the audit rows (hash-chained, appended by every
thread through its own database connection) and the note revisions in the database.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from django.db import connection
from django.test import RequestFactory

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, AuditEvent
from sessions_app.access import AccessGrant
from sessions_app.dashboard import pages
from sessions_app.models import NoteRevision
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import seed_session
from tests.support import AVA

WRITERS = 8


def in_own_connection(work: Callable[[], None]) -> Callable[[], None]:
    """A thread's body: Django gives each thread its own connection, which the thread must close."""

    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    return run


def note_events(session_id: str) -> list[tuple[str, str, int]]:
    rows = AuditEvent.objects.filter(session_id=session_id, action__startswith="notes_").order_by("id")
    return [(row.action, row.actor, row.detail["version"]) for row in rows]


def test_concurrent_saves_of_one_version_have_one_winner(
    live_manager: ConversationStateManager, audit_flushable: None
) -> None:
    sid = seed_session(live_manager, AVA)
    barrier = threading.Barrier(WRITERS)
    outcomes: dict[int, str] = {}

    def save(n: int) -> None:
        grant = AccessGrant(n, f"therapist{n}", "therapist", AVA, "annotate", "assignment")
        barrier.wait(timeout=10)
        result = pages.save_notes(
            RequestFactory().post("/"), grant, sid, version=1, base="first notes", text=f"text of writer {n}"
        )
        outcomes[n] = result.outcome

    threads = [threading.Thread(target=in_own_connection(functools.partial(save, n))) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    winners = [n for n, outcome in outcomes.items() if outcome == "saved"]
    assert len(outcomes) == WRITERS
    assert len(winners) == 1
    assert sorted(set(outcomes.values())) == ["conflict", "saved"]
    winner = f"therapist{winners[0]}"
    context = live_manager.read_session(AVA, sid).context
    assert (context.session_notes, context.version) == (f"text of writer {winners[0]}", 2)
    # The audit log: one edit by the winner, a conflict for each of the others, and an intact chain.
    events = note_events(sid)
    assert [e for e in events if e[0] == AuditAction.NOTES_EDITED] == [(AuditAction.NOTES_EDITED, winner, 2)]
    losers = sorted(actor for action, actor, _ in events if action == AuditAction.NOTES_CONFLICT)
    assert losers == sorted(f"therapist{n}" for n in range(WRITERS) if n != winners[0])
    assert audit.verify_chain() == []
    # The record of truth keeps the winning text as revision 2, by its author; nothing else.
    revisions = list(NoteRevision.objects.filter(user_id=AVA, session_id=sid))
    assert [(r.version, r.author, r.fields["session_notes"]) for r in revisions] == [
        (2, winner, f"text of writer {winners[0]}")
    ]


def test_sequential_saves_increment_the_version_by_exactly_one(
    live_manager: ConversationStateManager, audit_flushable: None
) -> None:
    sid = seed_session(live_manager, AVA)
    grant = AccessGrant(1, "alice", "therapist", AVA, "annotate", "assignment")
    base = "first notes"
    for version in range(1, 6):
        text = f"revision {version}"
        result = pages.save_notes(
            RequestFactory().post("/"), grant, sid, version=version, base=base, text=text
        )
        assert result.outcome == "saved"
        assert result.snapshot is not None
        assert result.snapshot.version == version + 1
        base = text

    revisions = NoteRevision.objects.filter(user_id=AVA, session_id=sid).order_by("version")
    assert [(r.version, r.fields["session_notes"]) for r in revisions] == [
        (v + 1, f"revision {v}") for v in range(1, 6)
    ]
    assert note_events(sid) == [(AuditAction.NOTES_EDITED, "alice", v + 1) for v in range(1, 6)]
    assert audit.verify_chain() == []
