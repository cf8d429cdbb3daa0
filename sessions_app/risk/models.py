"""Risk flags and their history, and the per-session cursor of what has been assessed.

A flag is one client message that the detector flagged (at most one flag per message: the HTTP path
and the worker may both assess a message, the unique key keeps one flag). It keeps the matched
sentence and never more of the client's words. Its history (``FlagEvent``) is kept for good: a
resolved or false-positive flag stays, with who changed it, when and why.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from sessions_app.risk.detection.types import CATEGORY_LABELS, Category, Severity

ID_LENGTH = 64
SEVERITY_RANKS = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3}


class FlagState(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"
    FALSE_POSITIVE = "false_positive", "False positive"


UNRESOLVED = (FlagState.OPEN, FlagState.ACKNOWLEDGED)


class FlagSource(models.TextChoices):
    API = "api", "HTTP append"
    WORKER = "worker", "risk worker, live feed"
    ARCHIVE = "archive", "risk worker or backfill, from the archive"


class RiskFlag(models.Model):
    client_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    seq = models.PositiveIntegerField(help_text="sequence number of the flagged message")
    message_id = models.CharField(max_length=ID_LENGTH)
    message_at = models.DateTimeField(help_text="when the client wrote the message")
    category = models.CharField(max_length=32, choices=[(c.value, CATEGORY_LABELS[c]) for c in Category])
    severity = models.CharField(max_length=8, choices=[(s.value, s.value.title()) for s in Severity])
    severity_rank = models.PositiveSmallIntegerField(help_text="3 high, 2 medium, 1 low (for sorting)")
    rule = models.CharField(max_length=64, help_text="id of the rule that matched")
    rules_version = models.CharField(max_length=32)
    excerpt = models.TextField(help_text="the matched sentence, and nothing more of the message")
    span_start = models.PositiveIntegerField(default=0)
    span_end = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=16, choices=FlagSource.choices)
    state = models.CharField(max_length=16, choices=FlagState.choices, default=FlagState.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField(help_text="acknowledge before this time, or the flag escalates")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=150, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="assignees told by email")
    escalated_at = models.DateTimeField(null=True, blank=True, help_text="supervisors told by email")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_id", "session_id", "seq"], name="risk_flag_per_message"),
        ]
        indexes = [
            models.Index(fields=["client_id", "state"], name="risk_flag_client_state"),
            models.Index(fields=["state", "deadline_at"], name="risk_flag_due"),
            models.Index(
                fields=["notified_at"], name="risk_flag_unnotified", condition=models.Q(notified_at=None)
            ),
        ]
        ordering = ["-severity_rank", "raised_at"]

    def __str__(self) -> str:
        return f"{self.severity} flag on message #{self.seq} of {self.client_id}/{self.session_id}"

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(Category(self.category), self.category)

    @property
    def is_unresolved(self) -> bool:
        return self.state in UNRESOLVED


class FlagEvent(models.Model):
    """One transition of a flag, by a named clinician, with the required note (never logged)."""

    flag = models.ForeignKey(RiskFlag, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=150)
    role = models.CharField(max_length=16, blank=True)
    from_state = models.CharField(max_length=16, choices=FlagState.choices)
    to_state = models.CharField(max_length=16, choices=FlagState.choices)
    note = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state} by {self.actor}"


class AssessmentCursor(models.Model):
    """Every message of the session with ``seq <= assessed_through`` has been assessed."""

    client_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    assessed_through = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_id", "session_id"], name="risk_cursor_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}/{self.session_id} assessed through #{self.assessed_through}"
