"""The one-page client summary PDF (PDF/A-3b): the client page's numbers for a chosen period, its trend
chart, and the same data as JSON attached inside. Rendered by the exports' sandboxed renderer with a
one-page limit: a period that does not fit is refused with a clear message, never cut off.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from django.template.loader import render_to_string

from exports_app.errors import ExportTooLarge, ExportTooLong
from exports_app.exporters import CONTENT_TYPES, Export, safe_id
from exports_app.pdf.export import render_sandboxed
from exports_app.pdf.protocol import RenderJob
from exports_app.summary.document import SummaryDocument
from exports_app.text import visible_line
from sessions_app.dashboard.client_page import ClientPage
from sessions_app.emotions import INFERRED_NOTE

TEMPLATE = "exports_app/client_summary_print.html"
# Rows that fit under the chart on one landscape A4 page at a readable size (7 pt); the renderer's
# page check is the guarantee, this bound the early, cheap refusal.
MAX_SESSIONS = 24
TOO_MANY = (
    "The one-page summary holds at most {limit} sessions; this period has {count}. "
    "Choose a shorter period on the client page."
)


def summary_html(doc: SummaryDocument) -> str:
    """Autoescaped template; only our own chart SVG is marked safe (built in ``client_page``)."""
    context: dict[str, Any] = {
        "doc": doc,
        "page": doc.page,
        "client_id": visible_line(doc.page.client_id),
        "requested_by": visible_line(doc.requested_by),
        "inferred_note": INFERRED_NOTE,
        "json_sha256": doc.json_sha256(),
    }
    return render_to_string(TEMPLATE, context)


def client_summary_pdf(
    page: ClientPage, *, requested_by: str, generated_at: datetime | None = None
) -> Export:
    """Raises ``ExportTooLarge`` (too many sessions, or it would not fit on one page)."""
    if len(page.rows) > MAX_SESSIONS:
        raise ExportTooLarge(TOO_MANY.format(limit=MAX_SESSIONS, count=len(page.rows)))
    doc = SummaryDocument(page, requested_by, generated_at or datetime.now(UTC), str(uuid.uuid4()))
    stamp = doc.generated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"ifemotion-summary-{safe_id(page.client_id)}-{stamp}"
    attachment = (
        f"{name}.json",
        doc.json_bytes(),
        "The summary's numbers as JSON (the same strings as the page)",
    )
    job = RenderJob(html=summary_html(doc), archival=True, attachments=[attachment], max_pages=1)
    try:
        content = render_sandboxed(job)
    except ExportTooLong as exc:
        raise ExportTooLarge(
            "This period's summary does not fit on one page. Choose a shorter period on the client page."
        ) from exc
    return Export(f"{name}.pdf", CONTENT_TYPES["pdf"], content, doc.json_sha256())
