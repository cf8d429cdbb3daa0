"""verify_export and export_session: a copy can be checked against the archive later."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exports_app.canonical import record_data
from exports_app.exporters import json_export, markdown_export
from exports_app.verify import Outcome, judge, read_claim
from ifemotion.accounts.models import AuditAction, AuditEvent
from sessions_app.state.manager import ConversationStateManager
from tests.exports_app.conftest import CLIENT, seed
from tests.exports_app.factories import make_context, make_record


def _export(tmp_path: Path, session_id: str, fmt: str, *extra: str) -> Path:
    out = tmp_path / f"export.{fmt}"
    call_command("export_session", CLIENT, session_id, "--format", fmt, "-o", str(out), *extra)
    return out


def _verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        call_command("verify_export", str(path))
    except SystemExit as exc:
        return int(exc.code or 0), capsys.readouterr().out
    return 0, capsys.readouterr().out


@pytest.mark.parametrize(("fmt", "extra"), [("json", ()), ("md", ()), ("pdf", ()), ("pdf", ("--pdfa",))])
@pytest.mark.django_db
def test_a_fresh_export_matches_then_reports_changes(
    fake_manager: ConversationStateManager,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
    extra: tuple[str, ...],
) -> None:
    session_id = seed(fake_manager, CLIENT, ["one", "two"])
    path = _export(tmp_path, session_id, fmt, *extra)
    assert path.stat().st_mode & 0o077 == 0  # PHI: owner-only file
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor.startswith("operator:")
    code, out = _verify(path, capsys)
    assert (code, out.split(":")[0]) == (Outcome.MATCH, "MATCH")
    fake_manager.append_message(CLIENT, session_id, role="user", content="three")
    code, out = _verify(path, capsys)
    assert (code, out.split(":")[0]) == (Outcome.CHANGED_SINCE_EXPORT, "RECORD CHANGED SINCE EXPORT")


@pytest.mark.django_db
def test_an_edited_json_export_is_a_mismatch(
    fake_manager: ConversationStateManager, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session_id = seed(fake_manager, CLIENT, ["the truth"])
    path = _export(tmp_path, session_id, "json")
    data = json.loads(path.read_text())
    data["record"]["messages"][0]["content"] = "a forgery"
    path.write_text(json.dumps(data))
    code, out = _verify(path, capsys)
    assert code == Outcome.MISMATCH
    assert "altered" in out


@pytest.mark.django_db
def test_an_edited_markdown_export_is_a_mismatch(
    fake_manager: ConversationStateManager, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session_id = seed(fake_manager, CLIENT, ["the truth"])
    path = _export(tmp_path, session_id, "md")
    path.write_text(path.read_text().replace("the truth", "a forgery"))
    code, out = _verify(path, capsys)
    assert code == Outcome.MISMATCH
    assert "audit log" in out


@pytest.mark.django_db
def test_unrelated_files_cannot_be_verified(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Therapist note\n**Record SHA-256:** nothing")
    code, _ = _verify(path, capsys)
    assert code == Outcome.CANNOT_VERIFY


def test_judge_detects_a_changed_message_in_an_embedded_record() -> None:
    record = make_record(["one", "two"])
    exported = json_export(record, make_context())
    claim = read_claim(exported.content)
    current = record_data(make_record(["one", "TWO"]))
    verdict = judge(claim, current, None)
    assert verdict.outcome == Outcome.MISMATCH
    assert "message 2" in verdict.message


def test_a_user_message_cannot_forge_the_markdown_integrity_header() -> None:
    fake = "**Record SHA-256:** `" + "0" * 64 + "`\n**Client:** other\n**Session ID:** other"
    exported = markdown_export(make_record([fake]), make_context())
    claim = read_claim(exported.content)
    assert claim.record_sha256 == exported.record_sha256
    assert (claim.client_id, claim.session_id) == ("client-7", "sess-42")


@pytest.mark.django_db
def test_export_session_refuses_to_overwrite_and_reports_unknown_sessions(
    fake_manager: ConversationStateManager, tmp_path: Path
) -> None:
    session_id = seed(fake_manager, CLIENT, ["x"])
    path = _export(tmp_path, session_id, "md")
    with pytest.raises(CommandError, match="exists"):
        _export(tmp_path, session_id, "md")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_session", CLIENT, "nope", "-o", str(path.with_name("other.md")))
