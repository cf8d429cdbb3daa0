"""``manage.py archive_sessions`` and ``manage.py reindex_archive`` as an operator runs them."""

from __future__ import annotations

import io
import os
import re
import signal
import threading
from pathlib import Path

import pytest
import redis
from django.conf import LazySettings
from django.core.management import CommandError, call_command

from ifemotion.settings import redis_cache
from sessions_app.models import ArchivedMessage, ArchiverHeartbeat
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import free_port
from tests.sessions_app.archive_support import fill_session, use_embedded_chroma

pytestmark = [pytest.mark.real_redis, pytest.mark.django_db]

SUMMARY = re.compile(
    r"^archived (\d+) sessions, (\d+) messages, (\d+) citations in \d+\.\d\d s \(indexed (\d+)\)$"
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _stores(settings: LazySettings, tmp_path: Path, real_redis_url: str, real_redis: redis.Redis) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")
    settings.CACHES = {"default": redis_cache(real_redis_url)}
    settings.ARCHIVE_MARGIN_SECONDS = 3600


@pytest.fixture
def manager(real_redis: redis.Redis) -> ConversationStateManager:
    return ConversationStateManager(real_redis, ttl_seconds=600, window=10)


def test_one_pass_ends_with_a_one_line_summary(manager: ConversationStateManager) -> None:
    for user_id in ("alice", "bob"):
        manager.close_session(user_id, fill_session(manager, user_id, messages=15))
    out = io.StringIO()

    call_command("archive_sessions", stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    match = SUMMARY.match(lines[0])
    assert match, lines
    sessions, messages, citations, indexed = map(int, match.groups())
    assert (sessions, messages, citations) == (2, 30, 2 * (1 + 15 + 2 + 1))  # init, msgs, emotions, close
    assert indexed == messages + citations + sessions
    assert ArchiverHeartbeat.objects.get().messages == 30


def test_on_a_terminal_it_shows_progress_and_still_one_summary(
    manager: ConversationStateManager, capsys: pytest.CaptureFixture[str]
) -> None:
    fill_session(manager, "alice", messages=15)
    out = Terminal()

    call_command("archive_sessions", stdout=out)

    assert SUMMARY.match(out.getvalue().strip())
    assert "archiving" in capsys.readouterr().err  # tqdm draws on stderr


def test_running_it_twice_archives_nothing_the_second_time(manager: ConversationStateManager) -> None:
    manager.close_session("alice", fill_session(manager, "alice", messages=15))
    call_command("archive_sessions", stdout=io.StringIO())
    out = io.StringIO()

    call_command("archive_sessions", stdout=out)

    assert out.getvalue().startswith("archived 0 sessions, 0 messages, 0 citations")
    assert ArchivedMessage.objects.count() == 15


def test_with_redis_down_it_fails_loudly(settings: LazySettings) -> None:
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{free_port()}/0")}
    with pytest.raises(CommandError, match="not run"):
        call_command("archive_sessions", stdout=io.StringIO())
    assert not ArchiverHeartbeat.objects.exists()


def test_the_interval_must_be_positive() -> None:
    with pytest.raises(CommandError, match="interval"):
        call_command("archive_sessions", "--loop", "--interval", "0")


def test_as_a_daemon_it_runs_passes_until_sigterm(manager: ConversationStateManager) -> None:
    fill_session(manager, "alice", messages=25)
    out = io.StringIO()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        call_command("archive_sessions", "--loop", "--interval", "0.2", stdout=out)
    finally:
        timer.cancel()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2
    assert all(SUMMARY.match(line) for line in lines)
    assert lines[0].startswith("archived 1 sessions, 25 messages")  # TTL below the margin: snapshot
    assert lines[-1].startswith("archived 0 sessions")


def test_reindex_rebuilds_every_collection(manager: ConversationStateManager) -> None:
    manager.close_session("alice", fill_session(manager, "alice", messages=15))
    call_command("archive_sessions", stdout=io.StringIO())
    out = io.StringIO()

    call_command("reindex_archive", stdout=out)

    assert re.match(r"^reindexed 35 documents in \d+\.\d\d s \(lexical-hash \(LEXICAL", out.getvalue())


def test_reindex_with_the_index_unreachable_fails_loudly(settings: LazySettings) -> None:
    settings.CHROMA_URL = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(CommandError, match="not rebuilt"):
        call_command("reindex_archive", stdout=io.StringIO())
