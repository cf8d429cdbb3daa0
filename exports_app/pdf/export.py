"""PDF export: the print template rendered by Django (autoescaped), then WeasyPrint in a sandbox.

Each render runs in its own process, forked from a small render server (``pdf_render``) that this
web worker starts on first use and that has WeasyPrint loaded and warmed. The render process has an
address-space limit (``PDF_RENDER_MEMORY_MB``), a CPU limit and a wall-clock alarm
(``PDF_RENDER_TIMEOUT_SECONDS``). Anything beyond those limits is ``ExportTooLarge``: the worker that
asked stays healthy and the user is told to narrow the range.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from exports_app.document import JOURNEY_NOTE, TITLE, ExportDocument, out_of_ten, two_places, utc
from exports_app.errors import ExportRenderFailed, ExportTooLarge, ExportTooLong
from exports_app.pdf.clinical import clinical_context
from exports_app.pdf.protocol import LENGTH, OK, TOO_LARGE, TOO_MANY_PAGES, RenderJob
from exports_app.text import visible, visible_line
from sessions_app.dashboard.charts import emotion_chart_svg

logger = logging.getLogger(__name__)
TEMPLATE = "exports_app/session_print.html"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 30.0


class RenderServer:
    """The render server of this process (restarted after a fork or if it died)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._owner_pid = 0
        self._dir = ""
        self.path = ""

    def ensure_running(self) -> str:
        with self._lock:
            alive = self._process is not None and self._process.poll() is None
            if not alive or self._owner_pid != os.getpid():
                self._start()
            return self.path

    def _start(self) -> None:
        self._stop_locked()
        self._dir = tempfile.mkdtemp(prefix="ifemotion-pdf-")  # mode 0700: only we can connect
        self.path = os.path.join(self._dir, "render.sock")
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
            [sys.executable, "-m", "exports_app.pdf.render", self.path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=str(PROJECT_ROOT),
            env=env,
        )
        self._process, self._owner_pid = process, os.getpid()
        if not _wait_ready(process.stdout, START_TIMEOUT_SECONDS):
            self._stop_locked()
            raise ExportRenderFailed("The PDF renderer did not start. The error has been logged.")

    def _stop_locked(self) -> None:
        if self._process is not None and self._owner_pid == os.getpid():
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait(5)
            if self._dir:
                shutil.rmtree(self._dir, ignore_errors=True)
        self._process = None

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()


def _wait_ready(stream: IO[bytes] | None, timeout: float) -> bool:
    if stream is None:
        return False
    result: list[bytes] = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not result or result[0].strip() != b"ready":
        logger.error("PDF render server failed to start")
        return False
    return True


SERVER = RenderServer()
atexit.register(SERVER.stop)


def render_html(doc: ExportDocument) -> str:
    """The print HTML. Every piece of user text goes through autoescape; only our SVG is marked safe."""
    emotion = doc.record.state.emotion
    context: dict[str, Any] = {
        "title": TITLE,
        "doc": doc,
        "header": [(label, visible_line(value)) for label, value in doc.header],
        "requested_by": visible_line(doc.context.requested_by),
        "generated_at": doc.generated_at,
        "client_id": visible_line(doc.record.client_id),
        "session_id": visible_line(doc.record.session_id),
        "emotion": {
            "name": emotion.current_emotion.value,
            "intensity": out_of_ten(emotion.emotion_intensity),
            "confidence": two_places(emotion.emotion_confidence),
            "changed": utc(emotion.last_emotion_change),
            "citation": visible_line(emotion.emotion_tracking_id or ""),
        },
        # Our own generated, self-escaped SVG: the one thing that is not autoescaped.
        "chart": mark_safe(emotion_chart_svg(doc.record.state.emotion_log)),  # noqa: S308
        "journey_note": JOURNEY_NOTE,
        "transitions": [
            {
                "at": utc(e.transition.at),
                "from": e.transition.from_emotion.value if e.transition.from_emotion is not None else "—",
                "to": e.transition.to_emotion.value,
                "intensity": out_of_ten(e.transition.intensity),
                "confidence": e.confidence,
                "message": e.message,
                "message_citation": visible_line(e.message_citation),
                "citation": visible_line(e.transition.citation_id),
            }
            for e in doc.journey
        ],
        "milestones": [
            {
                "at": utc(m.at),
                "text": visible(m.description),
                "emotion": m.emotion.value if m.emotion is not None else "—",
                "count": m.message_count,
                "citation": visible_line(m.citation_id),
            }
            for m in doc.milestones
        ],
        "breakthroughs": [
            {
                "at": utc(b.at),
                "text": visible(b.description),
                "category": b.category.value,
                "confidence": two_places(b.confidence),
                "citation": visible_line(b.citation_id),
                "evidence": ", ".join(visible_line(e) for e in b.evidence),
            }
            for b in doc.breakthroughs
        ],
        "entries": [
            {
                "kind": e.kind,
                "heading": visible_line(e.heading),
                "text": visible(e.text),
                "meta": visible_line(e.meta),
                "citation": visible_line(e.citation_id),
            }
            for e in doc.entries
        ],
        "context_fields": [(label, visible(value)) for label, value in doc.context_fields],
        **clinical_context(doc),
        "notes_meta": visible_line(doc.notes_meta),
        "export_citation": visible_line(doc.export_citation),
    }
    return render_to_string(TEMPLATE, context)


