"""``manage.py risk_worker [--loop] [--interval SECONDS] [--catch-up-every SECONDS]``: assess every
client message written through the Python state API (and any the HTTP path could not record).

``--loop`` runs until SIGTERM/SIGINT (the systemd unit and ``make run`` use it); one pass otherwise.
Safe to run in several processes at once (a flag is unique per message; cursors only move forward).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

import sessions_app.state.configured as configured
from ifemotion.loop import run_every
from sessions_app.errors import StateUnavailable
from sessions_app.risk.catchup import assess_archived
from sessions_app.risk.worker import RiskWorker


class Command(BaseCommand):
    help = "Assess new client messages of live sessions for risk (and archived ones not yet assessed)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loop", action="store_true", help="run passes until stopped")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between passes (--loop)")
        parser.add_argument("--catch-up-every", type=float, default=300.0,
                            help="seconds between passes over archived sessions (--loop)")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        interval = float(options["interval"])
        catch_up_every = float(options["catch_up_every"])
        if interval <= 0 or catch_up_every <= 0:
            raise CommandError("--interval and --catch-up-every must be positive")
        worker = RiskWorker(configured.get_state_manager().redis)
        if not options["loop"]:
            self._live_pass(worker, loud=True)
            self.stdout.write(assess_archived().line())
            return
        last_catch_up = 0.0

        def one_pass() -> None:
            nonlocal last_catch_up
            started = time.monotonic()
            self._live_pass(worker, loud=False)
            if started - last_catch_up >= catch_up_every:
                last_catch_up = started
                try:
                    summary = assess_archived()
                    if summary.assessed:
                        self.stdout.write(summary.line())
                except DatabaseError as exc:
                    self.stderr.write(f"risk catch-up not run: database error ({type(exc).__name__})")

        run_every(interval, one_pass)

    def _live_pass(self, worker: RiskWorker, *, loud: bool) -> None:
        try:
            summary = worker.run_pass()
        except StateUnavailable as exc:
            if loud:
                raise CommandError(f"risk pass not run: {exc}") from exc
            self.stderr.write(f"risk pass not run: {exc}")
            return
        except DatabaseError as exc:
            if loud:
                raise CommandError(f"risk pass not run: database error ({type(exc).__name__})") from exc
            self.stderr.write(f"risk pass not run: database error ({type(exc).__name__})")
            return
        if loud or summary.assessed or summary.failures:
            self.stdout.write(summary.line())
        if loud and summary.failures:
            raise CommandError(f"{summary.failures} sessions could not be assessed (see the log)")
