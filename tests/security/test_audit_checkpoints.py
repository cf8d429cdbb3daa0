"""Signed checkpoints make the audit log tamper-evident against its own database user: with the
triggers dropped, an edited row whose later hashes are recomputed, deleted newest rows and a
truncated table all pass ``verify_chain()`` but fail ``verify_audit`` (issue 11, item 4)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings

from ifemotion.accounts import audit, checkpoints
from ifemotion.accounts.audit import verify_chain
from ifemotion.accounts.audit_verify import verify_audit
from ifemotion.accounts.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db
KEY = "k" * 64


@pytest.fixture(autouse=True)
def sink(settings: Settings, tmp_path: Path) -> Path:
    settings.AUDIT_CHECKPOINT_KEY = KEY
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit" / "checkpoints.log"
    settings.AUDIT_CHECKPOINTS_ENABLED = True
    settings.AUDIT_CHECKPOINT_MINUTES = 10
    checkpoints._next_look = 0.0
    return tmp_path / "audit" / "checkpoints.log"


def _events(n: int) -> None:
    for i in range(n):
        audit.record(AuditAction.SESSION_VIEWED, actor=f"user{i}", client_id="client-ava")


def _without_triggers(sql: str, params: list[Any]) -> None:
    """What anyone holding the table owner's credentials could do: the application's own on SQLite
    (one file); on PostgreSQL only the owner role (the runtime role cannot: test_postgres_roles.py).
    Inside the test's transaction, so it is rolled back afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS accounts_auditevent_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS accounts_auditevent_no_delete")
        else:
            cursor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)


def _recompute_from(first_id: int) -> None:
    previous = AuditEvent.objects.filter(id__lt=first_id).order_by("-id").first()
    prev_hash = previous.hash if previous else audit.GENESIS
    for event in AuditEvent.objects.filter(id__gte=first_id).order_by("id"):
        digest = audit._digest(prev_hash, event)
        _without_triggers(
            "UPDATE accounts_auditevent SET prev_hash=%s, hash=%s WHERE id=%s", [prev_hash, digest, event.id]
        )
        prev_hash = digest


def test_an_untouched_log_verifies(sink: Path) -> None:
    _events(5)
    checkpoints.write_checkpoint("manual")
    _events(2)
    report = verify_audit()
    assert report.intact, report.problems
    assert (report.rows, report.checkpoints, report.rows_after_last_checkpoint) == (7, 1, 2)
    line = json.loads(sink.read_text().splitlines()[0])
    assert line["rows"] == 5
    assert KEY not in sink.read_text()


def test_an_edit_with_recomputed_hashes_passes_the_chain_but_not_the_checkpoints() -> None:
    _events(6)
    checkpoints.write_checkpoint("manual")
    target = AuditEvent.objects.order_by("id")[2]
    _without_triggers("UPDATE accounts_auditevent SET actor=%s WHERE id=%s", ["someone-else", target.id])
    assert verify_chain() == [target.id]
    _recompute_from(target.id)
    assert verify_chain() == []  # what the landed code relied on
    report = verify_audit()
    assert not report.intact
    assert any("hashes recomputed" in problem for problem in report.problems)


def test_deleting_the_newest_rows_is_found() -> None:
    _events(6)
    checkpoints.write_checkpoint("manual")
    newest = AuditEvent.objects.order_by("-id")[:2]
    _without_triggers("DELETE FROM accounts_auditevent WHERE id IN (%s, %s)", [e.id for e in newest])
    assert verify_chain() == []
    report = verify_audit()
    assert any("newest rows were deleted" in problem for problem in report.problems)


def test_deleting_a_middle_row_and_rechaining_is_found() -> None:
    _events(6)
    checkpoints.write_checkpoint("manual")
    middle = AuditEvent.objects.order_by("id")[3]
    _without_triggers("DELETE FROM accounts_auditevent WHERE id = %s", [middle.id])
    _recompute_from(middle.id + 1)
    assert verify_chain() == []
    report = verify_audit()
    assert not report.intact
    assert any("recomputed" in problem for problem in report.problems)


def test_truncation_is_found() -> None:
    _events(3)
    checkpoints.write_checkpoint("manual")
    _without_triggers("DELETE FROM accounts_auditevent", [])
    assert verify_chain() == []
    assert any("truncated" in problem for problem in verify_audit().problems)


def test_a_forged_or_edited_or_removed_checkpoint_is_found(sink: Path) -> None:
    _events(2)
    for _ in range(3):
        checkpoints.write_checkpoint("manual")
    lines = sink.read_text().splitlines()
    forged = json.loads(lines[2])
    forged["rows"] = 1
    sink.write_text("\n".join([lines[0], json.dumps(forged)]) + "\n")
    problems = verify_audit().problems
    assert any("edited or forged" in problem for problem in problems)
    sink.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert any("was removed" in problem for problem in verify_audit().problems)


def test_a_checkpoint_is_written_every_interval_and_on_the_days_first_request(
    sink: Path, settings: Settings
) -> None:
    settings.SECURE_SSL_REDIRECT = False
    start = datetime(2026, 3, 1, 23, 40, tzinfo=UTC)
    assert checkpoints.maybe_checkpoint(now=start) is not None  # the first one
    checkpoints._next_look = 0.0
    assert checkpoints.maybe_checkpoint(now=start + timedelta(minutes=5)) is None
    checkpoints._next_look = 0.0
    assert checkpoints.maybe_checkpoint(now=start + timedelta(minutes=10)).reason == "interval"  # type: ignore[union-attr]
    checkpoints._next_look = 0.0
    assert checkpoints.maybe_checkpoint(now=start + timedelta(minutes=21)).reason == "day"  # type: ignore[union-attr]
    assert len(sink.read_text().splitlines()) == 3
    # And in production the middleware does it after a request:
    sink.unlink()
    checkpoints._next_look = 0.0
    Client().get("/healthz")
    assert sink.exists()


def test_the_commands_exit_codes(sink: Path, settings: Settings) -> None:
    _events(3)
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert "3 rows" in out.getvalue()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    assert "INTACT" in out.getvalue()
    _without_triggers("DELETE FROM accounts_auditevent", [])
    with pytest.raises(SystemExit) as tampered:
        call_command("verify_audit", stdout=StringIO(), stderr=StringIO())
    assert tampered.value.code == 1
    settings.AUDIT_CHECKPOINT_KEY = ""
    settings.AUDIT_CHECKPOINT_KEY_FILE = ""
    settings.DEBUG = False
    with pytest.raises(SystemExit) as unknown:
        call_command("verify_audit", stdout=StringIO(), stderr=StringIO())
    assert unknown.value.code == 2


def test_the_key_from_a_file(sink: Path, settings: Settings, tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("f" * 64 + "\n")
    settings.AUDIT_CHECKPOINT_KEY = ""
    settings.AUDIT_CHECKPOINT_KEY_FILE = str(key_file)
    _events(1)
    checkpoints.write_checkpoint("manual")
    assert verify_audit().intact
    key_file.write_text("g" * 64)  # another key: every checkpoint now looks forged
    assert not verify_audit().intact
