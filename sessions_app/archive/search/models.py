"""Bookkeeping of the search index. Nothing here is a record: all of it may be lost and rebuilt."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

ID_LENGTH = 64


class LiveCursor(models.Model):
    """The last message of a live session that the live indexer has sent to the index."""

    user_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    seq = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "session_id"], name="search_live_cursor_key"),
        ]

    def __str__(self) -> str:
        return f"live index of session {self.session_id} at message {self.seq}"


class PendingDeletion(models.Model):
    """A session whose records were deleted: its index entries must go too. Kept until the index
    confirmed the deletion, so an index that was down at the time is cleaned when it is back."""

    user_id = models.CharField(max_length=ID_LENGTH)
    session_id = models.CharField(max_length=ID_LENGTH)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "session_id"], name="search_pending_deletion_key"),
        ]

    def __str__(self) -> str:
        return f"remove session {self.session_id} from the index"


class IndexerHeartbeat(models.Model):
    """The search indexer's last pass, for ``/healthz`` (how fresh live search results are)."""

    name = models.CharField(max_length=64, unique=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    documents = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name
