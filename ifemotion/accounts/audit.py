"""Writing and verifying the audit log. One row per record access, never message content."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, TypedDict, Unpack

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


class EventContext(TypedDict, total=False):
    """An audit row's columns besides the action, the actor and the role, each optional: the one
    definition the recording functions (here, ``audit_buffer.record`` and the features' own
    ``record``) share."""

    request: HttpRequest | None  # gives the IP and the request id
    outcome: str  # "ok" when absent
    client_id: str
    session_id: str
    detail: dict[str, Any] | None  # never message content or notes


class EventFields(EventContext, total=False):
    role: str  # "" when absent


def record(action: str, *, actor: str, durable: bool = True, **fields: Unpack[EventFields]) -> AuditEvent:
    """Append one audit event, chained to the previous one by SHA-256.

    ``durable=False`` lets PostgreSQL acknowledge the commit before the WAL flush: for per-request
    API audit rows, whose durability then matches the Redis write they record (AOF everysec).
    """
    event = new_event(action, actor=actor, **fields)
    append([event], durable=durable)
    return event


def new_event(action: str, *, actor: str, **fields: Unpack[EventFields]) -> AuditEvent:
    """An audit event, not yet chained or saved (``append`` does both)."""
    request = fields.get("request")
    return AuditEvent(
        actor=actor[:150],
        role=fields.get("role", ""),
        action=action,
        outcome=fields.get("outcome", "ok"),
        client_id=fields.get("client_id", "")[:64],
        session_id=fields.get("session_id", "")[:64],
        ip=_client_ip(request),
        request_id=_request_id(request),
        detail=fields.get("detail") or {},
    )


def append(
    events: list[AuditEvent], *, durable: bool = True, skip_recorded: bool = False
) -> list[AuditEvent]:
    """The one place rows join the chain: each is hashed onto its predecessor and all are inserted in
    one transaction. Returns the events inserted.

    Appends are serialised (a PostgreSQL advisory lock; on SQLite every transaction takes the write
    lock at BEGIN, see settings), so two concurrent appends never chain to the same predecessor.
    ``skip_recorded`` leaves out events whose ``(request_id, action)`` is already in the log, checked
    under that lock: a batch retried after a crash between its commit and its removal from a buffer
    (``audit_buffer``) is never recorded twice.
    """
    with transaction.atomic():
        _serialise_appends(durable=durable)
        if skip_recorded:
            events = _not_yet_recorded(events)
        last = AuditEvent.objects.order_by("-id").only("hash").first()
        previous = last.hash if last else GENESIS
        for event in events:
            event.prev_hash = previous
            event.hash = previous = _digest(previous, event)
        if len(events) == 1:
            events[0].save(force_insert=True)
        elif events:
            _insert_many(events)
    return events


def _insert_many(events: list[AuditEvent]) -> None:
    # One executemany: bulk_create compiles SQL per row and cost more than the rest of a flush.
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, values bound  # nosec B608
        quote(AuditEvent._meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [[f.get_db_prep_save(getattr(e, f.attname), connection) for f in fields] for e in events]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _not_yet_recorded(events: list[AuditEvent]) -> list[AuditEvent]:
    ids = [event.request_id for event in events if event.request_id]
    if not ids:
        return events
    since = min(event.at for event in events)  # `at` is indexed: the lookup stays cheap on a long log
    recorded = set(
        AuditEvent.objects.filter(at__gte=since, request_id__in=ids).values_list("request_id", "action")
    )
    return [event for event in events if (event.request_id, event.action) not in recorded]


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
