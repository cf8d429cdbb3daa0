"""The state layer's behaviour tests, run again against a real 3-master Redis Cluster."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sessions_app.errors import InvalidInput
from sessions_app.state.connection import cluster_client
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.reliability.topologies import LocalCluster
from tests.sessions_app import test_state_validation, test_state_writes

pytestmark = [pytest.mark.real_redis, pytest.mark.fault, pytest.mark.slow]

# Every behaviour test of the writer API that takes (manager, redis_backend) or just (manager).
BEHAVIOURS: list[Callable[..., Any]] = [
    fn
    for module in (test_state_writes,)
    for name, fn in inspect.getmembers(module, inspect.isfunction)
    if name.startswith("test_") and set(inspect.signature(fn).parameters) <= {"manager", "redis_backend"}
]


@pytest.fixture
def cluster(redis_cluster: LocalCluster) -> Iterator[Any]:
    client = cluster_client(redis_cluster.seeds, socket_timeout=2.0, connect_timeout=1.0)
    client.flushall(target_nodes=client.PRIMARIES)
    yield client
    client.flushall(target_nodes=client.PRIMARIES)
    client.close()


class ClusterView:
    """What the behaviour tests ask of ``redis_backend``, answered across all cluster nodes."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def dbsize(self) -> int:
        sizes = self._client.dbsize(target_nodes=self._client.PRIMARIES)
        return int(sum(sizes.values()) if isinstance(sizes, dict) else sizes)


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=[fn.__name__ for fn in BEHAVIOURS])
def test_state_behaviour_holds_on_a_cluster(cluster: Any, behaviour: Callable[..., Any]) -> None:
    manager = ConversationStateManager(cluster)
    params = inspect.signature(behaviour).parameters
    kwargs = {"manager": manager, "redis_backend": ClusterView(cluster)}
    behaviour(**{name: kwargs[name] for name in params})


def test_a_users_sessions_span_one_slot_and_scripts_never_cross_slots(cluster: Any) -> None:
    manager = ConversationStateManager(cluster)
    for user in ("alice", "bob", "carol", "dave"):
        session_id = manager.initialize_session(user, model="haiku")
        for i in range(120):
            manager.append_message(user, session_id, role="user", content=f"{user} {i}")
        keys = SessionKeys.for_session(user, session_id)
        assert len({cluster.keyslot(key) for key in keys.all()}) == 1
        assert manager.read_session(user, session_id).overflow_count == 20
    slots = {
        cluster.keyslot(SessionKeys.for_session(u, "x").metadata) for u in ("alice", "bob", "carol", "dave")
    }
    assert len(slots) > 1  # users really are spread over the cluster


def test_bad_input_is_refused_on_a_cluster(cluster: Any) -> None:
    manager = ConversationStateManager(cluster)
    manager.initialize_session("alice", model="haiku", session_id="s1")
    for _case, call, field in test_state_validation.BAD_WRITES:
        with pytest.raises(InvalidInput) as error:
            call(manager, "s1")
        assert error.value.field == field
    assert manager.read_session("alice", "s1").metadata.message_count == 0
