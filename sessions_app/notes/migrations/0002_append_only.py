"""The database refuses to change what clinicians recorded, not only the ORM: UPDATE of a revision,
an addendum, a guidance version or an adjudication is refused, and so is any UPDATE of a signed note.

DELETE is refused by the ORM (``RecordImmutable``) and by database privileges in production; a DELETE
trigger would also block the test runner's table flush.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

APPEND_ONLY = ["notes_clinicalnoterevision", "notes_noteaddendum", "notes_guidancerevision", "notes_adjudication"]
SIGNED = "notes_clinicalnote"
MESSAGE = "clinical records are append-only; a signed note cannot change"


def _sqlite() -> list[str]:
    statements = [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for table in APPEND_ONLY
    ]
    statements.append(
        f"CREATE TRIGGER {SIGNED}_signed_no_update BEFORE UPDATE ON {SIGNED} "
        f"WHEN OLD.signed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    )
    return statements


def _postgres() -> list[str]:
    statements = [
        "CREATE OR REPLACE FUNCTION notes_refuse_change() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql",
    ]
    statements += [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION notes_refuse_change()"
        for table in APPEND_ONLY
    ]
    statements.append(
        f"CREATE TRIGGER {SIGNED}_signed_no_update BEFORE UPDATE ON {SIGNED} "
        "FOR EACH ROW WHEN (OLD.signed_at IS NOT NULL) EXECUTE FUNCTION notes_refuse_change()"
    )
    return statements


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite()
    elif vendor == "postgresql":
        statements = _postgres()
    else:
        raise RuntimeError(f"append-only clinical records not implemented for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    for table in APPEND_ONLY:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update" + (f" ON {table}" if postgres else ""))
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {SIGNED}_signed_no_update" + (f" ON {SIGNED}" if postgres else ""))
    if postgres:
        schema_editor.execute("DROP FUNCTION IF EXISTS notes_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
