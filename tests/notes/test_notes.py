"""The note workflow as services: every revision in the database, live or archived sessions, signing
(immutable afterwards, at every level), addenda, the live copy the chatbot reads, and bad input."""

from __future__ import annotations

import pytest
import redis
from django.db import DatabaseError, connection, transaction

from ifemotion.accounts.models import AuditAction, AuditEvent, User
from sessions_app import repository
from sessions_app.errors import SessionNotFound
from sessions_app.notes import reads, services
from sessions_app.notes.errors import (
    ClinicalTextInvalid,
    NotesError,
    NothingToSign,
    NotYourDraft,
    RecordImmutable,
    SignedNoteImmutable,
)
from sessions_app.notes.live import NOT_LIVE, UNAVAILABLE, WRITTEN, live_notes_text
from sessions_app.notes.models import ClinicalNote, ClinicalNoteRevision, NoteAddendum
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.notes.conftest import actor_for, seed_session
from tests.sessions_app.archive_support import archiver
from tests.support import AVA


def archive_and_forget(manager: ConversationStateManager, session_id: str) -> None:
    """Close, archive and let Redis forget the session: it is then served from the database."""
    manager.close_session(AVA, session_id)
    assert archiver(manager.redis, index=False).archive_session(user_id=AVA, session_id=session_id).verified
    manager.redis.delete(*SessionKeys.for_session(AVA, session_id).session_keys())
    assert repository.get_session(AVA, session_id, manager=manager).source == "archive"


def test_notes_on_an_archived_session_round_trip(live_manager: ConversationStateManager, alice: User) -> None:
    sid = seed_session(live_manager, AVA, notes="")
    archive_and_forget(live_manager, sid)
    actor = actor_for(alice, AVA)

    first = services.save_note(
        actor=actor, session_id=sid, expected_version=0, text="Archived *session* note."
    )
    second = services.save_note(actor=actor, session_id=sid, expected_version=1, text="Revised after review.")

    assert (first.outcome, first.live, second.outcome, second.live) == ("saved", NOT_LIVE, "saved", NOT_LIVE)
    note = reads.session_note(AVA, sid)
    assert note is not None
    assert (note.version, note.text, note.author, note.author_role) == (
        2,
        "Revised after review.",
        "alice",
        "therapist",
    )
    assert [(r.version, r.text, r.author) for r in reads.note_revisions(AVA, sid)] == [
        (1, "Archived *session* note.", "alice"),
        (2, "Revised after review.", "alice"),
    ]
    assert not live_manager.redis.exists(SessionKeys.for_session(AVA, sid).metadata)  # no live keys made


def test_a_save_on_a_live_session_is_copied_for_the_chatbot_as_the_clinicians(
    live_manager: ConversationStateManager, redis_backend: redis.Redis, alice: User
) -> None:
    sid = seed_session(live_manager, AVA, notes="")
    keys = SessionKeys.for_session(AVA, sid)
    redis_backend.expire(keys.metadata, 500)
    for key in keys.session_keys():
        if redis_backend.exists(key):
            redis_backend.expire(key, 500)

    result = services.save_note(
        actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text="Plan: sleep."
    )

    assert result.live == WRITTEN
    context = live_manager.read_session(AVA, sid).context
    assert (context.session_notes, context.notes_updated_by) == ("Plan: sleep.", "alice")
    assert redis_backend.ttl(keys.metadata) <= 500  # a clinician's save never extends retention


def test_notes_already_in_the_context_become_revision_one(
    live_manager: ConversationStateManager, alice: User
) -> None:
    sid = seed_session(live_manager, AVA)  # the chatbot wrote "first notes" into the context
    result = services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text="mine")
    revisions = reads.note_revisions(AVA, sid)
    assert [(r.version, r.text, r.author, r.source) for r in revisions] == [
        (1, "first notes", "chatbot", "context"),
        (2, "mine", "alice", "dashboard"),
    ]
    assert result.note.version == 2


