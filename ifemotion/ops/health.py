"""Health checks of the stores the product depends on. Each returns a small JSON-ready dict."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from sessions_app.errors import StateNotConfigured, StateUnavailable
from sessions_app.state.connection import get_redis, translate_errors

logger = logging.getLogger(__name__)


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def check_redis() -> dict[str, Any]:
    try:
        with translate_errors("health check"):
            client = get_redis()
            client.ping()
            # CONFIG GET answers str or bytes depending on the client's parser: compare as text.
            raw: dict[Any, Any] = {**client.config_get("maxmemory-policy"), **client.config_get("appendonly")}
            config = {_text(key): _text(value) for key, value in raw.items()}
            policy = config.get("maxmemory-policy", "")
            aof = config.get("appendonly", "")
    except StateNotConfigured:
        return {"ok": False, "error": "no Redis is configured (set REDIS_URL)"}
    except StateUnavailable:
        return {"ok": False, "error": "Redis is unreachable"}
    except Exception:  # CONFIG may be disabled by ACLs; reachability is what counts
        return {"ok": True, "warnings": ["could not read Redis configuration"]}
    warnings = []
    if policy != "noeviction":
        warnings.append("maxmemory-policy is not noeviction: live records may be evicted")
    if aof != "yes":
        warnings.append("appendonly is off: a Redis restart loses live records not yet archived")
    return {"ok": True, "warnings": warnings}


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any driver error means "down"; logged without details
        logger.exception("database health check failed")
        return {"ok": False, "error": "database is unreachable"}
    return {"ok": True}


def check_chroma() -> dict[str, Any]:
    """The search index. Its outage delays search only; archiving to the database goes on."""
    from sessions_app.archive.search import chroma, indexer, worker

    result = chroma.heartbeat()
    try:
        result["index_pending"] = indexer.pending()
        # How fresh live search is: a late or missing indexer is a warning, never a failed check.
        result["search_indexer"] = worker.heartbeat_report()
    except Exception:  # the database check reports database trouble
        logger.warning("could not count rows waiting for the search index")
    return result


def check_archiver(*, now: datetime | None = None) -> dict[str, Any]:
    """Time since the archiver's last completed pass; too long and live records may expire unarchived."""
    from sessions_app.models import ArchiverHeartbeat

    margin = int(settings.ARCHIVE_MARGIN_SECONDS)
    try:
        beat = (
            ArchiverHeartbeat.objects.filter(last_finished_at__isnull=False)
            .order_by("-last_finished_at")
            .first()
        )
    except Exception:  # the database check reports database trouble
        return {"ok": False, "error": "the archiver's status cannot be read"}
    if beat is None or beat.last_finished_at is None:
        return {"ok": False, "error": "the archiver has never completed a pass", "margin_seconds": margin}
    lag = ((now or timezone.now()) - beat.last_finished_at).total_seconds()
    result: dict[str, Any] = {
        "ok": lag <= margin,
        "lag_seconds": round(max(0.0, lag), 1),
        "margin_seconds": margin,
        "last_pass": beat.last_finished_at.isoformat(),
        "last_pass_failures": beat.failures,
    }
    if lag > margin:
        result["error"] = "the archiver is late: live records may expire before they are archived"
    if beat.failures:
        result["warnings"] = [f"{beat.failures} sessions failed to archive in the last pass (see its log)"]
    return result


def health_report() -> tuple[bool, dict[str, Any]]:
    """Every check for ``/healthz``: healthy only when all stores are up and the archiver is on time."""
    checks = {
        "redis": check_redis(),
        "database": check_database(),
        "chroma": check_chroma(),
        "archiver": check_archiver(),
    }
    healthy = all(check["ok"] for check in checks.values())
    return healthy, checks


def warn_about_redis_configuration() -> list[str]:
    """At start-up, say loudly when Redis could evict or lose live records (``/healthz`` says it too)."""
    report = check_redis()
    warnings = list(report.get("warnings", []))
    if not report["ok"]:
        warnings.append(f"{report['error']} at start-up: live records are unavailable until it answers")
    for warning in warnings:
        logger.warning("Redis configuration: %s", warning)
    return warnings
