"""``manage.py seed_demo_accounts``: demo users assigned to the demo clients (DEBUG only).

therapist (assigned to every demo client but the last), therapist2 (assigned to the first two, to
show the conflict flow), clinician (every client; two-factor), admin (no clients; two-factor).
The password is ``DEMO_PASSWORD`` or a fresh random one, printed; the clinician's and admin's TOTP
secrets are printed too, and ``manage.py demo_totp USERNAME`` prints their current code.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from argparse import ArgumentParser
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from ifemotion.accounts.identity import assign_client, grant_admin_permissions
from ifemotion.accounts.models import Role, User
from ifemotion.accounts.notify import demo_accounts_quiet
from sessions_app.errors import StateUnavailable
from sessions_app.repository import archived_client_ids
from sessions_app.state.live import LiveStore

logger = logging.getLogger(__name__)
FALLBACK_CLIENTS = ["client-ava", "client-ben", "client-cleo"]
WORDS = ["amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "juniper", "kelp"]


def discover_clients() -> list[str]:
    """Client ids of the demo data: live sessions (global index) and archived ones."""
    from sessions_app.state.configured import get_state_manager

    found = archived_client_ids()
    try:
        found |= {user_id for user_id, _ in LiveStore(get_state_manager().redis).sessions()}
    except StateUnavailable:  # Redis down: the archive and the fallback still give a demo
        logger.warning("Redis unreachable: demo clients taken from the archive only")
    return sorted(found) or FALLBACK_CLIENTS


class Command(BaseCommand):
    help = "Create demo users assigned to the demo clients and print their credentials (DEBUG only)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("clients", nargs="*", help="client ids (default: those of the demo data)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo_accounts runs only with DEBUG=1: it prints passwords")
        clients = options["clients"] or discover_clients()
        password = os.environ.get("DEMO_PASSWORD") or "-".join(secrets.choice(WORDS) for _ in range(4))
        plan = {
            "therapist": (Role.THERAPIST, clients[:-1] if len(clients) > 1 else clients),
            "therapist2": (Role.THERAPIST, clients[:2]),
            "clinician": (Role.CLINICIAN, clients),
            "admin": (Role.ADMIN, []),
        }
        lines = [f"Demo logins (password for all: {password})"]
        with demo_accounts_quiet():
            self._seed(plan, password, lines)
        self.stdout.write("\n".join(lines))

    def _seed(self, plan: Mapping[str, tuple[str, Sequence[str]]], password: str, lines: list[str]) -> None:
        for username, (role, assigned) in plan.items():
            user = self._user(username, role, password)
            for client_id in assigned:
                assign_client(therapist=user, client_id=client_id)
            line = f"  {username:<11} {role:<10} clients: {', '.join(assigned) or '(none)'}"
            if role in settings.MFA_REQUIRED_ROLES:
                line += (
                    f"\n              TOTP secret {self._totp(user)}  (or: manage.py demo_totp {username})"
                )
            lines.append(line)

    def _user(self, username: str, role: str, password: str) -> User:
        user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
        user.role = role
        user.is_staff = role == Role.ADMIN
        user.email = user.email or f"{username}@example.org"  # the review digest's address
        user.set_password(password)
        user.save()
        if role == Role.ADMIN:
            grant_admin_permissions(user)
        return user

    def _totp(self, user: User) -> str:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="demo authenticator", confirmed=True)
        return base64.b32encode(device.bin_key).decode().rstrip("=")