def render_pdf_document(
    doc: ExportDocument, *, archival: bool = False, attachments: list[tuple[str, bytes, str]] | None = None
) -> bytes:
    if doc.shown_messages > settings.PDF_MAX_MESSAGES:
        raise ExportTooLarge(
            f"A PDF can show at most {settings.PDF_MAX_MESSAGES} messages; this export has "
            f"{doc.shown_messages}. Export a smaller range, or download Markdown or JSON instead."
        )
    html = render_html(doc)
    if len(html.encode("utf-8")) > settings.PDF_MAX_HTML_BYTES:
        raise ExportTooLarge()
    return render_sandboxed(RenderJob(html=html, archival=archival, attachments=attachments or []))


def render_sandboxed(job: RenderJob) -> bytes:
    """Run one render in a disposable process under the configured time and memory limits."""
    timeout = float(settings.PDF_RENDER_TIMEOUT_SECONDS)
    request = RenderJob(
        html=job.html,
        archival=job.archival,
        attachments=job.attachments,
        memory_mb=int(settings.PDF_RENDER_MEMORY_MB),
        timeout_seconds=timeout,
        max_pages=job.max_pages,
    ).encode()
    payload = _exchange(SERVER.ensure_running(), request, timeout + 5)
    status, body = payload[:1], payload[1:]
    if status == OK:
        size = LENGTH.unpack(body[: LENGTH.size])[0] if len(body) >= LENGTH.size else -1
        if size == len(body) - LENGTH.size:
            return body[LENGTH.size :]
        payload = b""  # cut off mid-answer: the render process was stopped while sending
    if status == TOO_MANY_PAGES:
        raise ExportTooLong(
            f"The document needs {body.decode('ascii', 'replace')} pages; it may have {job.max_pages}."
        )
    if status == TOO_LARGE or not payload:
        # No answer at all: the render process was killed by its memory, CPU or time limit.
        logger.warning("PDF render stopped at its resource limits")
        raise ExportTooLarge()
    logger.error("PDF render failed: %s", body[:100].decode("ascii", errors="replace"))
    raise ExportRenderFailed("The PDF could not be rendered. The error has been logged.")


def _exchange(path: str, request: bytes, deadline_seconds: float) -> bytes:
    deadline = time.monotonic() + deadline_seconds
    chunks: list[bytes] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(deadline_seconds)
        try:
            conn.connect(path)
        except OSError as exc:
            logger.error("PDF render server unreachable: %s", type(exc).__name__)
            raise ExportRenderFailed("The PDF renderer is unavailable. Please try again.") from exc
        try:
            conn.sendall(request)
            conn.shutdown(socket.SHUT_WR)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ExportTooLarge()
                conn.settimeout(remaining)
                chunk = conn.recv(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        except TimeoutError as exc:
            raise ExportTooLarge() from exc
        except (ConnectionError, FileNotFoundError):
            # The render child died mid-answer (killed at a limit): whatever arrived is incomplete.
            return b""
    return b"".join(chunks)
