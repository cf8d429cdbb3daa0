"""``manage.py send_review_digest [--dry-run] [--force] [--user NAME]``: the daily review digest.

Emails every therapist and clinician with assigned clients the list of their sessions that leave live
storage within ``REVIEW_DIGEST_WINDOW_HOURS`` (24) unreviewed and not held, through Django's email
backend (the console under ``make run``). Once per day per person (``--force`` sends again); nothing
is sent to someone with nothing to review. Run it daily from the timer in ``deploy/systemd/``.
Exit status 1 when Redis is unreachable (the lists would be incomplete) or an email failed.
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sessions_app.review.digest import build_digest, render_email, reviewers, send_digest


class Command(BaseCommand):
    help = "Email each clinician their sessions that leave live storage within 24 h unreviewed."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="print what would be sent; send nothing")
        parser.add_argument("--force", action="store_true", help="send even if today's digest went out")
        parser.add_argument("--user", action="append", default=[], help="only this user (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        outcomes: Counter[str] = Counter()
        sessions = 0
        for clinician in reviewers():
            if options["user"] and clinician.username not in options["user"]:
                continue
            digest = build_digest(clinician, now=now)
            if options["dry_run"]:
                self.stdout.write(f"--- {clinician.username} <{clinician.email or 'no email address'}>")
                self.stdout.write(str(render_email(digest).body) if digest.items else "(nothing to review)")
                outcomes["dry-run"] += 1
                sessions += len(digest.items)
                continue
            result = send_digest(digest, day=now.date(), force=options["force"])
            outcomes[result.outcome] += 1
            sessions += result.sessions if result.outcome == "sent" else 0
            if result.outcome in ("no_email", "failed", "live_unavailable"):
                self.stderr.write(f"{clinician.username}: {result.outcome.replace('_', ' ')}")
        summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in sorted(outcomes.items()))
        self.stdout.write(f"review digest: {summary or 'no clinicians'}; {sessions} sessions listed")
        if outcomes["failed"] or outcomes["live_unavailable"]:
            raise CommandError("some digests were not sent (see above)")
