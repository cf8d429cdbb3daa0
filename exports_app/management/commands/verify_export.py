"""``manage.py verify_export FILE``: is this exported file what the archive says? (exit 0/1/2/3)"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from exports_app.canonical import record_data
from exports_app.records import load_record
from exports_app.verify import Issued, NotAnExport, Outcome, Verdict, judge, read_claim
from ifemotion.accounts.models import AuditAction, AuditEvent
from sessions_app.errors import InvalidInput, SessionNotFound, StateUnavailable


def issued_file(file_sha256: str) -> Issued | None:
    """The audit event that handed out a file with this SHA-256 (directly or inside a ZIP)."""
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT, outcome="ok")
    event = (
        events.filter(detail__sha256=file_sha256).order_by("id").first()
        or events.filter(detail__member_sha256=file_sha256).order_by("id").first()
    )
    if event is None:
        return None
    return Issued(event_id=event.pk, at=event.at.isoformat(), actor=event.actor)


class Command(BaseCommand):
    help = (
        "Check an exported Markdown, PDF or JSON file against the live/archived record. Exit codes: "
        "0 match, 1 mismatch (altered or not issued here), 2 record changed since export, 3 cannot verify."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        verdict = self.verify(content)
        self.stdout.write(verdict.message)
        if verdict.outcome != Outcome.MATCH:
            raise SystemExit(int(verdict.outcome))

    def verify(self, content: bytes) -> Verdict:
        try:
            claim = read_claim(content)
        except NotAnExport as exc:
            return Verdict(Outcome.CANNOT_VERIFY, f"CANNOT VERIFY: {exc}")
        unavailable = Verdict(
            Outcome.CANNOT_VERIFY, "CANNOT VERIFY: live records are unavailable; try again later."
        )
        try:
            record = load_record(claim.client_id, claim.session_id)
        except (SessionNotFound, InvalidInput):
            return judge(claim, None, None)
        except StateUnavailable:
            return unavailable
        verdict = judge(claim, record_data(record), issued_file(claim.file_sha256))
        if record.live_unavailable and verdict.outcome == Outcome.CHANGED_SINCE_EXPORT:
            return unavailable  # the archive alone may be older than the live session
        return verdict
