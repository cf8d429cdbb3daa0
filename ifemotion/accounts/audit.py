"""Writing and verifying the audit log. One row per record access, never message content."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest

from ifemotion.accounts.models import AuditEvent

GENESIS = "0" * 64


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _request_id(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    existing = getattr(request, "audit_request_id", None)
    if isinstance(existing, str):
        return existing
    request_id = uuid.uuid4().hex
    request.audit_request_id = request_id  # type: ignore[attr-defined]
    return request_id


def _digest(prev_hash: str, event: AuditEvent) -> str:
    payload = json.dumps(
        {
            "prev": prev_hash,
            "at": event.at.isoformat(),
            "actor": event.actor,
            "role": event.role,
            "action": event.action,
            "outcome": event.outcome,
            "client_id": event.client_id,
            "session_id": event.session_id,
            "ip": event.ip,
            "request_id": event.request_id,
            "detail": event.detail,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record(
    action: str,
    *,
    actor: str,
    role: str = "",
    request: HttpRequest | None = None,
    outcome: str = "ok",
    client_id: str = "",
    session_id: str = "",
    detail: dict[str, Any] | None = None,
    durable: bool = True,
) -> AuditEvent:
    """Append one audit event, chained to the previous one by SHA-256.

    Appends are serialised (a PostgreSQL advisory lock; on SQLite every transaction takes the write
    lock at BEGIN, see settings), so two concurrent events never chain to the same predecessor.
    ``durable=False`` lets PostgreSQL acknowledge the commit before the WAL flush: for per-request
    API audit rows, whose durability then matches the Redis write they record (AOF everysec).
    """
    with transaction.atomic():
        _serialise_appends(durable=durable)
        last = AuditEvent.objects.order_by("-id").only("hash").first()
        event = AuditEvent(
            actor=actor[:150],
            role=role,
            action=action,
            outcome=outcome,
            client_id=client_id[:64],
            session_id=session_id[:64],
            ip=_client_ip(request),
            request_id=_request_id(request),
            detail=detail or {},
            prev_hash=last.hash if last else GENESIS,
        )
        event.hash = _digest(event.prev_hash, event)
        event.save(force_insert=True)
    return event


AUDIT_CHAIN_LOCK = 7_301_942  # an arbitrary constant naming the audit chain's advisory lock


def _serialise_appends(*, durable: bool) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK])
        if not durable:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def verify_chain() -> list[int]:
    """Ids of events whose hash does not match their content or predecessor (empty when intact)."""
    broken: list[int] = []
    previous = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator():
        if event.prev_hash != previous or event.hash != _digest(event.prev_hash, event):
            broken.append(event.id)
        previous = event.hash
    return broken
