"""The one-page client summary PDF (PDF/A-3b): exactly one page, the PDF/A checks the exports use, the
client page's numbers and nothing else, access and audit like every export."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pytest_django.fixtures import Settings

from exports_app.errors import ExportTooLong
from exports_app.pdf.export import render_sandboxed
from exports_app.pdf.protocol import RenderJob
from exports_app.summary import export as summary_export
from ifemotion.accounts.identity import start_break_glass
from ifemotion.accounts.models import AuditEvent, User
from sessions_app.state.manager import ConversationStateManager
from tests.dashboard.journeys import NOW, archive_away, real_session
from tests.exports_app.test_pdf import pdftotext, streams_text
from tests.support import AVA, login

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils is not installed"),
]
URL = f"/exports/{AVA}/summary.pdf"


def pdf_pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))  # type: ignore[union-attr]


def page_rows(body: str) -> list[list[str]]:
    table = body[body.index('<table class="client-sessions">') :]
    table = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(c))).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    ]


def attachment(pdf: bytes) -> dict[str, Any]:
    reader = PdfReader(io.BytesIO(pdf))
    (name,) = reader.attachments
    assert name.startswith(f"ifemotion-summary-{AVA}-")
    assert name.endswith(".json")
    data: dict[str, Any] = json.loads(reader.attachments[name][0])
    return data


def course(manager: ConversationStateManager, count: int, *, messages: int = 30) -> list[str]:
    ids = []
    for number in range(1, count + 1):
        session = real_session(
            manager, AVA, number, messages=messages, days_ago=count - number + 1, closed=number < count
        )
        ids.append(session.session_id)
    return ids


def test_one_page_pdfa_whose_every_number_is_the_pages(
    fake_manager: ConversationStateManager, alice: User, tmp_path: Path
) -> None:
    ids = course(fake_manager, 5, messages=60)
    archive_away(fake_manager, AVA, ids[0])
    client = login(alice)
    body = client.get(f"/clients/{AVA}/").content.decode()
    assert f'href="{URL}"' in body

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(f'attachment; filename="ifemotion-summary-{AVA}-')
    pdf = response.content
    assert pdf_pages(pdf, tmp_path) == 1
    xmp = streams_text(pdf)
    assert re.search(rb"pdfaid:part[^0-9]{0,3}3", xmp)
    assert re.search(rb"pdfaid:conformance[^A-Z]{0,3}B", xmp)

    data = attachment(pdf)
    text = re.sub(r"\s+", " ", pdftotext(pdf, tmp_path))
    rows = page_rows(body)
    assert [s["session_id"] for s in data["sessions"]] == ids
    for row, session in zip(rows, data["sessions"], strict=True):
        affect = session["negative_affect"]
        on_page = [row[0], row[3], row[4], row[5], row[6]]
        in_json = [
            str(session["number"]),
            f"{session['messages']} ({session['client_turns']})",
            affect["start"],
            affect["end"],
            affect["mean"],
        ]
        assert on_page == in_json
        assert row[7].startswith(affect["shift"])
        assert f"{affect['first_third']} → {affect['last_third']}" in row[7]
        assert all(f"{d['label']} {d['share']}" in row[8] for d in session["dominant"])
        assert [row[9], row[10]] == [str(session["milestones"]), str(session["breakthroughs"])]
        printed = (
            f"{session['number']} {session['session_id']} "
            f"{session['started_at'][:10]} {session['started_at'][11:16]}"
        )
        assert printed in text
        assert (
            f"{session['messages']} ({session['client_turns']}) "
            f"{affect['start']} {affect['end']} {affect['mean']} {affect['shift']} "
            f"{affect['first_third']}→{affect['last_third']}"
        ) in text
    totals = data["totals"]
    assert f"<dt>Mean negative affect</dt><dd>{totals['mean_negative_affect']} " in body
    assert f"<dt>Messages</dt><dd>{totals['messages']} ({totals['client_turns']} by the client)</dd>" in body
    assert f"{totals['mean_negative_affect']} (mean of session means" in text
    assert f"{totals['messages']} ({totals['client_turns']} by the client)" in text
    assert "inferred from the conversation, not a validated clinical measure" in text
    assert "Page 1 of 1" in text


def test_the_chosen_period_is_the_pages_period(fake_manager: ConversationStateManager, alice: User) -> None:
    ids = course(fake_manager, 4)
    query = {"since": (NOW - timedelta(days=2)).date().isoformat()}
    client = login(alice)
    body = client.get(f"/clients/{AVA}/", query).content.decode()
    data = attachment(client.get(URL, query).content)
    assert (
        [s["session_id"] for s in data["sessions"]] == [r[1].split()[0] for r in page_rows(body)] == ids[-2:]
    )
    assert data["period"]["query"] == f"since={query['since']}"
    assert client.get(URL, {"since": "2026-05-02", "until": "2026-05-01"}).status_code == 400


def test_more_sessions_than_a_page_holds_are_refused_clearly(
    fake_manager: ConversationStateManager, alice: User, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    course(fake_manager, summary_export.MAX_SESSIONS, messages=8)
    client = login(alice)
    fits = client.get(URL)
    assert fits.status_code == 200
    assert pdf_pages(fits.content, tmp_path) == 1  # the most sessions the summary promises, on one page

    real_session(fake_manager, AVA, 99, messages=8)
    refused = client.get(URL)
    assert refused.status_code == 400
    assert (
        f"at most {summary_export.MAX_SESSIONS} sessions; this period has {summary_export.MAX_SESSIONS + 1}"
        in refused.content.decode()
    )
    assert AuditEvent.objects.filter(action="export", client_id=AVA, outcome="refused").count() == 1

    monkeypatch.setattr(summary_export, "MAX_SESSIONS", 500)  # past the early bound: the page check decides
    real_session(fake_manager, AVA, 100, messages=8)
    for number in range(101, 120):
        real_session(fake_manager, AVA, number, messages=8)
    too_long = client.get(URL)
    assert too_long.status_code == 400
    assert "does not fit on one page" in too_long.content.decode()


def test_the_renderer_refuses_a_document_longer_than_its_page_limit() -> None:
    html = "<p style='break-after: page'>one</p><p>two</p>"
    with pytest.raises(ExportTooLong, match="needs 2 pages"):
        render_sandboxed(RenderJob(html=html, max_pages=1))
    assert render_sandboxed(RenderJob(html=html, max_pages=2)).startswith(b"%PDF-")


def test_only_those_who_may_export_get_it_and_each_download_is_audited(
    fake_manager: ConversationStateManager, alice: User, bob: User, settings: Settings
) -> None:
    course(fake_manager, 2)
    assert login(bob).get(URL).status_code == 404
    start_break_glass(user=bob, client_id=AVA, reason="client in crisis, assigned therapist unreachable")
    assert login(bob).get(f"/clients/{AVA}/").status_code == 200  # may read ...
    assert login(bob).get(URL).status_code == 404  # ... never export
    response = login(alice).get(URL)
    event = AuditEvent.objects.filter(action="export", client_id=AVA, actor="alice").latest("id")
    assert event.detail["format"] == "client-summary-pdf/a-3b"
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert len(event.detail["sessions"]) == 2
    settings.EXPORT_ROLES = ["clinician"]
    assert login(alice).get(URL).status_code == 404
