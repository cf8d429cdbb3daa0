"""Concurrent note saves: exactly one writer wins per version, nobody is overwritten silently."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.test import RequestFactory

from sessions_app.access import AccessGrant
from sessions_app.archive import archiver
from sessions_app.dashboard import pages
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.conftest import seed_session
from tests.support import AVA

WRITERS = 8


@pytest.fixture
def no_db_side_effects(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Threads race on Redis only: the audit row and the revision (DB) are recorded in a list here."""
    written: list[tuple[str, int]] = []
    lock = threading.Lock()

    def audit(*args: Any) -> None:
        with lock:
            written.append((str(args[3]), args[5].version))

    monkeypatch.setattr(pages, "_audit_note", audit)
    monkeypatch.setattr(archiver, "save_note_revision", lambda **kwargs: None)
    return written


def test_concurrent_saves_of_one_version_have_one_winner(
    live_manager: ConversationStateManager, no_db_side_effects: list[tuple[str, int]]
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

    threads = [threading.Thread(target=save, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [n for n, outcome in outcomes.items() if outcome == "saved"]
    assert len(outcomes) == WRITERS
    assert len(winners) == 1
    assert sorted(set(outcomes.values())) == ["conflict", "saved"]
    context = live_manager.read_session(AVA, sid).context
    assert (context.session_notes, context.version) == (f"text of writer {winners[0]}", 2)
    assert sorted(no_db_side_effects).count(("notes_edited", 2)) == 1
    assert sum(action == "notes_conflict" for action, _ in no_db_side_effects) == WRITERS - 1


def test_sequential_saves_increment_the_version_by_exactly_one(
    live_manager: ConversationStateManager, no_db_side_effects: list[tuple[str, int]]
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
