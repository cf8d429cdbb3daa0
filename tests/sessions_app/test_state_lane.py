"""The connection lane (sessions_app/state/lane.py) against a real Redis: connections are reused,
never leaked, checked like the pool checks them, and never shared across a fork."""

from __future__ import annotations

import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import fakeredis
import pytest
import redis
from redis.connection import Connection
from redis.sentinel import Sentinel, SentinelConnectionPool

from sessions_app.errors import SessionClosed, SessionNotFound
from sessions_app.state.connection import client_from_url
from sessions_app.state.lane import ConnectionLane, call_on, lane_for, pipeline_on, shared_lane
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import RedisServer

pytestmark = pytest.mark.real_redis


def _lane(manager: ConversationStateManager) -> ConnectionLane:
    lane = manager._scripts._lane
    assert lane is not None
    return lane


def test_calls_reuse_one_connection_and_the_pool_gets_every_one_back(real_redis_url: str) -> None:
    client = client_from_url(real_redis_url, max_connections=3)
    pool = client.connection_pool
    assert isinstance(pool, redis.BlockingConnectionPool)
    manager = ConversationStateManager(client)
    session_id = manager.initialize_session("alice", model="haiku")
    closed = manager.initialize_session("alice", model="haiku")
    manager.close_session("alice", closed)

    def work(worker: int) -> None:
        for i in range(60):
            manager.append_message("alice", session_id, role="user", content=f"{worker}-{i}")
            manager.resume_session("alice", session_id)
            with pytest.raises(SessionNotFound):  # an error reply: the connection goes back as it is
                manager.append_message("alice", "no-such-session", role="user", content="x")
            with pytest.raises(SessionClosed):
                manager.append_message("alice", closed, role="user", content="x")

    # Three connections for six threads: a connection kept out of the pool and never given back
    # would starve the others ("No connection available") within a few calls.
    with ThreadPoolExecutor(max_workers=6) as threads:
        list(threads.map(work, range(6)))

    assert manager.read_session("alice", session_id).metadata.message_count == 360
    lane = _lane(manager)
    lane.close()
    assert pool.pool.qsize() == 3  # every connection (or its free slot) is back in the pool
    client.close()


