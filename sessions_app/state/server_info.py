"""What operators need to know about the live store itself: memory, eviction policy, persistence and
how many sessions are live. Read-only commands (INFO, CONFIG GET, SCARD) through the one Redis seam;
used by ``/healthz`` details and ``/metrics`` (sessions_app/ops)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sessions_app.state.connection import get_redis, translate_errors
from sessions_app.state.keys import GLOBAL_ACTIVE


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class RedisServerInfo:
    used_memory: int
    maxmemory: int  # 0: no limit
    eviction_policy: str  # "" when CONFIG is not allowed (ACL): INFO's value is used then
    evicted_keys: int
    aof_enabled: bool
    aof_last_write_ok: bool
    rdb_last_bgsave_ok: bool
    live_sessions: int

    @property
    def memory_fraction(self) -> float | None:
        return self.used_memory / self.maxmemory if self.maxmemory else None


def read_server_info() -> RedisServerInfo:
    """One snapshot of the server's state; ``StateUnavailable`` when Redis does not answer."""
    with translate_errors("server info"):
        client = get_redis()
        memory: dict[str, Any] = client.info("memory")
        stats: dict[str, Any] = client.info("stats")
        persistence: dict[str, Any] = client.info("persistence")
        live = int(client.scard(GLOBAL_ACTIVE))
    return RedisServerInfo(
        used_memory=int(memory.get("used_memory", 0)),
        maxmemory=int(memory.get("maxmemory", 0)),
        eviction_policy=_text(memory.get("maxmemory_policy", "")),
        evicted_keys=int(stats.get("evicted_keys", 0)),
        aof_enabled=bool(int(persistence.get("aof_enabled", 0))),
        aof_last_write_ok=_text(persistence.get("aof_last_write_status", "ok")) == "ok",
        rdb_last_bgsave_ok=_text(persistence.get("rdb_last_bgsave_status", "ok")) == "ok",
        live_sessions=live,
    )
