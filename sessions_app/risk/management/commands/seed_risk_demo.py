"""``manage.py seed_risk_demo``: demo sessions that carry risk, assessed, with a few flags moved along
the workflow (see sessions_app/demo/risk_flags.py). ``make run`` runs it after ``seed_demo``.
Idempotent; never prints message content.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

import sessions_app.state.configured as configured
from sessions_app.demo.risk_flags import seed_risk_demo
from sessions_app.errors import StateUnavailable


class Command(BaseCommand):
    help = "Write demo sessions with risk language and assess every live session once (demo data)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(seed_risk_demo(configured.get_state_manager()))
        except StateUnavailable as exc:
            raise CommandError(f"Redis is unavailable: {exc}") from exc
