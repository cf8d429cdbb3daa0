"""PDF export: same content, read back with poppler; nothing fetched, nothing embedded, bounded."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pytest_django.fixtures import Settings
from weasyprint import HTML

from exports_app.errors import ExportTooLarge
from exports_app.exporters import pdf_export
from exports_app.pdf.export import render_sandboxed
from exports_app.pdf.protocol import RenderJob
from tests.exports_app.conftest import Canary
from tests.exports_app.factories import make_context, make_record
from tests.exports_app.payloads import HOSTILE

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "export.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def hostile_html(canary: Canary, secret: Path) -> list[str]:
    url = canary.url
    return [
        f'<img src="{url}/img">',
        f'<link rel="stylesheet" href="{url}/link.css">',
        f'<div style="background: url({url}/css-url.png)">x</div>',
        f"<style>@import url({url}/import.css); body {{ background: url('{url}/bg.png') }}</style>",
        f'<svg xmlns="http://www.w3.org/2000/svg"><image href="{url}/svg.png" width="9" height="9"/></svg>',
        f'<link rel="attachment" href="file://{secret}">',
        f'<img src="file://{secret}">',
        f'<object data="file://{secret}"></object>',
        f'<iframe src="{url}/iframe"></iframe>',
        f'<a href="{url}/link">link</a>',
    ]


def streams_text(pdf: bytes) -> bytes:
    """The PDF bytes plus every zlib-decompressed stream in it."""
    out = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        try:
            out.append(zlib.decompressobj().decompress(pdf[start : start + 5_000_000]))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_every_message_is_in_the_pdf_in_order(tmp_path: Path) -> None:
    texts = [f"MARK{i:03d} " + HOSTILE[i % len(HOSTILE)] for i in range(60)]
    record = make_record(texts)
    result = pdf_export(record, make_context())
    assert result.content.startswith(b"%PDF-")
    assert result.filename == "ifemotion-sess-42-20251130T150000Z.pdf"
    text = pdftotext(result.content, tmp_path)
    positions = [text.find(f"MARK{i:03d}") for i in range(60)]
    assert all(p >= 0 for p in positions), "a message is missing from the PDF"
    assert positions == sorted(positions), "messages are out of order"
    assert "# Therapist note" in text  # shown as text, where the client wrote it
    assert "[U+202E]" in text
    assert "Page 1 of" in text
    for needle in ("client-7", "sess-42", "alice", "2025-11-30T15:00:00Z"):
        assert needle in text


def test_pdf_metadata_carries_the_record_hash() -> None:
    record = make_record(["one", "two"])
    result = pdf_export(record, make_context())
    meta = PdfReader(io.BytesIO(result.content)).metadata
    assert meta is not None
    assert str(meta["/ifemotionrecordsha256"]) == result.record_sha256
    assert str(meta["/ifemotionsessionid"]) == "sess-42"
    assert str(meta["/Author"]) == "alice"


def test_canary_detects_the_default_fetcher(canary: Canary) -> None:
    """Positive control: WeasyPrint's default fetcher does call out, so zero hits below means something."""
    HTML(string=f'<img src="{canary.url}/control">').write_pdf()
    assert canary.hits == ["/control"]


def test_hostile_messages_fetch_nothing(canary: Canary, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-SECRET-7f3a")
    payloads = hostile_html(canary, secret)
    record = make_record(payloads, notes="\n".join(payloads), milestone_text=payloads[0])
    result = pdf_export(record, make_context())
    time.sleep(0.2)
    assert canary.hits == []
    assert b"/EmbeddedFile" not in result.content
    assert b"CANARY-SECRET-7f3a" not in streams_text(result.content)


def test_the_renderer_itself_refuses_every_url(canary: Canary, tmp_path: Path) -> None:
    """Defence in depth: even unescaped hostile HTML fetches nothing and embeds nothing."""
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-SECRET-9b1c")
    html = "<html><body>" + "".join(hostile_html(canary, secret)) + "<p>done</p></body></html>"
    pdf = render_sandboxed(RenderJob(html=html))
    time.sleep(0.2)
    assert canary.hits == []
    assert b"/EmbeddedFile" not in pdf
    assert b"CANARY-SECRET-9b1c" not in streams_text(pdf)


def test_pdfa_embeds_the_markdown_and_json_exports() -> None:
    record = make_record(["one", "two"])
    result = pdf_export(record, make_context(), archival=True)
    reader = PdfReader(io.BytesIO(result.content))
    names = sorted(reader.attachments)
    assert names == ["ifemotion-sess-42-20251130T150000Z.json", "ifemotion-sess-42-20251130T150000Z.md"]
    md = reader.attachments[names[1]][0].decode()
    assert f"`{result.record_sha256}`" in md
    xmp = streams_text(result.content)
    assert re.search(rb"pdfaid:part[^0-9]{0,3}3", xmp)
    assert re.search(rb"pdfaid:conformance[^A-Z]{0,3}B", xmp)


def test_too_many_messages_is_refused_before_rendering(settings: Settings) -> None:
    settings.PDF_MAX_MESSAGES = 5
    with pytest.raises(ExportTooLarge, match="at most 5 messages"):
        pdf_export(make_record([str(i) for i in range(6)]), make_context())
    # A range within the limit renders.
    assert pdf_export(make_record([str(i) for i in range(6)]), make_context(seq_from=1, seq_to=5)).content


@pytest.mark.slow  # a renderer killed at its time or memory limit
def test_a_render_over_time_is_killed_and_the_next_one_works(settings: Settings) -> None:
    settings.PDF_RENDER_TIMEOUT_SECONDS = 1.0
    rows = "".join(f"<tr><td>{i}</td><td>{'x ' * 40}</td></tr>" for i in range(30_000))
    started = time.monotonic()
    with pytest.raises(ExportTooLarge):
        render_sandboxed(RenderJob(html=f"<table>{rows}</table>"))
    assert time.monotonic() - started < 8
    settings.PDF_RENDER_TIMEOUT_SECONDS = 30.0
    assert render_sandboxed(RenderJob(html="<p>still healthy</p>")).startswith(b"%PDF-")


@pytest.mark.slow  # a renderer killed at its time or memory limit
def test_a_render_over_memory_is_stopped(settings: Settings) -> None:
    # The render server is ~150 MB of address space with WeasyPrint loaded; a small PDF fits in 400.
    settings.PDF_RENDER_MEMORY_MB = 400
    settings.PDF_RENDER_TIMEOUT_SECONDS = 30.0
    assert render_sandboxed(RenderJob(html="<p>small</p>")).startswith(b"%PDF-")
    started = time.monotonic()
    with pytest.raises(ExportTooLarge):
        render_sandboxed(RenderJob(html="<p>" + "abc " * 15_000_000 + "</p>"))
    assert time.monotonic() - started < 20
    settings.PDF_RENDER_MEMORY_MB = 2048
    assert render_sandboxed(RenderJob(html="<p>still healthy</p>")).startswith(b"%PDF-")


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(texts=st.lists(st.text(max_size=60), min_size=1, max_size=3))
def test_arbitrary_text_renders_with_every_message_heading(texts: list[str], tmp_path: Path) -> None:
    result = pdf_export(make_record(texts, notes=texts[0]), make_context())
    text = pdftotext(result.content, tmp_path)
    assert len(re.findall(r"Message \d+ · ", text)) == len(texts)
