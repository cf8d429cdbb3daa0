"""Checking an exported file against the record of truth (``manage.py verify_export FILE``).

Every export carries the SHA-256 of the canonical JSON of the record it shows. A JSON export (and a
PDF/A export, which has the JSON attached) carries the record itself, so its content can be proven;
for Markdown and plain PDF the audit log (which stores the SHA-256 of every file handed out) proves
the file is unmodified, and the record hash says whether the session changed since.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from exports_app.canonical import record_sha256, sha256_hex
from exports_app.exporters import EXPORT_FORMAT_NAME


class Outcome(IntEnum):
    """Exit codes of ``verify_export``."""

    MATCH = 0
    MISMATCH = 1
    CHANGED_SINCE_EXPORT = 2
    CANNOT_VERIFY = 3


@dataclass(frozen=True)
class Claim:
    """What a file says about itself."""

    kind: str  # "json" | "pdf" | "md"
    client_id: str
    session_id: str
    record_sha256: str
    record: dict[str, Any] | None  # the embedded record (JSON, PDF/A), else None
    file_sha256: str


@dataclass(frozen=True)
class Issued:
    """An audit event that handed out a file with this SHA-256."""

    event_id: int
    at: str
    actor: str


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    message: str


class NotAnExport(ValueError):
    """The file is not an IF.emotion export (or its integrity fields are missing)."""


_HEX = re.compile(r"[0-9a-f]{64}")
_MD_FIELD = re.compile(r"^\*\*(Client|Session ID|Record SHA-256):\*\* `?([^`\\\n]*)`?\\?$", re.MULTILINE)


def _json_claim(data: Any, file_sha: str, kind: str) -> Claim:
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT_NAME:
        raise NotAnExport("this JSON file is not an IF.emotion session export")
    record = data.get("record")
    digest = data.get("record_sha256")
    if not isinstance(record, dict) or not isinstance(digest, str) or not _HEX.fullmatch(digest):
        raise NotAnExport("the export has no record or no record SHA-256")
    return Claim(
        kind, str(data.get("client_id", "")), str(data.get("session_id", "")), digest, record, file_sha
    )


def _pdf_claim(content: bytes, file_sha: str) -> Claim:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    meta: dict[str, Any] = dict(reader.metadata or {})
    digest = str(meta.get("/ifemotionrecordsha256", ""))
    if not _HEX.fullmatch(digest):
        raise NotAnExport("this PDF carries no IF.emotion record SHA-256")
    for name, payloads in reader.attachments.items():
        if name.endswith(".json") and payloads:
            claim = _json_claim(json.loads(payloads[0]), file_sha, "pdf")
            if claim.record_sha256 != digest:
                raise NotAnExport("the PDF's record SHA-256 and its attached JSON disagree")
            return claim
    client = str(meta.get("/ifemotionclientid", ""))
    session = str(meta.get("/ifemotionsessionid", ""))
    return Claim("pdf", client, session, digest, None, file_sha)


def _md_claim(text: str, file_sha: str) -> Claim:
    found: dict[str, list[str]] = {}
    for label, value in _MD_FIELD.findall(text):
        found.setdefault(label, []).append(value.strip())
    values = {label: found.get(label, []) for label in ("Client", "Session ID", "Record SHA-256")}
    if any(len(v) != 1 for v in values.values()) or not _HEX.fullmatch(values["Record SHA-256"][0]):
        raise NotAnExport("this Markdown file has no (or more than one) IF.emotion integrity header")
    # The Markdown escapes nothing in ids (they are [A-Za-z0-9_-]), so the values are the ids.
    return Claim(
        "md", values["Client"][0], values["Session ID"][0], values["Record SHA-256"][0], None, file_sha
    )


def read_claim(content: bytes) -> Claim:
    file_sha = sha256_hex(content)
    if content.startswith(b"%PDF-"):
        return _pdf_claim(content, file_sha)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotAnExport("the file is neither a PDF nor UTF-8 text") from exc
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise NotAnExport("the file is not valid JSON") from exc
        return _json_claim(data, file_sha, "json")
    return _md_claim(text, file_sha)


def _messages_by_seq(record: dict[str, Any]) -> dict[int, Any]:
    messages = record.get("messages")
    if not isinstance(messages, list):
        return {}
    return {m["seq"]: m for m in messages if isinstance(m, dict) and isinstance(m.get("seq"), int)}


def judge(claim: Claim, current: dict[str, Any] | None, issued: Issued | None) -> Verdict:
    """Compare a file's claim with the current record and the audit log."""
    if claim.record is not None and record_sha256(claim.record) != claim.record_sha256:
        return Verdict(
            Outcome.MISMATCH,
            "MISMATCH: the record inside this file does not match its own SHA-256: the file was altered.",
        )
    if current is None:
        return Verdict(
            Outcome.CANNOT_VERIFY,
            f"CANNOT VERIFY: session {claim.session_id} of client {claim.client_id} "
            "is neither live nor archived.",
        )
    current_sha = record_sha256(current)
    issued_note = (
        f" The file itself was issued to {issued.actor} at {issued.at} (audit event {issued.event_id})."
        if issued
        else ""
    )
    if claim.record is None and issued is None:
        return Verdict(
            Outcome.MISMATCH,
            "MISMATCH: this file's SHA-256 is not in the audit log, so it is not a file this server issued "
            "(it may have been edited); only a JSON or PDF/A export can be checked without the audit log.",
        )
    if current_sha == claim.record_sha256:
        return Verdict(
            Outcome.MATCH, f"MATCH: the file shows the current record (SHA-256 {current_sha}).{issued_note}"
        )
    if claim.record is not None:
        exported, now = _messages_by_seq(claim.record), _messages_by_seq(current)
        for seq in sorted(exported):
            if now.get(seq) != exported[seq]:
                return Verdict(
                    Outcome.MISMATCH,
                    f"MISMATCH: message {seq} in this file differs from the archived record.",
                )
        newer = len(set(now) - set(exported))
        return Verdict(
            Outcome.CHANGED_SINCE_EXPORT,
            f"RECORD CHANGED SINCE EXPORT: every exported message matches the record, which has since "
            f"changed ({newer} newer messages; current SHA-256 {current_sha}).{issued_note}",
        )
    return Verdict(
        Outcome.CHANGED_SINCE_EXPORT,
        f"RECORD CHANGED SINCE EXPORT: the file is unmodified, but the session has changed since it was "
        f"exported (current record SHA-256 {current_sha}).{issued_note}",
    )
