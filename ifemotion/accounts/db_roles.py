"""Two PostgreSQL roles: the owner (runs migrations, owns every table and trigger) and the runtime
role the web app and the archiver use. The runtime role may read and write the product's tables but
only INSERT and SELECT the audit log, and owns nothing: it cannot drop or disable the append-only
triggers, alter or truncate the audit table, nor create tables. See deploy/postgres/ and the README.
"""

from __future__ import annotations

import re

from psycopg import sql

AUDIT_TABLE = "accounts_auditevent"
READ_ONLY_TABLES = ("django_migrations",)
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def check_role_name(name: str) -> str:
    if not ROLE_NAME.fullmatch(name):
        raise ValueError("a role name is 1-63 characters from a-z, 0-9 and '_', not starting with a digit")
    return name


def runtime_grants(role: str, *, schema: str = "public") -> list[sql.Composed]:
    """What the owner runs after every migration (``manage.py grant_runtime_role ROLE``)."""
    who = sql.Identifier(check_role_name(role))
    where = sql.Identifier(schema)
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(where, who),
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(where, who),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(where, who),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(where, who),
        # The audit log: append and read, nothing else (TRUNCATE, REFERENCES, TRIGGER are never granted).
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {}.{} FROM {}").format(
            where, sql.Identifier(AUDIT_TABLE), who
        ),
    ]
    for table in READ_ONLY_TABLES:
        statements.append(
            sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {}.{} FROM {}").format(
                where, sql.Identifier(table), who
            )
        )
    return statements
