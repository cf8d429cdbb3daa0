"""``manage.py audit_checkpoint [--if-due]``: sign the audit chain's head now (from a timer, so a
checkpoint is written every AUDIT_CHECKPOINT_MINUTES even when nobody uses the dashboard)."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ifemotion.accounts.checkpoints import (
    CheckpointError,
    checkpoint_due,
    latest_checkpoint,
    write_checkpoint,
)


class Command(BaseCommand):
    help = "Write a signed checkpoint of the audit chain's head to the checkpoint sink."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-due", action="store_true", help="only when the interval or the day demands one"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reason = "manual"
        if options["if_due"]:
            due = checkpoint_due(latest_checkpoint(), datetime.now(UTC))
            if due is None:
                self.stdout.write("no checkpoint due")
                return
            reason = due
        try:
            checkpoint = write_checkpoint(reason)
        except CheckpointError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"checkpoint: row {checkpoint.last_id}, {checkpoint.rows} rows ({reason})")