def test_a_stale_version_never_overwrites(
    alice: User, carmen: User, fake_manager: ConversationStateManager
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text="base")
    services.save_note(
        actor=actor_for(alice, AVA), session_id=sid, expected_version=1, text="alice's version"
    )

    result = services.save_note(
        actor=actor_for(carmen, AVA), session_id=sid, expected_version=1, text="carmen's"
    )

    assert result.outcome == "conflict"
    assert result.conflict is not None
    assert result.conflict.theirs.text == "alice's version"
    assert result.conflict.proposal.startswith("alice's version\n>>>>> YOUR TEXT")
    assert "carmen's" in result.conflict.proposal
    assert reads.session_note(AVA, sid).text == "alice's version"  # type: ignore[union-attr]
    assert fake_manager.read_session(AVA, sid).context.session_notes == "alice's version"
    assert AuditEvent.objects.filter(action=AuditAction.NOTES_CONFLICT, actor="carmen").count() == 1


def test_a_merged_text_with_markers_left_in_is_refused(
    alice: User, fake_manager: ConversationStateManager
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    with pytest.raises(ClinicalTextInvalid, match="marker"):
        services.save_note(
            actor=actor_for(alice, AVA), session_id=sid, expected_version=0,
            text="keep\n>>>>> YOUR TEXT (not saved): keep, edit or delete, then remove this line\nx",
        )  # fmt: skip
    assert reads.session_note(AVA, sid) is None


def test_only_the_author_of_the_draft_signs_it_and_then_it_is_immutable(
    alice: User, carmen: User, fake_manager: ConversationStateManager
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text="Draft by alice")

    with pytest.raises(NotYourDraft):
        services.sign_note(actor=actor_for(carmen, AVA), session_id=sid, expected_version=1)
    with pytest.raises(NothingToSign):
        services.sign_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0)
    note = services.sign_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=1)

    assert (note.is_signed, note.signed_by, note.signed_version) == (True, "alice", 1)
    with pytest.raises(SignedNoteImmutable):
        services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=1, text="changed")
    with pytest.raises(SignedNoteImmutable):
        services.sign_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=1)
    assert reads.session_note(AVA, sid).text == "Draft by alice"  # type: ignore[union-attr]


def test_the_orm_and_the_database_refuse_to_change_a_signed_note(
    alice: User, fake_manager: ConversationStateManager
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text="signed text")
    services.sign_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=1)
    head = ClinicalNote.objects.get(user_id=AVA, session_id=sid)
    revision = ClinicalNoteRevision.objects.get(note=head)

    head.signed_by = "mallory"
    with pytest.raises(SignedNoteImmutable):
        head.save()
    with pytest.raises(SignedNoteImmutable):
        ClinicalNote.objects.filter(pk=head.pk).update(version=5)
    with pytest.raises(RecordImmutable):
        head.delete()
    revision.text = "rewritten"
    with pytest.raises(RecordImmutable):
        revision.save()
    with pytest.raises(RecordImmutable):
        ClinicalNoteRevision.objects.filter(pk=revision.pk).update(text="rewritten")
    with pytest.raises(RecordImmutable):
        ClinicalNoteRevision.objects.filter(pk=revision.pk).delete()
    # Below the ORM: the database's triggers refuse the same updates.
    for sql in (
        "UPDATE notes_clinicalnote SET signed_by = 'mallory' WHERE id = %s",
        "UPDATE notes_clinicalnoterevision SET text = 'rewritten' WHERE note_id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [head.pk])
    assert reads.session_note(AVA, sid).signed_by == "alice"  # type: ignore[union-attr]
    assert reads.session_note(AVA, sid).text == "signed text"  # type: ignore[union-attr]


def test_addenda_are_kept_in_order_under_the_signed_note(
    live_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    sid = seed_session(live_manager, AVA, notes="")
    with pytest.raises(NotesError):
        services.add_addendum(actor=actor_for(alice, AVA), session_id=sid, text="too early", reason="r")
    services.save_note(
        actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text="Session summary."
    )
    services.sign_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=1)

    services.add_addendum(
        actor=actor_for(carmen, AVA), session_id=sid, text="Phoned the GP.", reason="follow-up"
    )
    note, copied = services.add_addendum(
        actor=actor_for(alice, AVA),
        session_id=sid,
        text="Client cancelled next visit.",
        reason="new information",
    )

    assert [(a.author, a.text, a.reason) for a in note.addenda] == [
        ("carmen", "Phoned the GP.", "follow-up"),
        ("alice", "Client cancelled next visit.", "new information"),
    ]
    assert note.addenda[0].added_at <= note.addenda[1].added_at
    assert copied == WRITTEN
    live_text = live_manager.read_session(AVA, sid).context.session_notes
    assert live_text == live_notes_text(note)
    assert live_text.index("Phoned the GP.") < live_text.index("Client cancelled next visit.")
    addendum = NoteAddendum.objects.first()
    assert addendum is not None
    with pytest.raises(RecordImmutable):
        addendum.delete()
    with pytest.raises(ClinicalTextInvalid):
        services.add_addendum(actor=actor_for(alice, AVA), session_id=sid, text="x", reason="  ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 50_001, "limit is 50,000"),
        ("before\x00after", "NUL"),
        ("lone \ud800 surrogate", "surrogate"),
    ],
)
def test_bad_text_is_refused_with_a_clear_message_and_nothing_stored(
    text: str, message: str, alice: User, fake_manager: ConversationStateManager
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    with pytest.raises(ClinicalTextInvalid, match=message):
        services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text=text)
    assert not ClinicalNoteRevision.objects.exists()


