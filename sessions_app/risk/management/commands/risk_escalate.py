"""``manage.py risk_escalate [--loop --interval SECONDS]``: e-mail new flags to the assigned
clinicians and escalate open flags past their acknowledgement deadline (see risk/escalation.py).

One run by default (the systemd timer runs it every minute); exit status 1 when an e-mail failed
(the next run retries it).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from ifemotion.loop import run_every
from sessions_app.risk import escalation


class Command(BaseCommand):
    help = "Notify clinicians of new risk flags and escalate overdue ones."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loop", action="store_true", help="run until stopped")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between runs (--loop)")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = float(options["interval"])
        if interval <= 0:
            raise CommandError("--interval must be positive")
        if not options["loop"]:
            summary = escalation.run(timezone.now())
            self.stdout.write(summary.line())
            if summary.failures:
                raise CommandError(f"{summary.failures} e-mails could not be sent; the next run retries them")
            return

        def one_pass() -> None:
            try:
                summary = escalation.run(timezone.now())
                if summary.notified or summary.escalated or summary.failures:
                    self.stdout.write(summary.line())
            except DatabaseError as exc:
                self.stderr.write(f"risk escalation not run: database error ({type(exc).__name__})")

        run_every(interval, one_pass)
