"""The search indexer's pass: deletions, archived rows, then live messages; and its heartbeat.

``manage.py index_search --loop`` runs it every ``SEARCH_INDEX_INTERVAL_SECONDS`` (``make run`` starts
it; ``deploy/`` runs it as a service), so a message is searchable within seconds of being written.
The archiver still indexes archived rows after each of its passes, for deployments without it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
from django.conf import settings
from django.utils import timezone

from sessions_app.archive.search import chroma, indexer, live
from sessions_app.archive.search.models import IndexerHeartbeat
from sessions_app.errors import StateUnavailable

logger = logging.getLogger(__name__)

HEARTBEAT = "search-indexer"


@dataclass(frozen=True)
class WorkerPass:
    archived: indexer.IndexResult
    live: live.LiveResult | None
    error: str = ""

    @property
    def documents(self) -> int:
        return self.archived.documents + (self.live.documents if self.live else 0)

    def line(self) -> str:
        parts = [f"indexed {self.archived.documents} archived"]
        if self.live is not None:
            parts.append(f"{self.live.documents} live messages of {self.live.sessions} sessions")
        text = ", ".join(parts)
        if self.archived.error or self.error:
            text += f" (search index or live records unavailable: {self.error or self.archived.error})"
        elif self.archived.busy or (self.live is not None and self.live.busy):
            text += " (another process was writing the index; the rest comes next pass)"
        return text


def run_pass(client: redis.Redis, *, wait_seconds: float = 5.0) -> WorkerPass:
    """One indexing pass. Never raises for an unavailable index or Redis: it reports, and the next
    pass catches up (no cursor moves past what the index does not hold)."""
    archived = indexer.index_pending(wait_seconds=wait_seconds)
    result: live.LiveResult | None = None
    error = ""
    try:
        result = live.index_live(client, wait_seconds=wait_seconds)
    except StateUnavailable:
        error = "live records are unavailable (Redis)"
    except chroma.SearchUnavailable as exc:
        error = str(exc)
    outcome = WorkerPass(archived=archived, live=result, error=error)
    IndexerHeartbeat.objects.update_or_create(
        name=HEARTBEAT,
        defaults={
            "last_finished_at": timezone.now(),
            "documents": outcome.documents,
            "error": error or archived.error,
        },
    )
    return outcome


def heartbeat_report(*, now: datetime | None = None) -> dict[str, Any]:
    """How fresh live search results are, for ``/healthz``. A missing or late indexer is a warning
    (search of archived sessions still works), never a failed health check."""
    beat = IndexerHeartbeat.objects.filter(name=HEARTBEAT).first()
    interval = float(settings.SEARCH_INDEX_INTERVAL_SECONDS)
    if beat is None or beat.last_finished_at is None:
        return {"ok": False, "warning": "the search indexer has not run: live messages are not searchable "
                "(run `manage.py index_search --loop`)"}  # fmt: skip
    lag = ((now or timezone.now()) - beat.last_finished_at).total_seconds()
    report: dict[str, Any] = {
        "ok": lag <= max(60.0, 3 * interval) and not beat.error,
        "last_pass": beat.last_finished_at.isoformat(),
        "lag_seconds": round(max(0.0, lag), 1),
    }
    if beat.error:
        report["warning"] = f"the last indexing pass failed: {beat.error}"
    elif not report["ok"]:
        report["warning"] = "the search indexer is late: recent live messages may not be searchable yet"
    return report
