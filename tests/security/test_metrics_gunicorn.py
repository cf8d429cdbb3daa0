"""``/metrics`` under gunicorn with several workers (deploy/gunicorn.conf.py): every scrape, whichever
worker answers it, counts every request of every worker."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.security.production import Gunicorn, prepare_site, site_env

pytestmark = [pytest.mark.slow, pytest.mark.real_redis]


@pytest.fixture
def app(tmp_path: Path, real_redis_url: str) -> Iterator[Gunicorn]:
    env = site_env(tmp_path / "var", real_redis_url, SECURE_SSL_REDIRECT="0")
    prepare_site(env, {})
    server = Gunicorn(env, workers=2).start()
    try:
        yield server
    finally:
        server.stop()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback test server
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_every_scrape_counts_the_requests_of_every_worker(app: Gunicorn) -> None:
    for _ in range(20):
        assert _get(f"{app.url}/healthz")[0] in (200, 503)
    for _ in range(4):
        status, body = _get(f"{app.url}/metrics")
        assert status == 200
        counts = [
            sample.value
            for family in text_string_to_metric_families(body.decode())
            for sample in family.samples
            if sample.name == "ifemotion_request_duration_seconds_count"
            and sample.labels["view"] == "sessions:healthz"
        ]
        assert sum(counts) == 20
