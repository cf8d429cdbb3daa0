from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.redis_server import REDIS_SERVER
from tests.reliability.topologies import REDIS_CLI, LocalCluster, LocalSentinel


@pytest.fixture(scope="module")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    if REDIS_SERVER is None or REDIS_CLI is None:
        pytest.skip("redis-server and redis-cli are needed for a local Redis Cluster")
    cluster = LocalCluster(tmp_path_factory.mktemp("cluster"))
    try:  # stop() also covers nodes started before a failed start()
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture
def redis_sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSentinel]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is needed for a local Sentinel setup")
    topology = LocalSentinel(tmp_path_factory.mktemp("sentinel"))
    try:
        yield topology.start()
    finally:
        topology.stop()


@pytest.fixture(scope="module")
def shared_sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSentinel]:
    """One Sentinel topology for a module's tests that do not fail it over."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is needed for a local Sentinel setup")
    topology = LocalSentinel(tmp_path_factory.mktemp("sentinel-shared"))
    try:
        yield topology.start()
    finally:
        topology.stop()
