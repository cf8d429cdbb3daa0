"""The record an export shows, in canonical form, and its SHA-256.

The hash covers the clinical record, not where it happens to be stored: the message list is the whole
transcript (archive + overflow + live window) and storage details (``messages_in_overflow``,
``session.archived_at``, pending vs archived citations) are left out, so a copy exported from the live
session still verifies after the archiver has moved the session to the database.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, fields, replace
from datetime import datetime
from typing import Any

from exports_app.records import ExportRecord
from sessions_app.domain import Citation, Message, UnreadableEntry
from sessions_app.state import state_to_json

_MESSAGE_FIELDS = tuple(f.name for f in fields(Message))
_CITATION_FIELDS = tuple(f.name for f in fields(Citation))


def record_data(record: ExportRecord) -> dict[str, Any]:
    """The JSON record of the session (``state_to_json`` shape, whole transcript, all citations)."""
    # state_to_json's asdict() deep-copies every value; for thousands of flat messages that is most
    # of an export's time, so messages and citations are converted here, to the same shape.
    data = state_to_json(replace(record.state, messages=(), pending_citations=()))
    data["messages"] = [_flat(m, _MESSAGE_FIELDS) for m in record.transcript]
    data["pending_citations"] = [_flat(c, _CITATION_FIELDS) for c in record.citations]
    full = replace(record.state, messages=record.transcript, pending_citations=record.citations)
    data["unreadable_entries"] = full.unreadable_count
    data.pop("messages_in_overflow", None)
    session = data.get("session")
    if isinstance(session, dict):
        session.pop("archived_at", None)
    data["citations"] = data.pop("pending_citations")
    return data


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_value(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _flat(item: Message | Citation | UnreadableEntry, names: tuple[str, ...]) -> dict[str, Any]:
    """What ``state_to_json`` makes of a list entry, without the deep copy."""
    if isinstance(item, UnreadableEntry):
        return {"unreadable": True, **asdict(item)}
    return {name: _value(getattr(item, name)) for name in names}


def canonical_bytes(data: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same record always gives the same bytes."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def record_sha256(data: dict[str, Any]) -> str:
    return sha256_hex(canonical_bytes(data))
