"""Concurrent note saves through the services, against the database's compare-and-set and the live
copy: exactly one writer wins per version, nobody is overwritten silently, and Redis ends with the
winner's text (the live copy is written in version order)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from ifemotion.accounts.models import AuditAction, AuditEvent, User
from sessions_app.notes import reads, services
from sessions_app.notes.actor import Actor
from sessions_app.state.manager import ConversationStateManager
from tests.notes.conftest import seed_session
from tests.support import AVA, make_user

WRITERS = 6

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def writers(audit_flushable: None) -> list[User]:
    return [make_user(f"therapist{n}", "therapist", AVA) for n in range(WRITERS)]


def actor(user: User) -> Actor:
    return Actor(username=user.username, role=user.role, client_id=AVA)


def test_concurrent_saves_of_one_version_have_one_winner(
    live_manager: ConversationStateManager, writers: list[User]
) -> None:
    sid = seed_session(live_manager, AVA, notes="")
    services.save_note(actor=actor(writers[0]), session_id=sid, expected_version=0, text="base")
    barrier = threading.Barrier(WRITERS)
    outcomes: dict[int, str] = {}
    errors: list[BaseException] = []

    def save(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            result = services.save_note(
                actor=actor(writers[n]), session_id=sid, expected_version=1, text=f"text of writer {n}"
            )
            outcomes[n] = result.outcome
        except BaseException as exc:  # reported below; a thread must not die silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    winners = [n for n, outcome in outcomes.items() if outcome == "saved"]
    assert len(outcomes) == WRITERS
    assert len(winners) == 1
    assert sorted(set(outcomes.values())) == ["conflict", "saved"]
    note = reads.session_note(AVA, sid)
    assert note is not None
    assert (note.version, note.text) == (2, f"text of writer {winners[0]}")
    assert live_manager.read_session(AVA, sid).context.session_notes == note.text
    assert AuditEvent.objects.filter(action=AuditAction.NOTES_CONFLICT).count() == WRITERS - 1


def test_sequential_saves_increment_the_version_by_exactly_one(
    live_manager: ConversationStateManager, writers: list[User]
) -> None:
    sid = seed_session(live_manager, AVA, notes="")
    for version in range(0, 5):
        result = services.save_note(
            actor=actor(writers[version % 2]),
            session_id=sid,
            expected_version=version,
            text=f"revision {version + 1}",
        )
        assert (result.outcome, result.note.version) == ("saved", version + 1)
    assert [r.version for r in reads.note_revisions(AVA, sid)] == [1, 2, 3, 4, 5]
    assert live_manager.read_session(AVA, sid).context.session_notes == "revision 5"
