"""Review state in the database: how far each clinician has read each session, holds, digests sent.

A cursor stores positions, not times: the last message seq reviewed and how many milestones,
breakthroughs and emotion changes had been recorded up to there. Live sessions (Redis) and archived
ones (database) keep the same counts, so unread = total - reviewed is the same number from either
store, and the inbox needs nothing but counts. No foreign key to the archive on purpose: sessions are
reviewed while live, long before (or without) their archive rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

ID_LENGTH = 64


class ReviewCursor(models.Model):
    """One clinician's progress through one session of a client."""

    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    seq = models.PositiveIntegerField(default=0, help_text="last message reviewed (0: none)")
    milestones = models.PositiveIntegerField(default=0, help_text="milestones reviewed, in recorded order")
    breakthroughs = models.PositiveIntegerField(default=0)
    emotion_changes = models.PositiveIntegerField(default=0, help_text="entries of the emotion log reviewed")
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinician", "client_id", "session_id"], name="review_cursor_key"
            ),
        ]
        indexes = [models.Index(fields=["client_id", "session_id"], name="review_cursor_session")]

    def __str__(self) -> str:
        return f"session {self.session_id} reviewed to #{self.seq}"


class SessionHold(models.Model):
    """A live session archived on request and verified against the database ("hold for review").

    The counts are what the verification found in both Redis and the database; activity after the
    hold is not covered until the session is held again (or the archiver snapshots it).
    """

    client_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    held_by_name = models.CharField(max_length=150, blank=True)
    held_at = models.DateTimeField(default=timezone.now)
    messages = models.PositiveIntegerField(default=0)
    emotion_changes = models.PositiveIntegerField(default=0)
    milestones = models.PositiveIntegerField(default=0)
    breakthroughs = models.PositiveIntegerField(default=0)
    citations = models.PositiveIntegerField(default=0)
    note_version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_id", "session_id"], name="session_hold_key"),
        ]

    def __str__(self) -> str:
        return f"hold of session {self.session_id} through #{self.messages}"


class DigestDelivery(models.Model):
    """One daily digest email sent to one clinician (a second run on the same day sends nothing)."""

    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinician", "day"], name="digest_delivery_key")]
        verbose_name_plural = "digest deliveries"

    def __str__(self) -> str:
        return f"digest of {self.day}: {self.sessions} sessions"
