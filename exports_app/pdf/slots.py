"""A limit on concurrent PDF renders, per user and overall, across every worker process of a host.

One render can take a minute of a sync worker; without a limit a single therapist with a few tabs
ties up every worker. Each render holds two slots: one of ``PDF_MAX_CONCURRENT_RENDERS_PER_USER`` for
its user and one of ``PDF_MAX_CONCURRENT_RENDERS`` for the host. A slot is an exclusive ``flock`` on a
small file under ``PDF_SLOT_DIR``: the kernel releases it when the holder's file is closed or its
process dies (a killed worker never leaks a slot), and it needs neither Redis nor the database, so
exports of archived sessions keep their limit while Redis is down. When no slot is free the request
is refused at once (``RenderBusy``, answered 429 with ``Retry-After``), never queued on a worker.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django.conf import settings

from exports_app.errors import ExportError


class RenderBusy(ExportError):
    """Every render slot (of this user, or of the host) is taken."""

    def __init__(self, *, per_user: bool) -> None:
        who = "You already have" if per_user else "The server already has"
        super().__init__(
            f"{who} as many PDF exports in progress as it allows. Try again in "
            f"{settings.PDF_BUSY_RETRY_AFTER_SECONDS} seconds, or download Markdown or JSON now."
        )
        self.per_user = per_user
        self.retry_after = int(settings.PDF_BUSY_RETRY_AFTER_SECONDS)


def slot_path(group: str, index: int) -> Path:
    return Path(settings.PDF_SLOT_DIR) / f"{group}-{index}.lock"


def user_group(user_key: str) -> str:
    # A digest, not the username: file names under var/ should not list who exports.
    return "user-" + hashlib.sha256(user_key.encode()).hexdigest()[:24]


def _take_one(group: str, count: int) -> int | None:
    """The descriptor of a free slot of ``group`` (now held), or None when all ``count`` are held."""
    Path(settings.PDF_SLOT_DIR).mkdir(parents=True, exist_ok=True, mode=0o700)
    for index in range(count):
        fd = os.open(slot_path(group, index), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return fd
    return None


@contextmanager
def render_slot(user_key: str) -> Iterator[None]:
    """Hold one per-user and one host-wide slot while the block runs; ``RenderBusy`` if none is free."""
    with ExitStack() as held:
        for group, count, per_user in (
            (user_group(user_key), settings.PDF_MAX_CONCURRENT_RENDERS_PER_USER, True),
            ("host", settings.PDF_MAX_CONCURRENT_RENDERS, False),
        ):
            fd = _take_one(group, count)
            if fd is None:
                raise RenderBusy(per_user=per_user)
            held.callback(os.close, fd)  # closing the file releases the lock
        yield
