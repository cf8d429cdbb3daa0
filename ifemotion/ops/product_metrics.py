"""The product's own gauges for ``/metrics``, registered through ``metrics.register_gauge``."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ifemotion.ops.metrics import register_collector, register_gauge
from ifemotion.ops.status import assess
from sessions_app.state.server_info import read_server_info

STATUSES = ("ok", "degraded", "failing")


def _archiver_lag() -> float:
    from sessions_app.models import ArchiverHeartbeat

    beat = (
        ArchiverHeartbeat.objects.filter(last_finished_at__isnull=False).order_by("-last_finished_at").first()
    )
    if beat is None or beat.last_finished_at is None:
        raise LookupError("the archiver has never completed a pass")
    return max(0.0, (timezone.now() - beat.last_finished_at).total_seconds())


def _archiver_failures() -> float:
    from sessions_app.models import ArchiverHeartbeat

    beat = (
        ArchiverHeartbeat.objects.filter(last_finished_at__isnull=False).order_by("-last_finished_at").first()
    )
    return float(beat.failures if beat else 0)


def _index_backlog() -> float:
    from sessions_app.archive.search import indexer

    return float(indexer.pending())


class RedisCollector(Collector):
    """One INFO round trip for every Redis figure."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("ifemotion_redis_up", "1 when the live store answers")
        try:
            info = read_server_info()
        except Exception:
            up.add_metric([], 0.0)
            yield up
            return
        up.add_metric([], 1.0)
        yield up
        yield GaugeMetricFamily("ifemotion_live_sessions", "Sessions live in Redis", value=info.live_sessions)
        yield GaugeMetricFamily(
            "ifemotion_redis_used_memory_bytes", "Redis used_memory", value=info.used_memory
        )
        yield GaugeMetricFamily(
            "ifemotion_redis_maxmemory_bytes", "Redis maxmemory (0: no limit)", value=info.maxmemory
        )
        policy = GaugeMetricFamily(
            "ifemotion_redis_eviction_policy",
            "Redis maxmemory-policy (1 for the policy in force)",
            labels=["policy"],
        )
        policy.add_metric([info.eviction_policy or "unknown"], 1.0)
        yield policy
        yield CounterMetricFamily(
            "ifemotion_redis_evicted_keys", "Keys Redis evicted", value=info.evicted_keys
        )
        yield GaugeMetricFamily(
            "ifemotion_redis_aof_write_ok",
            "1 unless the last AOF write failed",
            value=float(info.aof_last_write_ok),
        )


class HealthCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        status, _ = assess()
        family = GaugeMetricFamily(
            "ifemotion_health_status", "1 for the current /healthz status", labels=["status"]
        )
        for name in STATUSES:
            family.add_metric([name], 1.0 if name == status else 0.0)
        yield family


_registered = False


def register_product_metrics() -> None:
    """Idempotent: called before each scrape is answered."""
    global _registered
    if _registered:
        return
    _registered = True
    register_gauge(
        "ifemotion_archiver_lag_seconds", "Seconds since the archiver's last completed pass", _archiver_lag
    )
    register_gauge(
        "ifemotion_archiver_margin_seconds",
        "The archiver lag beyond which /healthz fails (ARCHIVE_MARGIN_SECONDS)",
        lambda: float(settings.ARCHIVE_MARGIN_SECONDS),
    )
    register_gauge(
        "ifemotion_archiver_last_pass_failures",
        "Sessions that failed in the archiver's last pass",
        _archiver_failures,
    )
    register_gauge("ifemotion_index_backlog", "Archived rows waiting for the search index", _index_backlog)
    register_collector(RedisCollector())
    register_collector(HealthCollector())
