"""The export workflow shared by the download views and the operator command: read, render, audit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest

from exports_app.exporters import Export, export, zip_export
from exports_app.records import ExportContext, load_record
from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction


@dataclass(frozen=True)
class Requester:
    label: str  # shown in the document and the audit log (a username, or "operator:...")
    role: str = ""
    request: HttpRequest | None = None


def new_context(
    requester: Requester, *, seq_from: int | None = None, seq_to: int | None = None
) -> ExportContext:
    return ExportContext(
        requested_by=requester.label,
        generated_at=datetime.now(UTC),
        export_id=str(uuid.uuid4()),
        seq_from=seq_from,
        seq_to=seq_to,
    )


def _audit(
    requester: Requester, client_id: str, session_id: str, detail: dict[str, Any], outcome: str = "ok"
) -> None:
    audit.record(
        AuditAction.EXPORT,
        actor=requester.label,
        role=requester.role,
        request=requester.request,
        outcome=outcome,
        client_id=client_id,
        session_id=session_id,
        detail=detail,
    )


def export_session(
    *,
    requester: Requester,
    client_id: str,
    session_id: str,
    fmt: str,
    archival: bool = False,
    seq_from: int | None = None,
    seq_to: int | None = None,
) -> Export:
    """One session as one file, audited with the file's and the record's SHA-256."""
    record = load_record(client_id, session_id)
    context = new_context(requester, seq_from=seq_from, seq_to=seq_to)
    result = export(record, context, fmt, archival=archival)
    _audit(
        requester,
        client_id,
        session_id,
        {
            "format": "pdf/a-3b" if fmt == "pdf" and archival else fmt,
            "sha256": result.sha256,
            "record_sha256": result.record_sha256,
            "bytes": len(result.content),
            "filename": result.filename,
            "source": record.source,
            "range": [seq_from, seq_to],
            "export_id": context.export_id,
        },
    )
    return result


def audit_refusal(requester: Requester, client_id: str, session_id: str, fmt: str, reason: str) -> None:
    """An export that was refused (too large): audited, without content."""
    _audit(requester, client_id, session_id, {"format": fmt, "reason": reason}, outcome="refused")


def export_sessions_zip(
    *, requester: Requester, client_id: str, session_ids: Sequence[str], formats: Sequence[str]
) -> Export:
    """Several sessions of one client in one ZIP; one audit row per session (one per record access)."""
    context = new_context(requester)
    members: list[tuple[str, Export]] = []
    for session_id in session_ids:
        record = load_record(client_id, session_id)
        for fmt in formats:
            members.append((session_id, export(record, context, fmt)))
    bundle = zip_export(client_id, [member for _, member in members], context)
    for session_id, member in members:
        _audit(
            requester,
            client_id,
            session_id,
            {
                "format": "zip/" + member.filename.rsplit(".", 1)[-1],
                "sha256": bundle.sha256,
                "member": member.filename,
                "member_sha256": member.sha256,
                "record_sha256": member.record_sha256,
                "filename": bundle.filename,
                "export_id": context.export_id,
            },
        )
    return bundle
