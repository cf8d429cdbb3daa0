"""``manage.py export_session USER_ID SESSION_ID --format md|pdf|json -o FILE`` (operators)."""

from __future__ import annotations

import getpass
import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from exports_app.errors import ExportError
from exports_app.exporters import FORMATS
from exports_app.service import Requester, export_session
from sessions_app.errors import StateError


class Command(BaseCommand):
    help = "Export one session (live or archived) as Markdown, PDF or JSON. The export is audited."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("user_id", help="the client's user id")
        parser.add_argument("session_id")
        parser.add_argument("--format", choices=FORMATS, default="md")
        parser.add_argument("-o", "--output", required=True, help="file to write ('-' for stdout)")
        parser.add_argument("--pdfa", action="store_true", help="PDF/A-3b with the .md and .json attached")
        parser.add_argument("--from", dest="seq_from", type=int, help="first message number (Markdown/PDF)")
        parser.add_argument("--to", dest="seq_to", type=int, help="last message number (Markdown/PDF)")
        parser.add_argument("--force", action="store_true", help="overwrite an existing file")

    def handle(self, *args: Any, **options: Any) -> None:
        output: str = options["output"]
        if output != "-" and Path(output).exists() and not options["force"]:
            raise CommandError(f"{output} exists; pass --force to overwrite it")
        requester = Requester(label=f"operator:{getpass.getuser()}", role="operator")
        try:
            result = export_session(
                requester=requester,
                client_id=options["user_id"],
                session_id=options["session_id"],
                fmt=options["format"],
                archival=options["pdfa"],
                seq_from=options["seq_from"],
                seq_to=options["seq_to"],
            )
        except (StateError, ExportError) as exc:
            raise CommandError(str(exc)) from exc
        if output == "-":
            sys.stdout.buffer.write(result.content)
            sys.stdout.flush()
            return
        # Records are PHI: the file is created readable by its owner only.
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(result.content)
        self.stderr.write(
            f"wrote {output} ({len(result.content)} bytes)\n"
            f"  file SHA-256:   {result.sha256}\n  record SHA-256: {result.record_sha256}"
        )
