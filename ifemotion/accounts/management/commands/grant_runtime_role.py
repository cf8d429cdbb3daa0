"""``manage.py grant_runtime_role ROLE``: run as the owner role after ``migrate`` (PostgreSQL only).

Grants the runtime role what the app needs on every table, and on the audit log only INSERT and
SELECT (``ifemotion/accounts/db_roles.py``). Safe to run again after each migration.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from ifemotion.accounts.db_roles import runtime_grants


class Command(BaseCommand):
    help = "Grant the runtime PostgreSQL role its privileges (audit log: INSERT and SELECT only)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("role", help="the runtime role, e.g. ifemotion_app")
        parser.add_argument("--schema", default="public")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("roles are a PostgreSQL feature; SQLite relies on file permissions")
        try:
            statements = runtime_grants(options["role"], schema=options["schema"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"granted {options['role']}: tables read/write, the audit log INSERT and SELECT only"
        )
