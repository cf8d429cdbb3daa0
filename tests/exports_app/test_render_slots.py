"""Concurrent PDF renders are limited per user and per host; beyond that 429 with Retry-After, at once
(issue 11, item 11). Slots are held by another process here, as another gunicorn worker would."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.urls import reverse
from pytest_django.fixtures import Settings

from exports_app.pdf.slots import slot_path, user_group
from ifemotion.accounts.models import AuditEvent, User
from sessions_app.state.manager import ConversationStateManager
from tests.exports_app.conftest import CLIENT, seed
from tests.support import login

pytestmark = pytest.mark.django_db

HOLDER = """
import fcntl, os, sys, time
fds = []
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    fds.append(fd)
print("held", flush=True)
sys.stdin.readline()
"""


@pytest.fixture(autouse=True)
def _slots(settings: Settings, tmp_path: Path) -> None:
    settings.PDF_SLOT_DIR = tmp_path / "slots"
    settings.PDF_MAX_CONCURRENT_RENDERS = 2
    settings.PDF_MAX_CONCURRENT_RENDERS_PER_USER = 1
    settings.PDF_BUSY_RETRY_AFTER_SECONDS = 17
    (tmp_path / "slots").mkdir()


@contextmanager
def held(*paths: Path) -> Iterator[None]:
    """Another process holds these slots (as a worker rendering a PDF would) until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, *map(str, paths)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "held"
        yield
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=10)


def _pdf(user: User, session_id: str) -> object:
    return login(user).get(reverse("exports:pdf", args=[CLIENT, session_id]))


def test_a_second_render_of_the_same_user_is_429_with_retry_after(
    fake_manager: ConversationStateManager, carmen: User
) -> None:
    session_id = seed(fake_manager, CLIENT, ["hello", "hi"])
    with held(slot_path(user_group(str(carmen.pk)), 0)):
        busy = _pdf(carmen, session_id)
        assert busy.status_code == 429  # type: ignore[attr-defined]
        assert busy["Retry-After"] == "17"  # type: ignore[index]
        assert "Too many PDF exports" in busy.content.decode()  # type: ignore[attr-defined]
        # Markdown and JSON need no render slot.
        md = login(carmen).get(reverse("exports:markdown", args=[CLIENT, session_id]))
        assert md.status_code == 200
    assert AuditEvent.objects.filter(action="export", outcome="refused", detail__reason="busy").exists()
    assert _pdf(carmen, session_id).status_code == 200  # type: ignore[attr-defined]  # released by the exit


def test_the_host_limit_applies_across_users(
    fake_manager: ConversationStateManager, carmen: User, alice: User
) -> None:
    session_id = seed(fake_manager, CLIENT, ["hello", "hi"])
    with held(slot_path("host", 0), slot_path("host", 1)):
        assert _pdf(alice, session_id).status_code == 429  # type: ignore[attr-defined]
    with held(slot_path("host", 0)):
        assert _pdf(alice, session_id).status_code == 200  # type: ignore[attr-defined]


def test_a_zip_with_pdfs_needs_a_slot_too(fake_manager: ConversationStateManager, carmen: User) -> None:
    session_id = seed(fake_manager, CLIENT, ["hello", "hi"])
    url = reverse("exports:zip", args=[CLIENT]) + f"?session={session_id}&format=pdf"
    with held(slot_path(user_group(str(carmen.pk)), 0)):
        assert login(carmen).get(url).status_code == 429
        assert login(carmen).get(url.replace("format=pdf", "format=md")).status_code == 200


def test_a_killed_holder_frees_its_slot(fake_manager: ConversationStateManager, carmen: User) -> None:
    session_id = seed(fake_manager, CLIENT, ["hello", "hi"])
    path = slot_path(user_group(str(carmen.pk)), 0)
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    assert _pdf(carmen, session_id).status_code == 429  # type: ignore[attr-defined]
    process.kill()
    process.wait(timeout=10)
    assert _pdf(carmen, session_id).status_code == 200  # type: ignore[attr-defined]
