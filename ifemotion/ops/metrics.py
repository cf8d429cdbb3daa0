"""Prometheus metrics (``/metrics``, operators only): what an operator needs to see trouble coming.

Gauges are read when Prometheus scrapes (one scrape = a few cheap reads): live sessions, the
archiver's lag and last-pass failures, the search-index backlog, Redis memory, maxmemory, eviction
policy and evicted keys, and the health status. Request latency is a histogram per Django view,
method and status class, observed by ``RequestMetricsMiddleware``.

Other apps add their own figures through one registration point, at import time (e.g. in their
``AppConfig.ready``)::

    from ifemotion.ops.metrics import register_gauge
    register_gauge("ifemotion_risk_flags_open", "Open risk flags by severity",
                   lambda: {("high",): 3.0, ("low",): 7.0}, labels=("severity",))

``read`` returns a number, or a mapping of label values to numbers; if it raises, that scrape leaves
the gauge out and sets ``ifemotion_metric_errors{metric=...}`` (a failing reader never breaks /metrics).

With several gunicorn workers, set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory, cleared at each
start; ``deploy/gunicorn.conf.py`` does) so that every worker's request histogram is summed.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

Reading = float | Mapping[tuple[str, ...], float]
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

# In multiprocess mode each worker writes its samples to PROMETHEUS_MULTIPROC_DIR; otherwise the
# histogram lives in this process's registry.
_LOCAL = CollectorRegistry(auto_describe=True)
REQUEST_SECONDS = Histogram(
    "ifemotion_request_duration_seconds",
    "Time to answer a request, by Django view (URL name), method and status class",
    ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
    registry=None if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else _LOCAL,
)


@dataclass(frozen=True)
class _Gauge:
    name: str
    documentation: str
    read: Callable[[], Reading]
    labels: tuple[str, ...]


_GAUGES: dict[str, _Gauge] = {}
_COLLECTORS: list[Collector] = []


def register_gauge(
    name: str, documentation: str, read: Callable[[], Reading], *, labels: Sequence[str] = ()
) -> None:
    """Add a gauge read at every scrape (registering the same name again replaces it)."""
    _GAUGES[name] = _Gauge(name, documentation, read, tuple(labels))


def register_collector(collector: Collector) -> None:
    """Add any prometheus_client collector (for counters, histograms or several metrics at once)."""
    _COLLECTORS.append(collector)


def _family(gauge: _Gauge, value: Reading) -> Metric:
    family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=list(gauge.labels) or None)
    if isinstance(value, Mapping):
        for label_values, number in value.items():
            family.add_metric(list(label_values), float(number))
    else:
        family.add_metric([], float(value))
    return family


class _RegisteredGauges(Collector):
    def collect(self) -> Iterator[Metric]:
        errors = GaugeMetricFamily(
            "ifemotion_metric_errors", "1 when a metric could not be read in this scrape", labels=["metric"]
        )
        for gauge in list(_GAUGES.values()):
            try:
                yield _family(gauge, gauge.read())
            except Exception:  # one failing reader must not break the others
                logger.warning("metric %s could not be read", gauge.name)
                errors.add_metric([gauge.name], 1.0)
        for collector in list(_COLLECTORS):
            try:
                yield from collector.collect()
            except Exception:
                logger.warning("collector %s failed", type(collector).__name__)
                errors.add_metric([type(collector).__name__], 1.0)
        yield errors


def exposition() -> tuple[bytes, str]:
    """The text to answer a scrape with, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST

    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(_LOCAL))
    registry.register(_RegisteredGauges())
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Forward(Collector):
    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        yield from self.source.collect()


class RequestMetricsMiddleware:
    """Observes every request's duration under its view's URL name (a bounded set of labels)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        view = (match.view_name or "unnamed") if match else "unmatched"
        REQUEST_SECONDS.labels(view, request.method or "", f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response


__all__ = ["CounterMetricFamily", "GaugeMetricFamily", "register_collector", "register_gauge"]
