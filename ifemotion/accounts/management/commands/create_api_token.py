"""``manage.py create_api_token NAME [--scope S] [--client-prefix P] [--client ID]``: print a new token once.

The token alone goes to stdout (``TOKEN=$(manage.py create_api_token chatbot)``); the explanation goes
to stderr. Only its SHA-256 is stored: a lost token cannot be shown again, only revoked and replaced.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ifemotion.accounts.models import TokenScope
from ifemotion.accounts.tokens import TokenError, create_token


class Command(BaseCommand):
    help = "Create a bearer token for the HTTP API and print it once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", help="a unique name; it appears in the audit log as token:NAME")
        parser.add_argument(
            "--scope",
            choices=TokenScope.values,
            default=TokenScope.WRITE,
            help="write (default): read and change sessions; read: GET requests only",
        )
        parser.add_argument(
            "--client-prefix",
            default="",
            help="reach only client ids starting with this (default: all clients)",
        )
        parser.add_argument(
            "--client", action="append", default=[], dest="clients", help="reach this client id (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            new = create_token(
                name=options["name"],
                scope=options["scope"],
                actor="manage.py",
                client_prefix=options["client_prefix"],
                client_ids=options["clients"],
            )
        except TokenError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Created API token {new.token.name!r} (scope {new.token.scope}). "
            "Store it now: it is shown only this once."
        )
        self.stdout.write(new.secret)
