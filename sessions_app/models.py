"""The archive of record: every session, message, transition, milestone, breakthrough, citation and
note revision, kept in the relational database after Redis forgets them.

Rows are keyed by the stable ids the state layer gives (user id + session id + seq, citation id,
milestone/breakthrough id), so the archiver's writes are idempotent upserts and two archivers, or one
that was killed half-way and run again, end with the same rows. There are no foreign keys between
these tables on purpose: messages drained from a live session's overflow are archived long before
the session's own snapshot row exists, and the dashboard may save a note revision at any time.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

ID_LENGTH = 64
CITATION_ID_LENGTH = 100  # "if://citation/" + a UUID, with room to spare


class ArchivedSession(models.Model):
    """The last snapshot of a session: metadata, final emotional state and context snapshot."""

    user_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    conversation_id = models.CharField(max_length=ID_LENGTH, blank=True)
    status = models.CharField(max_length=16)
    started_at = models.DateTimeField()
    last_updated = models.DateTimeField()
    last_resumed = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_model = models.CharField(max_length=200, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    milestone_count = models.PositiveIntegerField(default=0)
    breakthrough_count = models.PositiveIntegerField(default=0)
    # final emotional state
    current_emotion = models.CharField(max_length=32)
    emotion_intensity = models.FloatField(default=0.0)
    emotion_confidence = models.FloatField(default=0.0)
    last_emotion_change = models.DateTimeField(null=True, blank=True)
    emotion_tracking_id = models.CharField(max_length=CITATION_ID_LENGTH, blank=True)
    # context snapshot (the therapist's working notes)
    current_theme = models.TextField(blank=True)
    therapeutic_focus = models.TextField(blank=True)
    client_state_summary = models.TextField(blank=True)
    session_notes = models.TextField(blank=True)
    last_summarized = models.DateTimeField(null=True, blank=True)
    context_version = models.PositiveIntegerField(default=0)
    notes_updated_by = models.CharField(max_length=200, blank=True)
    # the client's guidance as this session had it (see sessions_app.notes.guidance)
    topics_to_avoid = models.TextField(blank=True)
    guidance_version = models.PositiveIntegerField(default=0)
    guidance_updated_by = models.CharField(max_length=200, blank=True)
    # bookkeeping
    first_archived_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(default=timezone.now, help_text="time of the last snapshot")
    removed_from_live_at = models.DateTimeField(
        null=True, blank=True, help_text="when the archiver removed the closed session from Redis"
    )
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the canonical snapshot")
    indexed = models.BooleanField(default=False, help_text="snapshot document is in the search index")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "session_id"], name="archived_session_key"),
        ]
        indexes = [
            models.Index(fields=["user_id", "-last_updated"], name="archived_session_user"),
            models.Index(fields=["id"], condition=Q(indexed=False), name="archived_session_unindexed"),
        ]

    def __str__(self) -> str:
        return f"session {self.session_id} of {self.user_id}"


class ArchivedMessage(models.Model):
    user_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    seq = models.PositiveIntegerField()
    message_id = models.CharField(max_length=ID_LENGTH)
    role = models.CharField(max_length=16)
    content = models.TextField()
    timestamp = models.DateTimeField()
    citation_id = models.CharField(max_length=CITATION_ID_LENGTH)
    emotion = models.CharField(max_length=32, blank=True)
    intensity = models.FloatField(null=True, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    archived_at = models.DateTimeField(default=timezone.now)
    indexed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "session_id", "seq"], name="archived_message_seq"),
            models.UniqueConstraint(
                fields=["user_id", "session_id", "message_id"], name="archived_message_id"
            ),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(indexed=False), name="archived_message_unindexed"),
        ]

    def __str__(self) -> str:
        return f"message #{self.seq} of session {self.session_id}"


class ArchivedEmotionTransition(models.Model):
    user_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    position = models.PositiveIntegerField(help_text="index in the session's emotion log")
    citation_id = models.CharField(max_length=CITATION_ID_LENGTH, unique=True)
    from_emotion = models.CharField(max_length=32, blank=True)
    to_emotion = models.CharField(max_length=32)
    intensity = models.FloatField()
    confidence = models.FloatField()
    at = models.DateTimeField()
    message_id = models.CharField(max_length=ID_LENGTH, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user_id", "session_id", "position"], name="archived_transition_order")
        ]

    def __str__(self) -> str:
        return f"transition {self.position} of session {self.session_id}"


class ArchivedMilestone(models.Model):
    user_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    milestone_id = models.CharField(max_length=ID_LENGTH, unique=True)
    position = models.PositiveIntegerField(help_text="rank in the live sorted set; breaks ties of `at`")
    description = models.TextField()
    emotion = models.CharField(max_length=32, blank=True)
    at = models.DateTimeField()
    message_count = models.PositiveIntegerField(default=0)
    citation_id = models.CharField(max_length=CITATION_ID_LENGTH)

    class Meta:
        indexes = [models.Index(fields=["user_id", "session_id", "at"], name="archived_milestone_order")]

    def __str__(self) -> str:
        return f"milestone {self.milestone_id}"


class ArchivedBreakthrough(models.Model):
    user_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    breakthrough_id = models.CharField(max_length=ID_LENGTH, unique=True)
    position = models.PositiveIntegerField(help_text="rank in the live sorted set; breaks ties of `at`")
    description = models.TextField()
    category = models.CharField(max_length=32)
    confidence = models.FloatField()
    evidence = models.JSONField(default=list, blank=True)
    at = models.DateTimeField()
    citation_id = models.CharField(max_length=CITATION_ID_LENGTH)

    class Meta:
        indexes = [models.Index(fields=["user_id", "session_id", "at"], name="archived_breakthrough_order")]

    def __str__(self) -> str:
        return f"breakthrough {self.breakthrough_id}"


class ArchivedCitation(models.Model):
    citation_id = models.CharField(max_length=CITATION_ID_LENGTH, unique=True)
    user_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    type = models.CharField(max_length=32)
    timestamp = models.DateTimeField()
    event = models.TextField()
    evidence = models.JSONField(default=list, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=16, default="verified")
    version = models.PositiveIntegerField(null=True, blank=True, help_text="note version, for note updates")
    indexed = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["user_id", "timestamp"], name="archived_citation_user"),
            models.Index(fields=["session_id", "timestamp"], name="archived_citation_session"),
            models.Index(fields=["type", "timestamp"], name="archived_citation_type"),
            models.Index(fields=["id"], condition=Q(indexed=False), name="archived_citation_unindexed"),
        ]

    def __str__(self) -> str:
        return self.citation_id


class NoteRevision(models.Model):
    """One saved version of a session's context snapshot (the therapist's working notes).

    ``text_captured`` is False for a version known only from its citation (it was superseded before
    the archiver or the dashboard recorded its text): who saved it and when are still kept.
    """

    user_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    version = models.PositiveIntegerField()
    author = models.CharField(max_length=200, blank=True)
    saved_at = models.DateTimeField()
    fields = models.JSONField(default=dict, blank=True, help_text="context field name -> text")
    text_captured = models.BooleanField(default=False)
    source = models.CharField(max_length=16, help_text="dashboard or archiver")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "session_id", "version"], name="note_revision_key"),
        ]
        ordering = ["user_id", "session_id", "version"]

    def __str__(self) -> str:
        return f"notes v{self.version} of session {self.session_id}"


class QuarantinedEntry(models.Model):
    """A Redis member the archiver could not decode, kept byte-exact so that nothing is destroyed."""

    user_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    kind = models.CharField(max_length=32)
    sha256 = models.CharField(max_length=64)
    raw = models.BinaryField()
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "session_id", "kind", "sha256"], name="quarantined_entry_key"
            ),
        ]
        verbose_name_plural = "quarantined entries"

    def __str__(self) -> str:
        return f"unreadable {self.kind} of session {self.session_id}"


class ArchiverHeartbeat(models.Model):
    """The archiver's last pass, for ``/healthz`` (one row per archiver name)."""

    name = models.CharField(max_length=64, unique=True, default="archiver")
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    sessions = models.PositiveIntegerField(default=0)
    messages = models.PositiveIntegerField(default=0)
    citations = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return self.name
