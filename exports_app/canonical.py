"""The record an export shows, in canonical form, and its SHA-256.

The hash covers the clinical record, not where it happens to be stored: the message list is the whole
transcript (archive + overflow + live window) and storage details (``messages_in_overflow``,
``session.archived_at``, pending vs archived citations) are left out, so a copy exported from the live
session still verifies after the archiver has moved the session to the database. The clinician's note
(``clinical_note``: text, signature, addenda) and decisions on the inferences (``adjudications``) come
from the database and are part of the record: signing a note or adding an addendum changes the hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from exports_app.clinical import decisions_json, note_json
from exports_app.records import ExportRecord
from sessions_app.state.jsonshape import state_to_json


def record_data(record: ExportRecord) -> dict[str, Any]:
    """The JSON record of the session (``state_to_json`` shape, whole transcript, all citations)."""
    data = state_to_json(
        replace(record.state, messages=record.transcript, pending_citations=record.citations)
    )
    data.pop("messages_in_overflow", None)
    session = data.get("session")
    if isinstance(session, dict):
        session.pop("archived_at", None)
    data["citations"] = data.pop("pending_citations")
    data["clinical_note"] = note_json(record.note)
    data["adjudications"] = decisions_json(record.decisions)
    return data


def canonical_bytes(data: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same record always gives the same bytes."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def record_sha256(data: dict[str, Any]) -> str:
    return sha256_hex(canonical_bytes(data))
