"""``manage.py flush_audit_log``: chain the API audit rows waiting in Redis into the audit log now.

Requests and every ``archive_sessions`` pass do this by themselves (``ifemotion/accounts/audit_buffer.py``);
run it before reading or verifying the log right after the API was busy.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ifemotion.accounts import audit_buffer


class Command(BaseCommand):
    help = "Chain the API audit rows waiting in Redis into the database's audit log."

    def handle(self, *args: Any, **options: Any) -> None:
        inserted = audit_buffer.flush()
        self.stdout.write(f"{inserted} audit rows chained into the log; {audit_buffer.pending()} waiting")
