"""The documented PostgreSQL deployment: the runtime role cannot drop or disable the audit log's
triggers, nor update, delete or truncate it, nor create tables; it can append and read (issue 11,
item 4). Runs against the machine's PostgreSQL only when DATABASE_URL points at 127.0.0.1:5432, in
its own schema and roles, which it drops afterwards."""

from __future__ import annotations

import importlib
import os
import secrets
from collections.abc import Iterator
from io import StringIO
from urllib.parse import urlparse

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ifemotion.accounts.db_roles import runtime_grants

URL = os.environ.get("DATABASE_URL", "")
_parts = urlparse(URL)
ON_LOCAL_POSTGRES = (
    _parts.scheme.startswith("postgres") and _parts.hostname == "127.0.0.1" and (_parts.port or 5432) == 5432
)
_triggers = importlib.import_module("ifemotion.accounts.migrations.0002_audit_append_only")


@pytest.fixture
def roles() -> Iterator[tuple[object, str, str, str]]:
    if not ON_LOCAL_POSTGRES:
        pytest.skip("DATABASE_URL does not point at the machine's PostgreSQL (127.0.0.1:5432)")
    import psycopg

    suffix = secrets.token_hex(4)
    schema, owner, app = f"ife_roles_{suffix}", f"ife_owner_{suffix}", f"ife_app_{suffix}"
    try:
        admin = psycopg.connect(URL, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"cannot connect to DATABASE_URL's database: {exc}")
    admin.execute(f"CREATE ROLE {owner} NOLOGIN")
    admin.execute(f"CREATE ROLE {app} NOLOGIN")
    admin.execute(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}")
    try:
        admin.execute(f"SET ROLE {owner}")
        admin.execute(f"SET search_path TO {schema}")
        admin.execute(
            "CREATE TABLE accounts_auditevent (id bigserial PRIMARY KEY, actor varchar(150), hash text)"
        )
        admin.execute("CREATE TABLE sessions_app_note (id bigserial PRIMARY KEY, body text)")
        admin.execute("CREATE TABLE django_migrations (id bigserial PRIMARY KEY, app varchar(255))")
        for statement in _triggers.POSTGRES:
            admin.execute(statement)
        for statement in runtime_grants(app, schema=schema):
            admin.execute(statement)
        admin.execute(f"SET ROLE {app}")
        yield admin, schema, owner, app
    finally:
        admin.execute("RESET ROLE")
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute(f"DROP OWNED BY {app}")
        admin.execute(f"DROP ROLE IF EXISTS {app}")
        admin.execute(f"DROP ROLE IF EXISTS {owner}")
        admin.close()


def _refused(conn: object, statement: str) -> bool:
    import psycopg

    try:
        conn.execute(statement)  # type: ignore[attr-defined]
    except psycopg.Error:
        return True
    return False


def test_the_runtime_role_appends_and_reads_the_audit_log_and_nothing_more(
    roles: tuple[object, str, str, str],
) -> None:
    conn, _, _, _ = roles
    conn.execute("INSERT INTO accounts_auditevent (actor, hash) VALUES ('alice', 'h1')")  # type: ignore[attr-defined]
    assert conn.execute("SELECT count(*) FROM accounts_auditevent").fetchone() == (1,)  # type: ignore[attr-defined]
    for statement in (
        "UPDATE accounts_auditevent SET actor = 'mallory'",
        "DELETE FROM accounts_auditevent",
        "TRUNCATE accounts_auditevent",
        "DROP TRIGGER accounts_auditevent_no_change ON accounts_auditevent",
        "ALTER TABLE accounts_auditevent DISABLE TRIGGER accounts_auditevent_no_change",
        "ALTER TABLE accounts_auditevent DISABLE TRIGGER ALL",
        "DROP TABLE accounts_auditevent",
        "CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS "
        "$$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
        "CREATE TABLE shadow (id int)",
    ):
        assert _refused(conn, statement), statement
    assert conn.execute("SELECT actor FROM accounts_auditevent").fetchall() == [("alice",)]  # type: ignore[attr-defined]


def test_the_runtime_role_uses_the_other_tables_normally(roles: tuple[object, str, str, str]) -> None:
    conn, _, _, _ = roles
    conn.execute("INSERT INTO sessions_app_note (body) VALUES ('v1')")  # type: ignore[attr-defined]
    conn.execute("UPDATE sessions_app_note SET body = 'v2'")  # type: ignore[attr-defined]
    conn.execute("DELETE FROM sessions_app_note")  # type: ignore[attr-defined]
    assert conn.execute("SELECT count(*) FROM django_migrations").fetchone() == (0,)  # type: ignore[attr-defined]
    assert _refused(conn, "INSERT INTO django_migrations (app) VALUES ('x')")


@pytest.mark.django_db
def test_the_command_refuses_sqlite_and_bad_role_names() -> None:
    if connection.vendor == "sqlite":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("grant_runtime_role", "ifemotion_app", stdout=StringIO())
    with pytest.raises((CommandError, ValueError)):
        runtime_grants("bad role; DROP TABLE x")