def test_a_connection_given_back_while_a_thread_starts_waiting_in_the_pool_reaches_it(
    real_redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the give-back guards against: the pool's queue still held a connection when the lane
    looked, another thread took it, and a third waits in the queue, which never looks in the lane."""
    client = client_from_url(real_redis_url, max_connections=1, connect_timeout=2.0)
    pool = client.connection_pool
    assert isinstance(pool, redis.BlockingConnectionPool)
    lane = lane_for(client)
    assert lane is not None
    mine = lane.take()  # the only connection
    got: list[Connection] = []
    waiter = threading.Thread(target=lambda: got.append(pool.get_connection()))  # type: ignore[no-untyped-call]
    waiter.start()
    deadline = time.monotonic() + 5
    while not pool.pool.not_empty._waiters and time.monotonic() < deadline:  # CPython's Condition
        time.sleep(0.001)  # until the waiter waits in the queue
    real_empty = pool.pool.empty
    looks: list[bool] = []

    def empty() -> bool:  # the lane's first look sees the queue not yet empty; later looks see it as it is
        looks.append(real_empty())
        return len(looks) > 1 and looks[-1]

    monkeypatch.setattr(pool.pool, "empty", empty)

    lane.give_back(mine)

    waiter.join(timeout=5)
    assert got == [mine]  # the waiter got it at once, not "No connection available" after 2 s
    assert lane._idle == []
    assert looks == [True, True]  # it looked again after keeping the connection
    pool.release(mine)  # type: ignore[no-untyped-call]
    client.close()


def test_an_idle_connection_the_server_closed_is_reconnected_before_use(
    real_redis_url: str, real_redis: redis.Redis
) -> None:
    manager = ConversationStateManager(client_from_url(real_redis_url))
    session_id = manager.initialize_session("alice", model="haiku")
    manager.append_message("alice", session_id, role="user", content="before")
    kept = _lane(manager)._idle[-1]

    # The server closes every normal connection (as a restart or an idle timeout would).
    assert real_redis.client_kill_filter(_type="normal", skipme=True) >= 1

    message = manager.append_message("alice", session_id, role="user", content="after")
    assert message.seq == 2
    assert _lane(manager)._idle[-1] is kept  # the same object, with a fresh socket
    assert manager.read_session("alice", session_id).metadata.message_count == 2


@pytest.mark.fault
@pytest.mark.slow
def test_the_lane_survives_a_server_restart(redis_server: RedisServer) -> None:
    manager = ConversationStateManager(client_from_url(redis_server.url))
    session_id = manager.initialize_session("alice", model="haiku")
    manager.append_message("alice", session_id, role="user", content="before")

    redis_server.restart()

    assert manager.append_message("alice", session_id, role="user", content="after").seq == 2
    assert len(manager.resume_session("alice", session_id).messages) == 2


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_never_uses_the_parents_connection(real_redis_url: str) -> None:
    manager = ConversationStateManager(client_from_url(real_redis_url))
    session_id = manager.initialize_session("alice", model="haiku")
    manager.append_message("alice", session_id, role="user", content="parent")
    parent_connection = _lane(manager)._idle[-1]

    pid = os.fork()
    if pid == 0:  # the child: exit status 0 only if every check holds
        status = 1
        try:
            for i in range(100):
                manager.append_message("alice", session_id, role="user", content=f"child {i}")
            status = 0 if parent_connection not in _lane(manager)._idle else 2
        finally:
            sys.stdout.flush()
            os._exit(status)
    # Meanwhile the parent keeps writing on its own connection: a socket shared with the child
    # would cross the two processes' replies.
    for i in range(100):
        manager.append_message("alice", session_id, role="user", content=f"parent {i}")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert manager.read_session("alice", session_id).metadata.message_count == 201


def test_only_plain_pools_get_a_lane(real_redis_url: str) -> None:
    assert lane_for(client_from_url(real_redis_url)) is not None
    assert lane_for(redis.Redis.from_url(real_redis_url)) is not None
    assert lane_for(redis.Redis.from_url(real_redis_url, single_connection_client=True)) is None
    sentinel_pool = SentinelConnectionPool("mymaster", Sentinel([]))  # type: ignore[no-untyped-call]
    assert lane_for(redis.Redis(connection_pool=sentinel_pool)) is None
    assert lane_for(redis.RedisCluster.__new__(redis.RedisCluster)) is None
    assert lane_for(fakeredis.FakeRedis()) is not None  # a plain pool of fake connections


def test_a_pipeline_reads_every_reply_before_raising_the_first_error(
    real_redis_url: str, real_redis: redis.Redis
) -> None:
    client = client_from_url(real_redis_url)
    lane = lane_for(client)
    assert lane is not None
    real_redis.set("lane-text", "not a number")

    with pytest.raises(redis.ResponseError, match="not an integer"):
        lane.pipeline([("INCR", "lane-count"), ("INCR", "lane-text"), ("SET", "lane-after", "1")])

    # Every command ran and every reply was read: the kept connection answers the next call in step.
    assert real_redis.get("lane-count") == b"1"
    assert real_redis.get("lane-after") == b"1"
    assert len(lane._idle) == 1
    assert lane.pipeline([("INCR", "lane-count"), ("GET", "lane-after")]) == [2, b"1"]
    assert lane.call(("GET", "lane-text")) == b"not a number"
    assert len(lane._idle) == 1
    real_redis.delete("lane-text", "lane-count", "lane-after")


def test_a_broken_connection_is_not_kept(real_redis_url: str, real_redis: redis.Redis) -> None:
    lane = lane_for(client_from_url(real_redis_url, socket_timeout=0.2))
    assert lane is not None
    lane.call(("PING",))
    with pytest.raises(redis.TimeoutError):  # no reply in time: the connection's state is unknown
        lane.call(("BLPOP", "lane-never", 2))
    assert [connection._sock for connection in lane._idle] == [None]  # disconnected before kept
    assert lane.call(("PING",)) == b"PONG"  # on a fresh socket


def test_every_caller_on_one_client_shares_its_lane(real_redis_url: str) -> None:
    client = client_from_url(real_redis_url)
    lane = shared_lane(client)
    assert lane is not None
    assert shared_lane(client) is lane
    assert ConversationStateManager(client)._scripts._lane is lane  # the state layer's scripts too
    assert shared_lane(client_from_url(real_redis_url)) is not lane  # another client, another lane
    assert shared_lane(redis.Redis.from_url(real_redis_url, single_connection_client=True)) is None


@pytest.mark.parametrize("single_connection", [False, True], ids=["lane", "redis-py"])
def test_calls_on_a_client_answer_alike_with_or_without_a_lane(
    real_redis_url: str, real_redis: redis.Redis, single_connection: bool
) -> None:
    client = redis.Redis.from_url(real_redis_url, single_connection_client=single_connection)
    assert (shared_lane(client) is None) is single_connection
    real_redis.set("lane-text", "not a number")

    assert call_on(client, ("RPUSH", "lane-list", b"a")) == 1
    assert pipeline_on(
        client, [("INCR", "lane-count"), ("EXPIRE", "lane-count", 60), ("GET", "lane-text")]
    ) == [
        1,
        1,
        b"not a number",
    ]
    with pytest.raises(redis.ResponseError, match="not an integer"):
        pipeline_on(client, [("INCR", "lane-text"), ("INCR", "lane-count")])
    assert real_redis.get("lane-count") == b"2"  # the command after the error ran too
    assert call_on(client, ("LLEN", "lane-list")) == 1  # and the connection is still in step
    real_redis.delete("lane-text", "lane-count", "lane-list")
