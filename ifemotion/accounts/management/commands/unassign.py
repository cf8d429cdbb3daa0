"""``manage.py unassign USERNAME CLIENT_ID``: revoke a therapist's access to a client's records."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ifemotion.accounts.identity import unassign_client
from ifemotion.accounts.models import User


class Command(BaseCommand):
    help = "Remove a care assignment. Takes effect on the therapist's next request. Audited."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("client_id")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        if not unassign_client(therapist=user, client_id=options["client_id"]):
            raise CommandError(f"{user.username} was not assigned to {options['client_id']}")
        self.stdout.write(f"{user.username} is no longer assigned to {options['client_id']}")
