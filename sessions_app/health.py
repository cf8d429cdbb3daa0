"""Health checks of the stores the product depends on. Each returns a small JSON-ready dict."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection

from sessions_app.errors import StateUnavailable
from sessions_app.redis_conn import get_redis, translate_errors

logger = logging.getLogger(__name__)


def check_redis() -> dict[str, Any]:
    try:
        with translate_errors("health check"):
            client = get_redis()
            client.ping()
            policy = client.config_get("maxmemory-policy").get(b"maxmemory-policy", b"")
            aof = client.config_get("appendonly").get(b"appendonly", b"")
    except StateUnavailable:
        return {"ok": False, "error": "Redis is unreachable"}
    except Exception:  # noqa: BLE001 - CONFIG may be disabled by ACLs; reachability is what counts
        return {"ok": True, "warnings": ["could not read Redis configuration"]}
    warnings = []
    if policy not in (b"noeviction", "noeviction"):
        warnings.append("maxmemory-policy is not noeviction: live records may be evicted")
    if aof not in (b"yes", "yes"):
        warnings.append("appendonly is off: a Redis restart loses live records not yet archived")
    return {"ok": True, "warnings": warnings}


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any driver error means "down"; logged without details
        logger.exception("database health check failed")
        return {"ok": False, "error": "database is unreachable"}
    return {"ok": True}
