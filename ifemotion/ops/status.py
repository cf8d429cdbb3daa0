"""The product's health in one word, with the reasons: ``ok``, ``degraded`` or ``failing``.

failing (HTTP 503): a check of ``ifemotion.ops.health`` fails: Redis or the database unreachable, the
search index unreachable, or the archiver late (live records could expire before they are archived).
degraded (HTTP 200, as the health-check draft's "warn"): everything answers, but something needs an
operator soon: Redis near or at maxmemory (writes refused), an eviction policy other than noeviction,
evicted keys, AOF off or failing to write, the search index not writable, rows waiting for the index,
sessions that failed in the archiver's last pass.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from ifemotion.ops.health import health_report
from sessions_app.errors import StateUnavailable
from sessions_app.state.server_info import read_server_info

logger = logging.getLogger(__name__)
MEMORY_WARN_FRACTION = 0.9


def redis_memory_problems() -> tuple[dict[str, Any], list[str]]:
    try:
        info = read_server_info()
    except StateUnavailable:
        return {}, []  # the health report already says Redis is unreachable
    except Exception:  # INFO refused (ACLs) or a cluster client: not a health failure by itself
        logger.warning("could not read Redis INFO for the health details")
        return {}, ["could not read Redis memory and persistence figures"]
    details = {
        "used_memory": info.used_memory,
        "maxmemory": info.maxmemory,
        "maxmemory_policy": info.eviction_policy,
        "evicted_keys": info.evicted_keys,
        "live_sessions": info.live_sessions,
    }
    problems = []
    fraction = info.memory_fraction
    if fraction is not None and fraction >= 1.0:
        problems.append("Redis is at maxmemory: live writes are refused until the archiver frees memory")
    elif fraction is not None and fraction >= MEMORY_WARN_FRACTION:
        problems.append(f"Redis uses {fraction:.0%} of maxmemory")
    if info.evicted_keys:
        problems.append(f"Redis has evicted {info.evicted_keys} keys: live records were lost")
    if info.aof_enabled and not info.aof_last_write_ok:
        problems.append("Redis cannot write its append-only file (disk full?)")
    if not info.rdb_last_bgsave_ok:
        problems.append("Redis's last snapshot failed (disk full?)")
    return details, problems


def index_write_problem() -> str | None:
    """The embedded index directory must accept writes (a server's storage is checked by the server)."""
    if settings.CHROMA_URL:
        return None
    path = Path(settings.CHROMA_PATH)
    if not path.exists():
        return None  # created by the archiver's first pass
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".health-", delete=True):
            pass
        for database in path.glob("*.sqlite3"):
            with database.open("ab"):
                pass
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else type(exc).__name__
        return f"the search index directory is not writable ({reason})"
    return None


def audit_checkpoint_problem() -> str | None:
    from ifemotion.accounts.checkpoints import latest_checkpoint

    if not settings.AUDIT_CHECKPOINTS_ENABLED:
        return "signed audit checkpoints are off (set AUDIT_CHECKPOINT_KEY_FILE)"
    try:
        latest = latest_checkpoint()
    except OSError:
        return "the audit checkpoint file cannot be read"
    if latest is None:
        return None  # the first request writes the first one
    overdue = timezone.now() - latest.at > timedelta(minutes=3 * settings.AUDIT_CHECKPOINT_MINUTES)
    return "the last audit checkpoint is overdue (see the log: key or file missing?)" if overdue else None


def assess() -> tuple[str, dict[str, Any]]:
    """``(status, details)``; details are for operators only."""
    healthy, checks = health_report()
    problems: list[str] = []
    for name, check in checks.items():
        problems += [f"{name}: {warning}" for warning in check.get("warnings", [])]
    memory, memory_problems = redis_memory_problems()
    if memory:
        checks["redis"]["memory"] = memory
    problems += [f"redis: {problem}" for problem in memory_problems]
    index_problem = index_write_problem()
    if index_problem:
        checks["chroma"]["writable"] = False
        problems.append(f"chroma: {index_problem}")
    pending = checks["chroma"].get("index_pending")
    if isinstance(pending, int) and pending > 0:
        problems.append(f"chroma: {pending} archived rows are waiting for the search index")
    audit_problem = audit_checkpoint_problem()
    if audit_problem:
        problems.append(f"audit: {audit_problem}")
    status = "failing" if not healthy else ("degraded" if problems else "ok")
    return status, {"status": status, "ok": healthy, "degraded": problems, **checks}
