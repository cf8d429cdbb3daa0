"""Catalogue items E6 (disk full under Redis), E7 (corrupt AOF at restart) and G3 (kill -9 of a Chroma
server while indexing), each against the real server. Long-running: markers ``fault`` and ``slow``."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import LazySettings

from ifemotion.embedded_redis import REDIS_SERVER, RedisServer, free_port
from sessions_app.errors import StateError, StateReadOnly, StateUnavailable
from sessions_app.state.connection import client_from_url
from sessions_app.state.manager import ConversationStateManager

pytestmark = [pytest.mark.fault, pytest.mark.slow]
CHROMA = shutil.which("chroma") or str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "chroma")


def _need_redis() -> None:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")


# ------------------------------------------------------------------------------ E6: disk full


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs (needs root; skipped where mounting is not allowed)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)], capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def test_a_full_disk_under_redis_refuses_writes_clearly_and_keeps_reads(tiny_disk: Path) -> None:
    _need_redis()
    server = RedisServer(tiny_disk / "redis").start()  # AOF everysec, as deploy/redis.conf
    try:
        client = server.client(socket_timeout=5)
        manager = ConversationStateManager(client, window=100)
        session_id = manager.initialize_session("client-ava", model="m")
        refused: StateError | None = None
        stored = 0
        for n in range(5000):
            try:
                manager.append_message(
                    "client-ava", session_id, role="user", content="x" * 2000, message_id=f"m{n}"
                )
                stored += 1
            except StateError as exc:
                refused = exc
                break
        assert refused is not None, "the disk never filled"
        assert isinstance(refused, StateReadOnly)  # "live storage is refusing writes (... disk problem)"
        assert "nothing was written" in str(refused)
        # Reads keep working: everything acknowledged is there.
        state = manager.read_session("client-ava", session_id)
        assert state.metadata.message_count == stored
        info = client.info("persistence")
        assert info["aof_last_write_status"] == "err"
    finally:
        server.stop()


# ------------------------------------------------------------------------------ E7: corrupt AOF at restart


def _filled_server(directory: Path, messages: int) -> tuple[RedisServer, str]:
    server = RedisServer(directory).start()
    manager = ConversationStateManager(server.client(), window=1000)
    session_id = manager.initialize_session("client-ava", model="m")
    for n in range(messages):
        manager.append_message(
            "client-ava", session_id, role="user", content=f"message {n}", message_id=f"m{n}"
        )
    server.stop()  # SIGTERM: the AOF is complete on disk
    return server, session_id


def _incr_aof(directory: Path) -> Path:
    files = sorted((directory / "appendonlydir").glob("*.incr.aof"))
    assert files, "no incremental AOF file"
    return files[-1]


def test_a_truncated_aof_tail_loads_everything_but_the_cut_command(tmp_path: Path) -> None:
    _need_redis()
    directory = tmp_path / "redis"
    server, session_id = _filled_server(directory, 50)
    aof = _incr_aof(directory)
    with aof.open("r+b") as handle:
        handle.truncate(aof.stat().st_size - 7)  # a crash in the middle of the last write
    server.start()  # aof-load-truncated yes (Redis's default): starts, with a warning
    try:
        state = ConversationStateManager(server.client(), window=1000).read_session("client-ava", session_id)
        assert 49 <= state.metadata.message_count <= 50
        assert [getattr(m, "content", None) for m in state.messages][:49] == [
            f"message {n}" for n in range(49)
        ]
        log = (directory / "redis.log").read_text(errors="replace")
        assert "AOF loaded anyway because aof-load-truncated is enabled" in log or "truncated" in log.lower()
    finally:
        server.stop()


def test_a_corrupt_aof_fails_closed_and_the_runbook_repairs_it(tmp_path: Path) -> None:
    _need_redis()
    directory = tmp_path / "redis"
    server, session_id = _filled_server(directory, 50)
    aof = _incr_aof(directory)
    data = bytearray(aof.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 12] = b"\xff#garbage#\xfe"
    aof.write_bytes(bytes(data))

    refused = subprocess.run(
        [
            REDIS_SERVER or "redis-server",
            "--port",
            str(free_port()),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--appendonly",
            "yes",
            "--save",
            "",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert refused.returncode != 0  # Redis refuses to start on a corrupt AOF: nothing half-loaded
    assert "redis-check-aof" in refused.stdout + refused.stderr

    # The app, pointed at the Redis that is not there, fails closed and fast (503 pages, see E1).
    dead = client_from_url(f"redis://127.0.0.1:{free_port()}/0")  # the product's timeouts and retry policy
    started = time.monotonic()
    with pytest.raises(StateUnavailable):
        ConversationStateManager(dead).read_session("client-ava", session_id)
    assert time.monotonic() - started < 3

    # Runbook (README "Reliability"): redis-check-aof --fix truncates at the damage; Redis then starts.
    check = shutil.which("redis-check-aof") or "redis-check-aof"
    manifest = next((directory / "appendonlydir").glob("*.manifest"))
    subprocess.run(
        [check, "--fix", str(manifest)], input="y\n", capture_output=True, text=True, timeout=60, check=True
    )
    server.start()
    try:
        state = ConversationStateManager(server.client(), window=1000).read_session("client-ava", session_id)
        assert 0 < state.metadata.message_count < 50  # the prefix before the damage
    finally:
        server.stop()


# ------------------------------------------------------------------------------ G3: kill -9 of Chroma


def _start_chroma(directory: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [CHROMA, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chroma server did not start") from None
            time.sleep(0.1)


@pytest.mark.django_db
@pytest.mark.real_redis
def test_killing_the_chroma_server_mid_index_loses_nothing(
    real_redis: redis.Redis, settings: LazySettings, tmp_path: Path
) -> None:
    from sessions_app.archive.search import chroma, indexer
    from sessions_app.models import ArchivedMessage
    from tests.sessions_app.archive_support import archiver, fill_session

    if not Path(CHROMA).exists():
        pytest.skip("the chroma command is not installed")
    manager = ConversationStateManager(real_redis, ttl_seconds=3600, window=100)
    for n in range(25):  # 5,000 messages: above the ~1,000-document threshold of chroma issue #7090
        session_id = fill_session(manager, f"client-{n:02d}", messages=200)
        manager.close_session(f"client-{n:02d}", session_id)
    assert archiver(real_redis, index=False, batch_size=1000).run_pass().failures == 0
    total = ArchivedMessage.objects.count()
    assert total == 5000

    port = free_port()
    settings.CHROMA_URL = f"http://127.0.0.1:{port}"
    settings.CHROMA_EMBEDDING = "lexical"
    settings.CHROMA_TIMEOUT_SECONDS = 30
    chroma.reset_client()
    server = _start_chroma(tmp_path / "chroma", port)
    sent = 0

    def kill_midway(batch: int) -> None:
        nonlocal sent
        sent += batch
        if sent >= 2000 and server.poll() is None:
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)

    try:
        interrupted = indexer.index_pending(progress=kill_midway)
        assert interrupted.error  # the index went away: said, not raised
        assert interrupted.pending > 0
        assert ArchivedMessage.objects.count() == total  # the record of truth is untouched

        server = _start_chroma(tmp_path / "chroma", port)  # restart on the same data
        chroma.reset_client()
        # The archiver's next passes catch up (a restarted server may first be slow to answer while it
        # replays its log on this shared 2-core machine): each pass sends what is still pending.
        for _ in range(6):
            resumed = indexer.index_pending()
            if resumed.error == "":
                break
            time.sleep(5)
        assert resumed.error == ""
        assert resumed.pending == 0
        assert chroma.count(chroma.MESSAGES) == total
        hits = chroma.query(chroma.MESSAGES, "sleep and the garden", where={"user_id": "client-07"}, limit=5)
        assert hits
        assert server.poll() is None  # still running after the queries: no crash on the recovered data
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=15)
        chroma.reset_client()
