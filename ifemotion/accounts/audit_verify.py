"""``verify_audit``: the audit log against its hash chain and its signed checkpoints.

Finds: an edited row (the chain breaks); an edited row whose later hashes were recomputed (a
checkpoint's head hash no longer matches); rows deleted from the middle or the newest rows deleted,
up to the last checkpoint (a checkpoint's head row is gone, or fewer rows lead up to it); the whole
table truncated; a checkpoint line edited, forged without the key, or removed (its MAC, or the next
line's ``prev_mac``). Rows written after the last checkpoint are covered by the chain only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ifemotion.accounts.audit import verify_chain
from ifemotion.accounts.checkpoints import GENESIS, Checkpoint, checkpoint_key, sign, sink_path
from ifemotion.accounts.models import AuditEvent


@dataclass
class AuditReport:
    problems: list[str] = field(default_factory=list)
    checkpoints: int = 0
    rows: int = 0
    rows_after_last_checkpoint: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems


def _read_checkpoints(path: Path, key: bytes, report: AuditReport) -> list[Checkpoint]:
    checkpoints: list[Checkpoint] = []
    previous_mac = GENESIS
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            checkpoint = Checkpoint.parse(line)
        except (ValueError, KeyError, json.JSONDecodeError):
            report.problems.append(f"checkpoint line {number} is unreadable")
            continue
        if sign(checkpoint.fields(), key) != checkpoint.mac:
            report.problems.append(f"checkpoint line {number} was edited or forged (its signature is wrong)")
            continue
        if checkpoint.prev_mac != previous_mac:
            report.problems.append(f"a checkpoint before line {number} was removed")
        previous_mac = checkpoint.mac
        checkpoints.append(checkpoint)
    return checkpoints


def _check_against_rows(checkpoints: list[Checkpoint], report: AuditReport) -> None:
    """One pass over (id, hash) in id order, checking each checkpoint as its head id is passed."""
    pending = sorted(checkpoints, key=lambda c: c.last_id)
    index = 0
    count = 0
    for row_id, row_hash in AuditEvent.objects.order_by("id").values_list("id", "hash").iterator():
        while index < len(pending) and pending[index].last_id < row_id:
            _missing_head(pending[index], report)
            index += 1
        count += 1
        while index < len(pending) and pending[index].last_id == row_id:
            checkpoint = pending[index]
            if row_hash != checkpoint.last_hash:
                report.problems.append(
                    f"rows up to {row_id} were changed and their hashes recomputed "
                    f"(checkpoint of {checkpoint.at:%Y-%m-%d %H:%M} UTC)"
                )
            elif count != checkpoint.rows:
                report.problems.append(
                    f"{checkpoint.rows - count} rows before {row_id} were deleted "
                    f"(checkpoint of {checkpoint.at:%Y-%m-%d %H:%M} UTC counted {checkpoint.rows})"
                )
            index += 1
    for checkpoint in pending[index:]:
        _missing_head(checkpoint, report)
    report.rows = count
    last_covered = max((c.last_id for c in checkpoints), default=0)
    report.rows_after_last_checkpoint = AuditEvent.objects.filter(id__gt=last_covered).count()


def _missing_head(checkpoint: Checkpoint, report: AuditReport) -> None:
    if checkpoint.last_id == 0:
        return  # a checkpoint of the empty log
    report.problems.append(
        f"row {checkpoint.last_id} is gone: the newest rows were deleted or the table was truncated "
        f"(checkpoint of {checkpoint.at:%Y-%m-%d %H:%M} UTC)"
    )


def verify_audit() -> AuditReport:
    """Raises ``CheckpointError`` when there is no key; a missing sink is a problem in the report."""
    key = checkpoint_key()
    report = AuditReport()
    broken = verify_chain()
    if broken:
        shown = ", ".join(map(str, broken[:10])) + (" ..." if len(broken) > 10 else "")
        report.problems.append(f"{len(broken)} rows do not match the hash chain (ids {shown})")
    path = sink_path()
    if not path.exists():
        report.problems.append(
            f"no checkpoint file at {path}: checkpoints were never written or it was removed"
        )
        return report
    checkpoints = _read_checkpoints(path, key, report)
    report.checkpoints = len(checkpoints)
    _check_against_rows(checkpoints, report)
    return report
