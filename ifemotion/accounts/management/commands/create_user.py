"""``manage.py create_user USERNAME --role ROLE``: the password comes from stdin or a prompt."""

from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ifemotion.accounts.identity import AccessChangeError, create_user
from ifemotion.accounts.models import Role


class Command(BaseCommand):
    help = "Create a dashboard user. The password is read from stdin when piped, else prompted for."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password()
        try:
            user = create_user(username=options["username"], role=options["role"], password=password)
        except AccessChangeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"created {user.username} ({user.role})")

    def _password(self) -> str:
        if not sys.stdin.isatty():
            return sys.stdin.readline().rstrip("\r\n")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the passwords do not match")
        return first
