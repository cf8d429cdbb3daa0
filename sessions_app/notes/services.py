"""The note workflow: save a draft (compare-and-set on its version), sign it, add addenda, and copy it
into the live session for the chatbot. Keyword-only services taking an ``Actor``.

Every save is a new revision row; a save from a stale version never overwrites: it is refused with
a ``Conflict`` carrying both texts, their diff and a merge proposal. The version check is one
conditional UPDATE, so two concurrent saves cannot both win. The live copy is written inside the
same transaction, after the version moved: saves reach Redis in the order of their versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sessions_app import repository
from sessions_app.notes import live
from sessions_app.notes.actor import Actor
from sessions_app.notes.diff import DiffLine, line_diff, merge_proposal
from sessions_app.notes.errors import NotesError, NothingToSign, NotYourDraft, SignedNoteImmutable
from sessions_app.notes.models import ClinicalNote, ClinicalNoteRevision, NoteAddendum
from sessions_app.notes.reads import note_from_head
from sessions_app.notes.records import NoteRecord
from sessions_app.notes.text import check_clinical_text, check_no_merge_markers

REASON_MAX_CHARS = 500


@dataclass(frozen=True)
class Conflict:
    """A refused save: the colleague's saved note, my text, the diff between them and the proposal."""

    theirs: NoteRecord
    mine: str
    base_version: int
    diff: list[DiffLine]
    proposal: str


@dataclass(frozen=True)
class SaveResult:
    outcome: str  # "saved" | "unchanged" | "conflict"
    note: NoteRecord
    live: str = ""  # see live.write_notes; "" when nothing was written
    conflict: Conflict | None = None


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _head(actor: Actor, session_id: str) -> ClinicalNote:
    """The session's note row, created on its first save. Creating it checks that the session exists
    (``SessionNotFound``; ``StateUnavailable`` if Redis is down and the archive does not have it) and
    takes over notes its context snapshot already holds as revision 1 (source "context")."""
    head = ClinicalNote.objects.filter(user_id=actor.client_id, session_id=session_id).first()
    if head is not None:
        return head
    context = repository.get_session(actor.client_id, session_id).state.context
    earlier = context.session_notes if context.session_notes.strip() else ""
    now = timezone.now()
    with transaction.atomic():
        head, created = ClinicalNote.objects.get_or_create(
            user_id=actor.client_id,
            session_id=session_id,
            defaults={"version": 1 if earlier else 0, "created_at": now, "updated_at": now},
        )
        if created and earlier:
            ClinicalNoteRevision.objects.create(
                note=head,
                version=1,
                text=earlier,
                author=context.notes_updated_by or "unknown",
                saved_at=context.last_summarized or now,
                source="context",
            )
    return head


def _text_at(head: ClinicalNote, version: int) -> str:
    """The text an editor who loaded ``version`` started from. Version 0 is what the page showed
    before the note had a row: the context's notes, now revision 1 if they were taken over."""
    if version == 0:
        first = head.revisions.filter(version=1, source="context").first()
        return first.text if first else ""
    row = head.revisions.filter(version=version).first()
    return row.text if row else ""


def _refuse_if_signed(head: ClinicalNote) -> None:
    if head.is_signed and head.signed_at is not None:
        raise SignedNoteImmutable(
            f"This note was signed by {head.signed_by} at {_utc(head.signed_at)} and can no longer be "
            "changed. Add an addendum instead."
        )


def save_note(*, actor: Actor, session_id: str, expected_version: int, text: str) -> SaveResult:
    """Save ``text`` as the next revision if the note is still at ``expected_version``.

    When the note moved on but its text is still what this editor started from, the save goes on top
    (nothing of anyone's is lost); when the saved text already equals ``text`` nothing is written.
    Raises ``ClinicalTextInvalid``, ``SignedNoteImmutable``, ``SessionNotFound``, ``StateUnavailable``.
    """
    text = check_no_merge_markers(
        check_clinical_text(text, "text", max_chars=settings.STATE_MAX_NOTE_CHARS), "text"
    )
    head = _head(actor, session_id)
    now = timezone.now()
    with transaction.atomic():
        head.refresh_from_db()
        _refuse_if_signed(head)
        current = head.revisions.filter(version=head.version).first()
        current_text = current.text if current else ""
        version = expected_version
        if head.version != expected_version:
            if current_text == text:
                return SaveResult("unchanged", note_from_head(head))
            if current_text != _text_at(head, expected_version):
                return _conflict(actor, session_id, head, expected_version, text)
            version = head.version  # only the version moved: nothing of theirs would be lost
        if current is not None and current_text == text and current.author == actor.username:
            return SaveResult("unchanged", note_from_head(head))
        moved = ClinicalNote.objects.filter(pk=head.pk, version=version, signed_at__isnull=True).update(
            version=version + 1, updated_at=now
        )
        if not moved:  # a concurrent save committed between our read and our write
            head.refresh_from_db()
            return _conflict(actor, session_id, head, expected_version, text)
        ClinicalNoteRevision.objects.create(
            note=head,
            version=version + 1,
            text=text,
            author=actor.username,
            author_role=actor.role,
            saved_at=now,
        )
        head.refresh_from_db()
        note = note_from_head(head)
        copied = live.write_notes(clinician=actor.username, note=note)
    actor.audit("note_saved", session_id=session_id, version=note.version, live_copy=copied)
    return SaveResult("saved", note, live=copied)


