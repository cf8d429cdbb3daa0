"""Helpers for the archive tests: build sessions, read the archive back in a comparable form."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis
from django.conf import LazySettings
from pytest_django.fixtures import Settings

import sessions_app.state.members as members
from sessions_app.archive.archiver import Archiver
from sessions_app.archive.search import chroma
from sessions_app.domain import Citation
from sessions_app.models import (
    ArchivedBreakthrough,
    ArchivedCitation,
    ArchivedEmotionTransition,
    ArchivedMessage,
    ArchivedMilestone,
    ArchivedSession,
    NoteRevision,
    QuarantinedEntry,
)
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import free_port

CHROMA = shutil.which("chroma") or str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "chroma")

# Columns that differ between two correct archives of the same data (row ids, times of archiving).
VOLATILE = {
    "id",
    "archived_at",
    "first_archived_at",
    "recorded_at",
    "found_at",
    "indexed",
    "removed_from_live_at",
}
ARCHIVE_MODELS = (
    ArchivedSession,
    ArchivedMessage,
    ArchivedEmotionTransition,
    ArchivedMilestone,
    ArchivedBreakthrough,
    ArchivedCitation,
    NoteRevision,
    QuarantinedEntry,
)


def use_embedded_chroma(settings: LazySettings | Settings, path: Path) -> None:
    settings.CHROMA_URL = ""
    settings.CHROMA_PATH = path
    settings.CHROMA_EMBEDDING = "lexical"
    chroma.reset_client()


def archiver(client: redis.Redis, **overrides: Any) -> Archiver:
    options: dict[str, Any] = {
        "margin_seconds": 3600,
        "delete_closed_after_seconds": 3600,
        "batch_size": 200,
        "lock_seconds": 60,
    }
    options.update(overrides)
    return Archiver(client, **options)


def archive_content() -> dict[str, list[dict[str, Any]]]:
    """Every archive table as sorted plain rows, without the columns that legitimately differ."""
    content = {}
    for model in ARCHIVE_MODELS:
        rows = []
        for row in model.objects.all().values():
            clean = {k: v for k, v in row.items() if k not in VOLATILE}
            rows.append(json.loads(json.dumps(clean, default=str, sort_keys=True)))
        content[model.__name__] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    return content


def wipe_archive() -> None:
    for model in ARCHIVE_MODELS:
        model.objects.all().delete()


def live_citations(client: redis.Redis, user_id: str, session_id: str) -> list[Citation]:
    keys = SessionKeys.for_session(user_id, session_id)
    decoded = members.citations(client.lrange(keys.citations, 0, -1), user_id, session_id)
    return [citation for citation in decoded if isinstance(citation, Citation)]


def fill_session(
    manager: ConversationStateManager,
    user_id: str,
    *,
    messages: int,
    session_id: str | None = None,
    start: int = 1,
) -> str:
    """A session with ``messages`` messages (an emotion every 7th), created if ``session_id`` is None."""
    if session_id is None:
        session_id = manager.initialize_session(user_id, model="haiku")
    for n in range(start, start + messages):
        if n % 7 == 0:
            manager.append_message(
                user_id,
                session_id,
                role="user" if n % 2 else "assistant",
                content=f"message {n}: I feel anxious about work",
                message_id=f"m{n}",
                emotion="anxious" if n % 14 else "exploring",
                intensity=0.5,
                confidence=0.75,
            )
        else:
            manager.append_message(
                user_id,
                session_id,
                role="user" if n % 2 else "assistant",
                content=f"message {n}: talking about sleep and the garden",
                message_id=f"m{n}",
            )
    return session_id


def wait_until_gone(client: redis.Redis, key: str, *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while client.exists(key):
        if time.monotonic() > deadline:
            raise AssertionError(f"{key} did not expire within {timeout} s")
        time.sleep(0.05)


@contextmanager
def chroma_server(directory: Path, port: int | None = None) -> Iterator[str]:
    """A real Chroma server on loopback (``chroma run``), stopped by its PID."""
    port = port or free_port()
    process = subprocess.Popen(
        [CHROMA, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("chroma server did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
