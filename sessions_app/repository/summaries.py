"""Archived sessions as rows of a list: the few columns a list shows, filtered in the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from sessions_app.models import ArchivedSession

SUMMARY_COLUMNS = (
    "user_id", "session_id", "status", "last_updated", "message_count",
    "milestone_count", "breakthrough_count", "current_emotion", "emotion_intensity",
)  # fmt: skip


@dataclass(frozen=True)
class ArchivedSessions:
    """A lazy query: nothing is read until one of the methods is called."""

    query: QuerySet[ArchivedSession]

    def count(self) -> int:
        return self.query.count()

    def keys(self) -> set[tuple[str, str]]:
        return set(self.query.values_list("user_id", "session_id"))

    def newest(self, limit: int) -> list[tuple[Any, ...]]:
        """The ``limit`` most recently active, as tuples of ``SUMMARY_COLUMNS``."""
        return list(self.query.order_by("-last_updated", "-id").values_list(*SUMMARY_COLUMNS)[:limit])


def archived_sessions(
    client_ids: Sequence[str],
    *,
    emotion: str = "",
    status: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> ArchivedSessions:
    """The archived sessions of ``client_ids`` (already access-checked) with these filters;
    ``since`` inclusive, ``until`` exclusive, on the last activity."""
    query = ArchivedSession.objects.filter(user_id__in=list(client_ids))
    if emotion:
        query = query.filter(current_emotion=emotion)
    if status:
        query = query.filter(status=status)
    if since is not None:
        query = query.filter(last_updated__gte=since)
    if until is not None:
        query = query.filter(last_updated__lt=until)
    return ArchivedSessions(query)


def archived_client_ids() -> set[str]:
    """Every client id that has an archived session (for operators' tools, never a therapist's list)."""
    return set(ArchivedSession.objects.values_list("user_id", flat=True).distinct())
