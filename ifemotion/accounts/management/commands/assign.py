"""``manage.py assign USERNAME CLIENT_ID``: give a therapist access to a client's records."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ifemotion.accounts.identity import AccessChangeError, assign_client
from ifemotion.accounts.models import User


class Command(BaseCommand):
    help = "Create a care assignment (therapist -> client id). Audited."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("client_id")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        try:
            assign_client(therapist=user, client_id=options["client_id"])
        except AccessChangeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{user.username} is assigned to {options['client_id']}")