def test_bidi_controls_are_kept_in_the_record_and_shown_as_markers(
    alice: User, fake_manager: ConversationStateManager
) -> None:
    from sessions_app.notes.rendering import render_markdown

    sid = seed_session(fake_manager, AVA, notes="")
    text = "dose \u202e01 gm\u202c checked"
    services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text=text)
    assert reads.session_note(AVA, sid).text == text  # type: ignore[union-attr]
    assert "[U+202E]" in render_markdown(text)


def test_a_note_on_an_unknown_session_is_not_created(
    alice: User, fake_manager: ConversationStateManager
) -> None:
    with pytest.raises(SessionNotFound):
        services.save_note(
            actor=actor_for(alice, AVA), session_id="no-such-session", expected_version=0, text="x"
        )
    assert not ClinicalNote.objects.exists()


def test_redis_down_keeps_the_saved_note_and_says_the_copy_is_pending(
    alice: User, fake_manager: ConversationStateManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sessions_app.errors import StateUnavailable

    sid = seed_session(fake_manager, AVA, notes="")
    services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text="v1")

    def down(*_args: object, **_kwargs: object) -> None:
        raise StateUnavailable("live records temporarily unavailable")

    with monkeypatch.context() as redis_down:
        redis_down.setattr(fake_manager, "update_context_snapshot", down)
        result = services.save_note(
            actor=actor_for(alice, AVA), session_id=sid, expected_version=1, text="v2"
        )

    assert (result.outcome, result.live) == ("saved", UNAVAILABLE)
    assert reads.session_note(AVA, sid).text == "v2"  # type: ignore[union-attr]
    assert fake_manager.read_session(AVA, sid).context.session_notes == "v1"
    assert services.resend_live_copy(actor=actor_for(alice, AVA), session_id=sid) == WRITTEN
    assert fake_manager.read_session(AVA, sid).context.session_notes == "v2"


def test_saving_the_same_text_again_writes_nothing(
    alice: User, fake_manager: ConversationStateManager
) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text="same")
    again = services.save_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=1, text="same")
    assert again.outcome == "unchanged"
    assert ClinicalNoteRevision.objects.count() == 1


def test_every_step_is_audited_without_text(alice: User, fake_manager: ConversationStateManager) -> None:
    sid = seed_session(fake_manager, AVA, notes="")
    services.save_note(
        actor=actor_for(alice, AVA), session_id=sid, expected_version=0, text="SECRET-NOTE-TEXT"
    )
    services.sign_note(actor=actor_for(alice, AVA), session_id=sid, expected_version=1)
    services.add_addendum(
        actor=actor_for(alice, AVA), session_id=sid, text="SECRET-ADDENDUM", reason="SECRET-R"
    )
    events = list(AuditEvent.objects.filter(action=AuditAction.NOTES_EDITED).order_by("id"))
    assert [e.detail["event"] for e in events] == ["note_saved", "note_signed", "addendum_added"]
    assert all("SECRET" not in str(e.detail) for e in events)
