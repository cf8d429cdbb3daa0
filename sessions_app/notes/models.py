"""The clinician's records: notes with their revisions, signatures and addenda; per-client guidance
for the chatbot; adjudications of what the chatbot inferred.

Every text a clinician saves is a new row: revisions, addenda, guidance versions and adjudications
are append-only (the ORM refuses to update or delete them, and database triggers refuse UPDATE), and
a signed note's head row cannot change at all. Rows are keyed by client id + session id like the
archive (no foreign keys into it: a note may be written on a live session that is not archived yet).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from sessions_app.notes.errors import RecordImmutable, SignedNoteImmutable

ID_LENGTH = 64
AUTHOR_LENGTH = 200


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise RecordImmutable(f"{self.model.__name__} rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RecordImmutable(f"{self.model.__name__} rows are append-only")


class AppendOnly(models.Model):
    """Rows written once: saving an existing row or deleting one raises ``RecordImmutable``."""

    objects: ClassVar[Any] = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RecordImmutable(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RecordImmutable(f"{type(self).__name__} rows are append-only")


class ClinicalNoteQuerySet(models.QuerySet["ClinicalNote"]):
    def update(self, **kwargs: Any) -> int:
        if self.filter(signed_at__isnull=False).exists():
            raise SignedNoteImmutable()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RecordImmutable("clinical notes are never deleted")


class ClinicalNote(models.Model):
    """The note on one session: its current version and, once signed, who signed which version when."""

    user_id = models.CharField(max_length=ID_LENGTH, help_text="the client")
    session_id = models.CharField(max_length=ID_LENGTH)
    version = models.PositiveIntegerField(default=0, help_text="the latest revision (0: none yet)")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_by = models.CharField(max_length=AUTHOR_LENGTH, blank=True)
    signed_role = models.CharField(max_length=16, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_version = models.PositiveIntegerField(null=True, blank=True)

    objects = ClinicalNoteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "session_id"], name="clinical_note_session"),
        ]

    def __str__(self) -> str:
        return f"note on session {self.session_id} of {self.user_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and type(self).objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise SignedNoteImmutable()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RecordImmutable("clinical notes are never deleted")

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class ClinicalNoteRevision(AppendOnly):
    """One saved text of a note. ``source``: "dashboard", or "context" for the text found in the
    session's context snapshot when the note was first saved here (written before notes had a record
    of their own, or by the chatbot: its author label says which)."""

    note = models.ForeignKey(ClinicalNote, on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    author = models.CharField(max_length=AUTHOR_LENGTH)
    author_role = models.CharField(max_length=16, blank=True)
    saved_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=16, default="dashboard")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "version"], name="clinical_note_revision_version"),
        ]
        ordering = ["note", "version"]

    def __str__(self) -> str:
        return f"revision {self.version} of {self.note}"


class NoteAddendum(AppendOnly):
    """Text added to a signed note: who, when, why."""

    note = models.ForeignKey(ClinicalNote, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    reason = models.CharField(max_length=500)
    author = models.CharField(max_length=AUTHOR_LENGTH)
    author_role = models.CharField(max_length=16, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["note", "added_at", "id"]
        verbose_name_plural = "note addenda"

    def __str__(self) -> str:
        return f"addendum to {self.note}"


class GuidanceRevision(AppendOnly):
    """One version of a client's guidance for the chatbot; the highest version is the current one."""

    client_id = models.CharField(max_length=ID_LENGTH)
    version = models.PositiveIntegerField()
    current_theme = models.TextField(blank=True)
    therapeutic_focus = models.TextField(blank=True)
    topics_to_avoid = models.TextField(blank=True)
    author = models.CharField(max_length=AUTHOR_LENGTH)
    author_role = models.CharField(max_length=16, blank=True)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_id", "version"], name="guidance_revision_version"),
        ]
        ordering = ["client_id", "version"]

    def __str__(self) -> str:
        return f"guidance v{self.version} for {self.client_id}"


class Adjudication(AppendOnly):
    """A clinician's decision on one inference (milestone or breakthrough) of the chatbot. Both labels
    are kept: the chatbot's as it was when decided, and the clinician's. A later decision on the same
    item is a new version; the highest is the current one."""

    ACCEPTED, REJECTED, RELABELLED = "accepted", "rejected", "relabelled"
    DECISIONS = (ACCEPTED, REJECTED, RELABELLED)

    client_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    kind = models.CharField(max_length=16, help_text="milestone or breakthrough")
    item_id = models.CharField(max_length=ID_LENGTH)
    item_at = models.DateTimeField(help_text="when the chatbot recorded the inference")
    version = models.PositiveIntegerField()
    ai_category = models.CharField(max_length=32)
    ai_confidence = models.FloatField(null=True, blank=True)
    decision = models.CharField(max_length=16)
    clinician_category = models.CharField(max_length=32, blank=True, help_text="empty when rejected")
    clinician_band = models.CharField(max_length=8, blank=True, help_text="low, medium, high or empty")
    reason = models.TextField(blank=True)
    decided_by = models.CharField(max_length=AUTHOR_LENGTH)
    decided_role = models.CharField(max_length=16, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client_id", "session_id", "kind", "item_id", "version"], name="adjudication_version"
            ),
        ]
        indexes = [models.Index(fields=["client_id", "item_at"], name="adjudication_period")]
        ordering = ["client_id", "session_id", "item_at", "version"]

    def __str__(self) -> str:
        return f"{self.decision} {self.kind} {self.item_id}"
