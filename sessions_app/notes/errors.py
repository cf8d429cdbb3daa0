"""Errors of the notes app. Each carries a message fit to show a clinician."""

from __future__ import annotations


class NotesError(Exception):
    """Base class; ``str(exc)`` is a sentence for the person who asked."""


class RecordImmutable(NotesError):
    """An attempt to change or delete an append-only row (a revision, addendum, decision)."""


class SignedNoteImmutable(RecordImmutable):
    """The note is signed: its text can no longer change; later text is an addendum."""

    def __init__(
        self, message: str = "This note is signed and can no longer be changed; add an addendum."
    ) -> None:
        super().__init__(message)


class NotYourDraft(NotesError):
    """Only the author of a draft's latest revision may sign it (403)."""


class NothingToSign(NotesError):
    """There is no draft to sign, or it changed since the signer looked at it."""


class ClinicalTextInvalid(NotesError):
    """Text a clinician typed that cannot be stored (too long, NUL, lone surrogates, markers left)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
