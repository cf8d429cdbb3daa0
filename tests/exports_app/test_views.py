"""Downloads: access, headers, filenames, audit with hashes, ZIP, clear errors."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse
from pytest_django.fixtures import Settings

from exports_app.canonical import record_sha256
from ifemotion.accounts.models import AuditAction, AuditEvent, User
from sessions_app.state.manager import ConversationStateManager
from tests.exports_app.conftest import CLIENT, OTHER_CLIENT, seed
from tests.support import login

HOSTILE_NAME = 'evil"\r\n../\u202efdp.exe'


def _export_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("id"))


def _assert_download_headers(response: object, extension: str, content_type: str) -> None:
    disposition = response["Content-Disposition"]  # type: ignore[index]
    assert disposition.startswith('attachment; filename="ifemotion-')
    assert disposition.endswith(f'.{extension}"')
    assert disposition.isascii()
    assert response["Content-Type"] == content_type  # type: ignore[index]
    assert "no-store" in response["Cache-Control"]  # type: ignore[index]
    assert response["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "extension", "content_type"),
    [
        ("exports:markdown", "md", "text/markdown; charset=utf-8"),
        ("exports:json", "json", "application/json"),
        ("exports:pdf", "pdf", "application/pdf"),
    ],
)
def test_it_downloads_each_format_with_hardened_headers_and_audits_the_hash(
    live_manager: ConversationStateManager, carmen: User, name: str, extension: str, content_type: str
) -> None:
    session_id = seed(live_manager, CLIENT, ["hello", HOSTILE_NAME])
    response = login(carmen).get(reverse(name, args=[CLIENT, session_id]))
    assert response.status_code == 200
    _assert_download_headers(response, extension, content_type)
    assert session_id in response["Content-Disposition"]
    body = response.content
    [event] = _export_events()
    assert event.actor == "carmen"
    assert (event.client_id, event.session_id) == (CLIENT, session_id)
    assert event.detail["sha256"] == hashlib.sha256(body).hexdigest()
    assert len(event.detail["record_sha256"]) == 64
    assert "hello" not in json.dumps(event.detail)


def test_the_json_download_carries_the_record_and_its_hash(
    fake_manager: ConversationStateManager, alice: User
) -> None:
    session_id = seed(fake_manager, CLIENT, ["one", "two", "three"])
    response = login(alice).get(reverse("exports:json", args=[CLIENT, session_id]))
    data = json.loads(response.content)
    assert data["format"] == "ifemotion-session-export"
    assert data["format_version"] == 1
    assert data["requested_by"] == "alice"
    assert record_sha256(data["record"]) == data["record_sha256"]
    assert [m["seq"] for m in data["record"]["messages"]] == [1, 2, 3]


def test_it_returns_404_without_assignment(
    fake_manager: ConversationStateManager, bob: User, root: User
) -> None:
    session_id = seed(fake_manager, CLIENT, ["private"])
    for user in (bob, root):
        client = login(user)
        for name in ("exports:markdown", "exports:json", "exports:pdf"):
            response = client.get(reverse(name, args=[CLIENT, session_id]))
            assert response.status_code == 404
            assert b"private" not in response.content
        response = client.get(reverse("exports:zip", args=[CLIENT]), {"session": session_id})
        assert response.status_code == 404
    assert _export_events() == []


def test_a_role_outside_export_roles_gets_404(
    fake_manager: ConversationStateManager, alice: User, settings: Settings
) -> None:
    settings.EXPORT_ROLES = ["clinician"]
    session_id = seed(fake_manager, CLIENT, ["x"])
    assert login(alice).get(reverse("exports:markdown", args=[CLIENT, session_id])).status_code == 404


def test_anonymous_users_are_sent_to_login(fake_manager: ConversationStateManager, db: None) -> None:
    session_id = seed(fake_manager, CLIENT, ["x"])
    from django.test import Client

    response = Client().get(reverse("exports:markdown", args=[CLIENT, session_id]))
    assert response.status_code == 302


def test_unknown_session_is_404(fake_manager: ConversationStateManager, alice: User) -> None:
    assert login(alice).get(reverse("exports:markdown", args=[CLIENT, "nope"])).status_code == 404


def test_zip_holds_each_session_and_a_manifest(fake_manager: ConversationStateManager, alice: User) -> None:
    first = seed(fake_manager, CLIENT, ["first session"])
    second = seed(fake_manager, CLIENT, ["second session"])
    seed(fake_manager, OTHER_CLIENT, ["someone else"])
    query = {"session": [first, second], "format": "all"}
    response = login(alice).get(reverse("exports:zip", args=[CLIENT]), query)
    assert response.status_code == 200
    _assert_download_headers(response, "zip", "application/zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert len([n for n in names if n.endswith(".md")]) == 2
    assert len([n for n in names if n.endswith(".json")]) == 2
    pdfs = [n for n in names if n.endswith(".pdf")]  # "all three formats" means three
    assert len(pdfs) == 2
    assert all(archive.read(n).startswith(b"%PDF-") for n in pdfs)
    manifest = archive.read("SHA256SUMS.txt").decode()
    for name in names[:-1]:
        assert f"{hashlib.sha256(archive.read(name)).hexdigest()}" in manifest
    events = _export_events()
    assert {e.session_id for e in events} == {first, second}
    assert all(e.detail["sha256"] == hashlib.sha256(response.content).hexdigest() for e in events)


def test_zip_with_another_clients_session_is_404(fake_manager: ConversationStateManager, alice: User) -> None:
    mine = seed(fake_manager, CLIENT, ["mine"])
    theirs = seed(fake_manager, OTHER_CLIENT, ["theirs"])
    response = login(alice).get(reverse("exports:zip", args=[CLIENT]), {"session": [mine, theirs]})
    assert response.status_code == 404
    assert _export_events() == []


def test_a_pdf_too_large_answers_503_with_a_page_and_is_audited(
    fake_manager: ConversationStateManager, alice: User, settings: Settings
) -> None:
    settings.PDF_MAX_MESSAGES = 2
    session_id = seed(fake_manager, CLIENT, ["a", "b", "c"])
    client = login(alice)
    response = client.get(reverse("exports:pdf", args=[CLIENT, session_id]))
    assert response.status_code == 503
    assert b"smaller range" in response.content
    assert b"Traceback" not in response.content
    [event] = _export_events()
    assert event.outcome == "refused"
    narrowed = client.get(reverse("exports:pdf", args=[CLIENT, session_id]), {"from": 2, "to": 3})
    assert narrowed.status_code == 200


def test_a_bad_range_is_400(fake_manager: ConversationStateManager, alice: User) -> None:
    session_id = seed(fake_manager, CLIENT, ["a", "b"])
    client, url = login(alice), reverse("exports:markdown", args=[CLIENT, session_id])
    assert client.get(url, {"from": "x"}).status_code == 400
    assert client.get(url, {"from": 2, "to": 1}).status_code == 400


def test_pdfa_download(fake_manager: ConversationStateManager, carmen: User) -> None:
    session_id = seed(fake_manager, CLIENT, ["a"])
    response = login(carmen).get(reverse("exports:pdf", args=[CLIENT, session_id]), {"archival": "1"})
    assert response.status_code == 200
    assert b"/EmbeddedFile" in response.content
    [event] = _export_events()
    assert event.detail["format"] == "pdf/a-3b"
