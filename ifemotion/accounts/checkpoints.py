"""Signed checkpoints of the audit chain's head, kept outside the database.

The hash chain (``audit.verify_chain``) shows an edited row, but whoever holds the database
credentials can drop the append-only triggers, edit a row and recompute every later hash, or delete
the newest rows: the chain still verifies. A checkpoint records the chain's head (last id, its hash,
the number of rows up to it) signed with HMAC-SHA256 under a key that is *not* in the database
(``AUDIT_CHECKPOINT_KEY`` or ``AUDIT_CHECKPOINT_KEY_FILE``), and is appended to a second sink: a file
opened with ``O_APPEND`` (make it append-only with ``chattr +a``) and, with ``AUDIT_CHECKPOINT_SYSLOG``,
syslog, which can forward it off the host. Each checkpoint also carries the previous one's MAC, so a
line removed from the middle of the file shows.

A checkpoint is written at least every ``AUDIT_CHECKPOINT_MINUTES`` and at the day's first request
(``AuditCheckpointMiddleware``; ``manage.py audit_checkpoint`` from a timer covers quiet hours), and
``manage.py verify_audit`` checks the database against them (see ``verify``). Rows newer than the
last checkpoint are covered by the chain only, until the next checkpoint.

Kept apart from the code that writes audit rows (``audit.py``): only the head is read here.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import syslog
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ifemotion.accounts.models import AuditEvent

logger = logging.getLogger("ifemotion.security")
GENESIS = "0" * 64
FORMAT_VERSION = 1
CHECK_EVERY_SECONDS = 30  # how often a process looks at whether a checkpoint is due
TAIL_BYTES = 8192


class CheckpointError(RuntimeError):
    """Checkpoints cannot be written or read (no key, unreadable sink); the message says why."""


def checkpoint_key() -> bytes:
    """The HMAC key: ``AUDIT_CHECKPOINT_KEY``, else the file ``AUDIT_CHECKPOINT_KEY_FILE``.

    Under DEBUG without either, a key file is made under var/ (mode 0600) so ``make run`` works.
    """
    if settings.AUDIT_CHECKPOINT_KEY:
        return settings.AUDIT_CHECKPOINT_KEY.encode()
    path = Path(settings.AUDIT_CHECKPOINT_KEY_FILE) if settings.AUDIT_CHECKPOINT_KEY_FILE else None
    if path is None and settings.DEBUG:
        path = Path(settings.VAR_DIR) / "audit-checkpoint.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as key_file:
                key_file.write(secrets.token_hex(32))
    if path is None:
        raise CheckpointError("no checkpoint key: set AUDIT_CHECKPOINT_KEY_FILE (or AUDIT_CHECKPOINT_KEY)")
    try:
        key = path.read_text().strip()
    except OSError as exc:
        raise CheckpointError(f"cannot read the checkpoint key file {path}: {exc.strerror}") from None
    if len(key) < 32:
        raise CheckpointError("the checkpoint key must be at least 32 characters")
    return key.encode()


def sink_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def sign(fields: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, _canonical(fields), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    at: datetime
    last_id: int
    last_hash: str
    rows: int
    reason: str
    prev_mac: str
    mac: str

    def fields(self) -> dict[str, Any]:
        return {
            "v": FORMAT_VERSION,
            "at": self.at.isoformat(),
            "last_id": self.last_id,
            "last_hash": self.last_hash,
            "rows": self.rows,
            "reason": self.reason,
            "prev_mac": self.prev_mac,
        }

    def line(self) -> str:
        return json.dumps({**self.fields(), "mac": self.mac}, sort_keys=True, separators=(",", ":")) + "\n"

    @classmethod
    def parse(cls, line: str) -> Checkpoint:
        data = json.loads(line)
        return cls(
            at=datetime.fromisoformat(data["at"]),
            last_id=int(data["last_id"]),
            last_hash=str(data["last_hash"]),
            rows=int(data["rows"]),
            reason=str(data["reason"]),
            prev_mac=str(data["prev_mac"]),
            mac=str(data["mac"]),
        )


def _last_line(descriptor: int) -> str | None:
    size = os.fstat(descriptor).st_size
    if size == 0:
        return None
    os.lseek(descriptor, max(0, size - TAIL_BYTES), os.SEEK_SET)
    tail = os.read(descriptor, TAIL_BYTES).decode("utf-8", "replace")
    lines = [line for line in tail.splitlines() if line.strip()]
    return lines[-1] if lines else None


def latest_checkpoint() -> Checkpoint | None:
    path = sink_path()
    if not path.exists():
        return None
    descriptor = os.open(path, os.O_RDONLY)
    try:
        line = _last_line(descriptor)
    finally:
        os.close(descriptor)
    try:
        return Checkpoint.parse(line) if line else None
    except (ValueError, KeyError):
        return None


def _head() -> tuple[int, str, int]:
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    if last is None:
        return 0, GENESIS, 0
    return last[0], last[1], AuditEvent.objects.filter(id__lte=last[0]).count()


def write_checkpoint(reason: str, *, now: datetime | None = None) -> Checkpoint:
    """Sign the chain's current head and append it to the sink (and syslog when configured)."""
    key = checkpoint_key()
    path = sink_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # one writer at a time: prev_mac stays a chain
        previous_line = _last_line(descriptor)
        prev_mac = Checkpoint.parse(previous_line).mac if previous_line else GENESIS
        last_id, last_hash, rows = _head()
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        unsigned = Checkpoint(moment, last_id, last_hash, rows, reason, prev_mac, mac="")
        checkpoint = Checkpoint(**{**unsigned.__dict__, "mac": sign(unsigned.fields(), key)})
        os.write(descriptor, checkpoint.line().encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if settings.AUDIT_CHECKPOINT_SYSLOG:
        syslog.openlog("ifemotion-audit", 0, syslog.LOG_AUTHPRIV)
        syslog.syslog(syslog.LOG_NOTICE, "checkpoint " + checkpoint.line().strip())
    return checkpoint


def checkpoint_due(latest: Checkpoint | None, now: datetime) -> str | None:
    """Why a checkpoint is due now ("first", "day", "interval"), or None."""
    if latest is None:
        return "first"
    if latest.at.astimezone(UTC).date() < now.date():
        return "day"
    if now - latest.at >= timedelta(minutes=settings.AUDIT_CHECKPOINT_MINUTES):
        return "interval"
    return None


_next_look = 0.0


def maybe_checkpoint(*, now: datetime | None = None) -> Checkpoint | None:
    """Write a checkpoint if one is due; cheap when not (a clock comparison, at most a file tail)."""
    global _next_look
    if time.monotonic() < _next_look:
        return None
    _next_look = time.monotonic() + CHECK_EVERY_SECONDS
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    reason = checkpoint_due(latest_checkpoint(), moment)
    return write_checkpoint(reason, now=moment) if reason else None


class AuditCheckpointMiddleware:
    """After a response, write a checkpoint when one is due. Never fails the request itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.AUDIT_CHECKPOINTS_ENABLED:
            try:
                maybe_checkpoint()
            except Exception:  # the key or the sink is missing: say so loudly, keep serving
                logger.exception("could not write an audit checkpoint")
        return response
