"""Writing the clinician's records into live sessions' context snapshots, where the chatbot reads them.

The database is the record; these writes are copies, labelled with the clinician as author, that
never extend how long Redis keeps a session. Each returns what happened instead of raising: a session
Redis has forgotten needs no copy, and Redis being down never undoes what the database saved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import DatabaseError

import sessions_app.state.configured as configured
from sessions_app.archive import archiver
from sessions_app.domain import CONTEXT_FIELDS, SessionStatus
from sessions_app.errors import SessionNotFound, StateError, StateUnavailable
from sessions_app.notes.records import GuidanceRecord, NoteRecord

logger = logging.getLogger(__name__)

WRITTEN, NOT_LIVE, UNAVAILABLE, FAILED = "written", "not_live", "unavailable", "failed"
SHORTENED = "\n\n[… shortened here: the full notes are in the clinical record]"


def live_notes_text(note: NoteRecord, *, max_chars: int | None = None) -> str:
    """What the chatbot reads as ``session_notes``: the note, then each addendum with who, when, why."""
    limit = max_chars or settings.STATE_MAX_NOTE_CHARS
    parts = [note.text]
    for addendum in note.addenda:
        when = addendum.added_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        parts.append(f"Addendum by {addendum.author}, {when} (reason: {addendum.reason}):\n{addendum.text}")
    text = "\n\n".join(part for part in parts if part)
    if len(text) > limit:
        text = text[: limit - len(SHORTENED)] + SHORTENED
    return text


def write_notes(*, clinician: str, note: NoteRecord) -> str:
    """Copy the note into the live session's ``session_notes``. Returns WRITTEN, NOT_LIVE, UNAVAILABLE
    or FAILED."""
    try:
        snapshot = configured.get_state_manager().update_context_snapshot(
            note.user_id,
            note.session_id,
            clinician=clinician,
            extend_retention=False,
            session_notes=live_notes_text(note),
        )
    except SessionNotFound:
        return NOT_LIVE
    except StateUnavailable:
        logger.warning(
            "notes of session %s saved; live copy not written (Redis unavailable)", note.session_id
        )
        return UNAVAILABLE
    except StateError as exc:
        logger.error("notes of session %s saved; live copy failed: %s", note.session_id, type(exc).__name__)
        return FAILED
    # The context revision is kept too, so an archived session shows the notes it last had (the
    # archiver records it as well, from the citation, should this fail).
    try:
        archiver.save_note_revision(
            user_id=note.user_id,
            session_id=note.session_id,
            version=snapshot.version,
            author=clinician,
            fields={name: getattr(snapshot, name) for name in CONTEXT_FIELDS},
        )
    except (DatabaseError, StateError) as exc:
        logger.error("context revision %s of session %s not kept: %s", snapshot.version, note.session_id,
                     type(exc).__name__)  # fmt: skip
    return WRITTEN


@dataclass(frozen=True)
class Propagation:
    """Where a guidance version was written: live active sessions, and those that failed."""

    written: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    unavailable: bool = False

    @property
    def complete(self) -> bool:
        return not self.failed and not self.unavailable


def write_guidance(*, clinician: str, guidance: GuidanceRecord) -> Propagation:
    """Write the guidance into every active live session of the client (closed ones are over: their
    record keeps the guidance they had)."""
    manager = configured.get_state_manager()
    try:
        sessions = [
            s.session_id
            for s in manager.get_user_sessions(guidance.client_id)
            if s.status is SessionStatus.ACTIVE
        ]
    except StateUnavailable:
        logger.warning("guidance v%s saved; live sessions not updated (Redis unavailable)", guidance.version)
        return Propagation(unavailable=True)
    written: list[str] = []
    failed: list[str] = []
    for session_id in sessions:
        try:
            manager.update_context_snapshot(
                guidance.client_id,
                session_id,
                clinician=clinician,
                guidance_version=guidance.version,
                extend_retention=False,
                current_theme=guidance.current_theme,
                therapeutic_focus=guidance.therapeutic_focus,
                topics_to_avoid=guidance.topics_to_avoid,
            )
        except SessionNotFound:
            continue  # expired between the list and the write: nothing to update
        except StateError as exc:
            logger.warning("guidance v%s not written into session %s: %s", guidance.version, session_id,
                           type(exc).__name__)  # fmt: skip
            failed.append(session_id)
        else:
            written.append(session_id)
    return Propagation(written=tuple(written), failed=tuple(failed))
