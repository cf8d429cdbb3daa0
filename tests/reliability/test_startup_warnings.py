"""The app warns at start-up when Redis could evict or lose live records."""

from __future__ import annotations

import logging

import pytest

from ifemotion.ops import health
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.real_redis]


def test_it_warns_about_an_eviction_policy_and_no_aof(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from pathlib import Path

    server = RedisServer(
        Path(str(tmp_path)) / "redis", extra_args=["--maxmemory-policy", "volatile-lru", "--appendonly", "no"]
    ).start()
    try:
        monkeypatch.setattr(health, "get_redis", server.client)
        with caplog.at_level(logging.WARNING):
            warnings = health.warn_about_redis_configuration()
    finally:
        server.stop()
    assert any("noeviction" in w for w in warnings)
    assert any("appendonly" in w for w in warnings)
    assert "maxmemory-policy is not noeviction" in caplog.text


def test_it_is_quiet_with_noeviction_and_aof(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "get_redis", redis_server.client)
    assert health.warn_about_redis_configuration() == []
