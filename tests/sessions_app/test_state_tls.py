"""The state layer over TLS (``rediss://``), as managed Redis services require: the connection lane
reads and writes the TLS socket itself (sessions_app/state/wire.py), large replies arrive in many TLS
records, and a connection the server closed is noticed and replaced before use."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from sessions_app.domain import Message
from sessions_app.state import wire
from sessions_app.state.connection import client_from_url
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import REDIS_SERVER, RedisServer, free_port

pytestmark = pytest.mark.real_redis

OPENSSL = shutil.which("openssl")


@pytest.fixture
def tls_url(tmp_path: Path) -> Iterator[str]:
    """A private redis-server with a TLS port and a self-signed certificate the client trusts."""
    if REDIS_SERVER is None or OPENSSL is None:
        pytest.skip("needs redis-server and openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    tls_port = free_port()
    server = RedisServer(
        tmp_path / "redis",
        extra_args=["--tls-port", str(tls_port), "--tls-cert-file", str(cert), "--tls-key-file", str(key),
                    "--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no"],
    )  # fmt: skip
    try:
        server.start()
    except RuntimeError:
        pytest.skip("this redis-server was built without TLS")
    try:
        yield f"rediss://127.0.0.1:{tls_port}/0?ssl_ca_certs={cert}"
    finally:
        server.stop()


@pytest.mark.parametrize("pool", ["plain", "blocking"])
def test_a_session_is_written_and_resumed_over_tls(tls_url: str, pool: str) -> None:
    # "blocking": the pool the product's Django cache gives the state layer (ifemotion/settings.py)
    client = (
        client_from_url(tls_url)
        if pool == "plain"
        else redis.Redis(connection_pool=redis.BlockingConnectionPool.from_url(tls_url, max_connections=4))
    )
    connection = client.connection_pool.get_connection()
    assert isinstance(connection, redis.SSLConnection)
    assert wire.direct_parser(connection) is not None  # the lane's own reads, not redis-py's
    client.connection_pool.release(connection)

    manager = ConversationStateManager(client, window=100)
    session_id = manager.initialize_session("alice", model="haiku")
    for i in range(120):  # 20 leave the window for overflow
        manager.append_message("alice", session_id, role="user", content=f"{i:03d} " + "w" * 3000)
    state = manager.resume_session("alice", session_id)  # about 300 KB in one reply

    contents = [m.content[:3] for m in state.messages if isinstance(m, Message)]
    assert contents == [f"{i:03d}" for i in range(20, 120)]
    assert state.metadata.message_count == 120
    assert state.overflow_count == 20
    client.close()


def test_a_tls_connection_the_server_closed_is_replaced_before_use(tls_url: str) -> None:
    client = client_from_url(tls_url)
    manager = ConversationStateManager(client)
    session_id = manager.initialize_session("alice", model="haiku")
    manager.append_message("alice", session_id, role="user", content="before")

    admin = client_from_url(tls_url)
    assert admin.client_kill_filter(_type="normal", skipme=True) >= 1  # every connection but admin's

    manager.append_message("alice", session_id, role="user", content="after")
    state = manager.resume_session("alice", session_id)
    assert [m.content for m in state.messages if isinstance(m, Message)] == ["before", "after"]
    admin.close()
    client.close()
