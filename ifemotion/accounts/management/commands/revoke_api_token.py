"""``manage.py revoke_api_token NAME``: the token stops working at its next request."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ifemotion.accounts.tokens import TokenError, revoke_token


class Command(BaseCommand):
    help = "Revoke a bearer token of the HTTP API."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", help="the token's name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            changed = revoke_token(name=options["name"], actor="manage.py")
        except TokenError as exc:
            raise CommandError(str(exc)) from exc
        if changed:
            self.stdout.write(f"Revoked API token {options['name']!r}.")
        else:
            self.stdout.write(f"API token {options['name']!r} was already revoked.")