def _conflict(
    actor: Actor, session_id: str, head: ClinicalNote, expected_version: int, text: str
) -> SaveResult:
    theirs = note_from_head(head)
    actor.audit(
        "note_conflict", session_id=session_id, outcome="conflict", version=theirs.version,
        expected_version=expected_version,
    )  # fmt: skip
    conflict = Conflict(
        theirs=theirs,
        mine=text,
        base_version=expected_version,
        diff=line_diff(theirs.text, text),
        proposal=merge_proposal(_text_at(head, expected_version), theirs.text, text),
    )
    return SaveResult("conflict", theirs, conflict=conflict)


def sign_note(*, actor: Actor, session_id: str, expected_version: int) -> NoteRecord:
    """Sign the draft as it stood at ``expected_version``; from then on it is immutable.

    Only the author of the latest revision may sign (``NotYourDraft``: 403). Raises
    ``NothingToSign`` when there is no draft or it changed since, ``SignedNoteImmutable`` when signed.
    """
    head = ClinicalNote.objects.filter(user_id=actor.client_id, session_id=session_id).first()
    if head is None or head.version == 0:
        raise NothingToSign("There is no saved note to sign yet. Save the note first.")
    _refuse_if_signed(head)
    latest = head.revisions.get(version=head.version)
    if latest.author != actor.username:
        actor.audit("note_sign_refused", session_id=session_id, outcome="denied", version=head.version)
        raise NotYourDraft(
            f"This draft was last written by {latest.author}; only they can sign it. To sign it "
            "yourself, save it as your own revision first."
        )
    if head.version != expected_version:
        raise NothingToSign(
            f"The note changed since you opened it (it is now version {head.version}). Read it again, "
            "then sign."
        )
    now = timezone.now()
    with transaction.atomic():
        signed = ClinicalNote.objects.filter(
            pk=head.pk, version=expected_version, signed_at__isnull=True
        ).update(
            signed_by=actor.username, signed_role=actor.role, signed_at=now, signed_version=expected_version
        )
        if not signed:
            raise NothingToSign("The note changed while you were signing it. Read it again, then sign.")
        head.refresh_from_db()
        note = note_from_head(head)
        copied = live.write_notes(clinician=actor.username, note=note)
    actor.audit("note_signed", session_id=session_id, version=expected_version, live_copy=copied)
    return note


def add_addendum(*, actor: Actor, session_id: str, text: str, reason: str) -> tuple[NoteRecord, str]:
    """Add text to a signed note, with a reason. Returns the note and what happened to the live copy."""
    text = check_clinical_text(text, "text", max_chars=settings.STATE_MAX_NOTE_CHARS, required=True)
    reason = check_clinical_text(reason, "reason", max_chars=REASON_MAX_CHARS, required=True)
    head = ClinicalNote.objects.filter(user_id=actor.client_id, session_id=session_id).first()
    if head is None or not head.is_signed:
        raise NotesError("Addenda are added to a signed note; this note is a draft, so edit it instead.")
    with transaction.atomic():
        NoteAddendum.objects.create(
            note=head, text=text, reason=reason, author=actor.username, author_role=actor.role,
            added_at=timezone.now(),
        )  # fmt: skip
        note = note_from_head(head)
        copied = live.write_notes(clinician=actor.username, note=note)
    actor.audit("addendum_added", session_id=session_id, addenda=len(note.addenda), live_copy=copied)
    return note, copied


def resend_live_copy(*, actor: Actor, session_id: str) -> str:
    """Write the note into the live session again (after Redis was unavailable at the save)."""
    head = ClinicalNote.objects.filter(user_id=actor.client_id, session_id=session_id).first()
    if head is None or head.version == 0:
        raise NotesError("There is no saved note to send.")
    copied = live.write_notes(clinician=actor.username, note=note_from_head(head))
    actor.audit("note_live_copy", session_id=session_id, version=head.version, live_copy=copied)
    return copied
