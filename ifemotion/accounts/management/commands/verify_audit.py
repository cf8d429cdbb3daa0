"""``manage.py verify_audit``: check the audit log against its hash chain and signed checkpoints.

Exit 0 intact, 1 tampered (each finding on stderr), 2 cannot verify (no checkpoint key).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from ifemotion.accounts.audit_verify import verify_audit
from ifemotion.accounts.checkpoints import CheckpointError


class Command(BaseCommand):
    help = "Verify the audit log: hash chain, signed checkpoints (edits, recomputed hashes, deleted rows)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = verify_audit()
        except CheckpointError as exc:
            self.stderr.write(f"CANNOT VERIFY: {exc}")
            sys.exit(2)
        summary = (
            f"{report.rows} rows, {report.checkpoints} checkpoints, "
            f"{report.rows_after_last_checkpoint} rows newer than the last checkpoint"
        )
        if report.intact:
            self.stdout.write(f"INTACT: {summary}")
            return
        for problem in report.problems:
            self.stderr.write(f"TAMPERED: {problem}")
        self.stderr.write(summary)
        sys.exit(1)
