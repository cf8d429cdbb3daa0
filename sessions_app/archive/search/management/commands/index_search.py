"""``manage.py index_search [--loop --interval SECONDS]``: keep the search index up to date.

Each pass removes the index entries of deleted records, indexes archived rows not yet indexed
(rebuilding the index first when ``CHROMA_EMBEDDING`` changed) and every live message written since
the last pass. ``--loop`` runs until SIGTERM/SIGINT; ``make run`` and ``deploy/`` start it that way.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

import sessions_app.state.configured as configured
from ifemotion.loop import run_every
from sessions_app.archive.search import worker


class Command(BaseCommand):
    help = "Index live messages, archived rows and deletions in the search index (one pass, or --loop)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loop", action="store_true", help="run passes until stopped")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between passes (--loop; default SEARCH_INDEX_INTERVAL_SECONDS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = float(options["interval"] or settings.SEARCH_INDEX_INTERVAL_SECONDS)
        if interval <= 0:
            raise CommandError("--interval must be positive")
        if not options["loop"]:
            outcome = worker.run_pass(configured.get_state_manager().redis)
            self.stdout.write(outcome.line())
            if outcome.error or outcome.archived.error:
                raise CommandError("the search index is not up to date (see above)")
            return
        last_line = ""

        def one_pass() -> None:
            nonlocal last_line
            line = worker.run_pass(configured.get_state_manager().redis).line()
            if line != last_line or "unavailable" in line:  # quiet while nothing changes
                self.stdout.write(line)
                last_line = line

        run_every(interval, one_pass)
