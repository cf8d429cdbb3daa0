"""``/healthz`` is public as one word only; details and ``/metrics`` are for operators (this host or the
operator token); degraded states say "degraded" (issue 11, items 9 and 13)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import LazySettings
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from ifemotion.ops import metrics
from ifemotion.settings import redis_cache
from sessions_app.archive.archiver import archiver_from_settings
from tests.redis_server import RedisServer
from tests.sessions_app.archive_support import use_embedded_chroma

pytestmark = [pytest.mark.real_redis, pytest.mark.django_db]
OUTSIDE = {"REMOTE_ADDR": "203.0.113.5"}
TOKEN = "operator-token-for-tests-" + "z" * 20


def _use_redis(settings: LazySettings, url: str) -> None:
    settings.CACHES = {"default": redis_cache(url)}


@pytest.fixture(autouse=True)
def _stores(settings: LazySettings, tmp_path: Path, real_redis_url: str, real_redis: redis.Redis) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")
    _use_redis(settings, real_redis_url)
    settings.ARCHIVE_MARGIN_SECONDS = 3600
    settings.OPERATOR_TOKEN = TOKEN
    settings.SECURE_SSL_REDIRECT = False
    archiver_from_settings().run_pass()


def _health(**extra: str) -> tuple[int, dict[str, Any]]:
    response = Client().get("/healthz", **extra)  # type: ignore[arg-type]
    return response.status_code, response.json()


# ------------------------------------------------------------------------------ who sees what


def test_the_public_sees_the_status_word_only() -> None:
    status, body = _health(**OUTSIDE)
    assert body == {"status": body["status"]}
    assert body["status"] in {"ok", "degraded"}
    assert status == 200


def test_this_host_and_the_operator_token_see_the_details() -> None:
    for extra in ({}, {**OUTSIDE, "HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}):
        _, body = _health(**extra)
        assert {"status", "redis", "database", "chroma", "archiver", "degraded"} <= body.keys()


@pytest.mark.parametrize(
    "extra",
    [
        {**OUTSIDE, "HTTP_AUTHORIZATION": "Bearer wrong"},
        {**OUTSIDE, "HTTP_AUTHORIZATION": f"Bearer {TOKEN}x"},
        # A local peer with a forwarded address nobody configured: an unconfigured proxy, not this host.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"},
    ],
)
def test_anyone_else_sees_the_status_word_only(extra: dict[str, str]) -> None:
    assert set(_health(**extra)[1]) == {"status"}


def test_behind_the_trusted_proxy_an_outside_client_is_not_an_operator(settings: LazySettings) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert set(_health(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")[1]) == {"status"}
    assert "redis" in _health(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")[1]


def test_without_an_operator_token_configured_no_bearer_is_accepted(settings: LazySettings) -> None:
    settings.OPERATOR_TOKEN = ""
    assert set(_health(**OUTSIDE, HTTP_AUTHORIZATION="Bearer ")[1]) == {"status"}


def test_a_failing_store_is_503_for_everyone(settings: LazySettings) -> None:
    settings.ARCHIVE_MARGIN_SECONDS = 60
    from sessions_app.models import ArchiverHeartbeat

    ArchiverHeartbeat.objects.all().delete()
    status, body = _health(**OUTSIDE)
    assert (status, body) == (503, {"status": "failing"})


# ------------------------------------------------------------------------------ degraded states


def _fill(client: redis.Redis) -> None:
    for n in range(10_000):
        client.set(f"filler:{n}", b"x" * 10_000)


@pytest.fixture
def full_redis(tmp_path: Path, settings: LazySettings) -> Iterator[redis.Redis]:
    server = RedisServer(tmp_path / "full-redis").start()
    try:
        _use_redis(settings, server.url)
        client = server.client()
        client.config_set("maxmemory", str(int(client.info("memory")["used_memory"]) + 400_000))
        with pytest.raises(redis.ResponseError, match="maxmemory"):
            _fill(client)
        yield client
    finally:
        server.stop()


def test_redis_at_maxmemory_is_degraded_not_ok(full_redis: redis.Redis) -> None:
    status, body = _health()
    assert status == 200
    assert body["status"] == "degraded"
    assert any("maxmemory" in reason for reason in body["degraded"])
    assert _health(**OUTSIDE)[1] == {"status": "degraded"}


def _immutable(path: Path, on: bool) -> bool:
    chattr = shutil.which("chattr")
    if chattr is None:
        return False
    done = subprocess.run([chattr, "-R", "+i" if on else "-i", str(path)], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.fault
def test_an_unwritable_index_is_degraded(settings: LazySettings) -> None:
    path = Path(settings.CHROMA_PATH)
    assert _health()[1]["status"] == "ok" or "chroma" not in str(_health()[1]["degraded"])
    if not _immutable(path, True):
        pytest.skip("this filesystem cannot make the index directory immutable (chattr +i)")
    try:
        status, body = _health()
    finally:
        _immutable(path, False)
    assert status == 200
    assert body["status"] == "degraded"
    assert any("not writable" in reason for reason in body["degraded"])


# ------------------------------------------------------------------------------ /metrics


def _scrape(**extra: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    response = Client().get("/metrics", **extra)  # type: ignore[arg-type]
    assert response.status_code == 200
    families: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            families.setdefault(sample.name, []).append((sample.labels, sample.value))
    return families


def test_metrics_are_for_operators_only() -> None:
    assert Client().get("/metrics", **OUTSIDE).status_code == 403  # type: ignore[arg-type]
    assert Client().get("/metrics", **OUTSIDE, HTTP_AUTHORIZATION="Bearer nope").status_code == 403  # type: ignore[arg-type]
    assert Client().get("/metrics", **OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200  # type: ignore[arg-type]


def test_metrics_show_what_operators_watch(real_redis: redis.Redis) -> None:
    Client().get("/healthz")
    Client().get("/sessions/")
    found = _scrape()
    for name in (
        "ifemotion_live_sessions",
        "ifemotion_archiver_lag_seconds",
        "ifemotion_index_backlog",
        "ifemotion_redis_used_memory_bytes",
        "ifemotion_redis_maxmemory_bytes",
        "ifemotion_redis_eviction_policy",
        "ifemotion_redis_evicted_keys_total",
        "ifemotion_health_status",
        "ifemotion_request_duration_seconds_count",
    ):
        assert name in found, name
    assert (
        found["ifemotion_redis_eviction_policy"][0][0]["policy"]
        == real_redis.config_get("maxmemory-policy")["maxmemory-policy"]
    )
    views = {labels["view"] for labels, _ in found["ifemotion_request_duration_seconds_count"]}
    assert {"sessions:healthz", "sessions:list"} <= views
    assert found["ifemotion_archiver_lag_seconds"][0][1] < 60


def test_other_apps_register_gauges_and_a_failing_one_is_reported() -> None:
    metrics.register_gauge(
        "ifemotion_test_flags", "test gauge", lambda: {("high",): 2.0, ("low",): 5.0}, labels=("severity",)
    )

    def broken() -> float:
        raise RuntimeError("unreadable")

    metrics.register_gauge("ifemotion_test_broken", "test gauge", broken)
    try:
        found = _scrape()
    finally:
        metrics._GAUGES.pop("ifemotion_test_flags")
        metrics._GAUGES.pop("ifemotion_test_broken")
    assert sorted(found["ifemotion_test_flags"], key=lambda s: s[1]) == [
        ({"severity": "high"}, 2.0),
        ({"severity": "low"}, 5.0),
    ]
    assert ({"metric": "ifemotion_test_broken"}, 1.0) in found["ifemotion_metric_errors"]
    assert "ifemotion_test_broken" not in found


def test_the_sample_alert_rules_use_metrics_that_exist() -> None:
    import re

    import yaml

    rules = yaml.safe_load((Path(__file__).resolve().parents[2] / "deploy/prometheus/alerts.yml").read_text())
    expressions = " ".join(rule["expr"] for group in rules["groups"] for rule in group["rules"])
    Client().get("/healthz")
    found = set(_scrape())
    used = set(re.findall(r"ifemotion_[a-z_]+", expressions))
    assert used
    assert used <= found | {"ifemotion_metric_errors"}
