"""``manage.py risk_backfill [--client ID] [--since YYYY-MM-DD]``: assess archived client messages
that no assessment covers yet (e.g. everything archived before risk flags existed).

Flags it raises are marked "archive" and get deadlines from now, like any new flag: limit the run
with ``--since`` if old sessions should not start the escalation clock. Running it twice assesses
nothing twice.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sessions_app.access import CLIENT_ID
from sessions_app.risk.catchup import assess_archived


def _date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise CommandError(f"--since must be YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = "Assess archived client messages that have not been assessed for risk."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--client", help="only this client id")
        parser.add_argument("--since", help="only sessions active on or after this date (YYYY-MM-DD, UTC)")

    def handle(self, *args: Any, **options: Any) -> None:
        client = options.get("client")
        if client is not None and not CLIENT_ID.fullmatch(client):
            raise CommandError("--client must be 1-64 characters from A-Z, a-z, 0-9, '_' and '-'")
        since = _date(options["since"]) if options.get("since") else None
        summary = assess_archived(client_id=client, since=since)
        self.stdout.write(summary.line())
