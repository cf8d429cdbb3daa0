"""``manage.py archive_sessions [--loop --interval SECONDS]``: move live sessions into the archive.

One pass by default (for cron, a systemd timer or a Kubernetes CronJob); ``--loop`` runs as a daemon
until SIGTERM/SIGINT, finishing the session at hand first. Safe to run in several processes at once.
Exit status 1 when a one-off pass could not run (Redis down) or a session failed.
"""

from __future__ import annotations

import logging
from argparse import ArgumentParser
from collections.abc import Iterable
from typing import Any, Never

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ifemotion.accounts import audit_buffer
from ifemotion.loop import run_every
from sessions_app.archive.archiver import Archiver, PassSummary, archiver_from_settings
from sessions_app.archive.search import indexer
from sessions_app.errors import StateUnavailable

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Drain live sessions' overflow and citations into the database, snapshot sessions due, index."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loop", action="store_true", help="run passes until stopped")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between passes (--loop)")
        parser.add_argument("--no-index", action="store_true", help="archive to the database only")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = float(options["interval"])
        if interval <= 0:
            raise CommandError("--interval must be positive")
        try:
            archiver = archiver_from_settings(index=not options["no_index"])
        except StateUnavailable as exc:  # no Redis configured
            raise CommandError(f"archive pass not run: {exc}") from exc
        if not options["loop"]:
            summary = self._one_pass(archiver)
            if summary.failures:
                raise CommandError(f"{summary.failures} sessions could not be archived (see the log)")
            return

        def one_pass() -> None:
            try:
                self._one_pass(archiver)
            except CommandError as exc:
                self.stderr.write(str(exc))

        run_every(interval, one_pass)

    def _progress(self, sessions: list[tuple[str, str]]) -> Iterable[tuple[str, str]]:
        if not self.stdout.isatty():
            return sessions
        return tqdm(sessions, desc="archiving", unit="session", leave=False)

    def _one_pass(self, archiver: Archiver) -> PassSummary:
        _flush_audit_rows()
        bar = IndexBar() if self.stdout.isatty() else None
        try:
            summary = archiver.run_pass(progress=self._progress, index_progress=bar)
        except StateUnavailable as exc:
            raise CommandError(f"archive pass not run: {exc}") from exc
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(summary.line())
        return summary


def _flush_audit_rows() -> None:
    """The periodic job also chains the API audit rows waiting in Redis (``audit_buffer``), so a quiet
    API's last rows never wait for its next request."""
    try:
        audit_buffer.flush()
    except Exception:  # they stay in Redis for the next pass; archiving goes on
        logger.exception("buffered API audit rows not flushed in this pass")


class IndexBar:
    """A progress bar for indexing, sized when the first batch reports (the backlog is known then)."""

    def __init__(self) -> None:
        self.bar: tqdm[Never] | None = None

    def __call__(self, done: int) -> None:
        bar = self.bar
        if bar is None:
            bar = self.bar = tqdm(total=done + indexer.pending(), desc="indexing", unit="doc", leave=False)
        bar.update(done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
