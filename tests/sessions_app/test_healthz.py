"""``/healthz``: Redis, the database, ChromaDB and the archiver's lag, 503 when any is wrong."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import time_machine
from django.conf import LazySettings
from django.test import Client
from django.utils import timezone

from ifemotion.ops.health import check_archiver
from ifemotion.settings import redis_cache
from sessions_app.archive.archiver import archiver_from_settings
from sessions_app.archive.search import chroma
from sessions_app.models import ArchiverHeartbeat
from tests.redis_server import free_port
from tests.sessions_app.archive_support import use_embedded_chroma

pytestmark = [pytest.mark.real_redis, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _stores(settings: LazySettings, tmp_path: Path, real_redis_url: str, real_redis: redis.Redis) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")
    settings.CACHES = {"default": redis_cache(real_redis_url)}
    settings.ARCHIVE_MARGIN_SECONDS = 3600


def healthz(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/healthz", secure=True)
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_it_is_healthy_when_every_store_is_up_and_the_archiver_is_on_time(client: Client) -> None:
    archiver_from_settings().run_pass()

    status, body = healthz(client)

    assert status == 200
    assert body["ok"] is True
    assert {"redis", "database", "chroma", "archiver"} <= body.keys()
    assert body["chroma"]["ok"] is True
    assert body["chroma"]["index_pending"] == 0
    assert body["archiver"]["lag_seconds"] < 60
    assert body["archiver"]["margin_seconds"] == 3600
    assert "no-cache" in client.get("/healthz", secure=True)["Cache-Control"]


def test_it_fails_when_the_archiver_never_ran(client: Client) -> None:
    status, body = healthz(client)
    assert status == 503
    assert body["archiver"]["ok"] is False
    assert "never" in body["archiver"]["error"]


def test_it_fails_when_the_archivers_last_pass_is_older_than_the_margin(client: Client) -> None:
    archiver_from_settings().run_pass()
    with time_machine.travel(timezone.now() + timedelta(seconds=3500), tick=False):
        assert healthz(client)[0] == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=3700), tick=False):
        status, body = healthz(client)
    assert status == 503
    assert body["archiver"]["ok"] is False
    assert body["archiver"]["lag_seconds"] >= 3700
    assert "late" in body["archiver"]["error"]
    assert body["redis"]["ok"]
    assert body["database"]["ok"]
    assert body["chroma"]["ok"]


def test_it_fails_when_chroma_is_unreachable(client: Client, settings: LazySettings) -> None:
    archiver_from_settings().run_pass()
    settings.CHROMA_URL = f"http://127.0.0.1:{free_port()}"
    chroma.reset_client()

    status, body = healthz(client)

    assert status == 503
    assert body["chroma"]["ok"] is False
    assert body["redis"]["ok"]
    assert body["archiver"]["ok"]


def test_it_fails_when_redis_is_unreachable(client: Client, settings: LazySettings) -> None:
    archiver_from_settings().run_pass()
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{free_port()}/0")}

    status, body = healthz(client)

    assert status == 503
    assert body["redis"] == {"ok": False, "error": "Redis is unreachable"}


def test_last_pass_failures_are_reported_without_failing_health() -> None:
    now = timezone.now()
    ArchiverHeartbeat.objects.create(name="archiver", last_finished_at=now, failures=2)
    result = check_archiver(now=now + timedelta(seconds=5))
    assert result["ok"] is True
    assert result["lag_seconds"] == 5.0
    assert "2 sessions failed" in result["warnings"][0]


def test_it_names_the_embedding_in_use_and_how_fresh_live_search_is(
    client: Client, settings: LazySettings, real_redis: redis.Redis
) -> None:
    from sessions_app.archive.search import worker

    settings.CHROMA_EMBEDDING = "wordllama"
    archiver_from_settings().run_pass()
    _status, before = healthz(client)
    assert before["chroma"]["embedding"].startswith("wordllama")
    assert before["chroma"]["semantic"] is True
    assert before["chroma"]["search_indexer"]["ok"] is False  # never ran: live messages not searchable
    assert "index_search" in before["chroma"]["search_indexer"]["warning"]

    worker.run_pass(real_redis)
    status, body = healthz(client)

    assert status == 200
    assert body["chroma"]["search_indexer"]["ok"] is True
    assert body["chroma"]["search_indexer"]["lag_seconds"] < 60
    with time_machine.travel(timezone.now() + timedelta(seconds=600), tick=False):
        status, late = healthz(client)
    assert status == 200  # a late indexer is a warning: search of the archive still works
    assert "late" in late["chroma"]["search_indexer"]["warning"]
