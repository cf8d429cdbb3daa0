"""``/exports/<client>/summary.pdf?since=&until=``: the one-page client summary (PDF/A-3b).

Access check for "export" (same 404 as a missing record without it), the client page's own numbers
for the same period in the requester's time zone, the sandboxed render, one audit row.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from exports_app.errors import ExportRenderFailed, ExportTooLarge
from exports_app.service import Requester, audit_refusal
from exports_app.summary.export import client_summary_pdf
from exports_app.views import _error, _requester, attachment
from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, User
from sessions_app.access import check_client_access
from sessions_app.dashboard.client_page import ClientPage, client_page
from sessions_app.dashboard.client_views import period_of

FORMAT = "client-summary-pdf/a-3b"


def _audit(
    requester: Requester, page: ClientPage, result_sha256: str, summary_sha256: str, size: int
) -> None:
    audit.record(
        AuditAction.EXPORT,
        actor=requester.label,
        role=requester.role,
        request=requester.request,
        client_id=page.client_id,
        detail={
            "format": FORMAT,
            "sha256": result_sha256,
            "summary_sha256": summary_sha256,
            "bytes": size,
            "sessions": [row.session_id for row in page.rows],
            "period": page.period.query(),
            "live_unavailable": page.live_unavailable,
        },
    )


@login_required
@require_GET
def client_summary(request: HttpRequest, client_id: str) -> HttpResponse:
    grant = check_client_access(request.user, client_id, purpose="export", request=request)
    assert isinstance(request.user, User)  # noqa: S101 - guaranteed by login_required and the check
    form, period = period_of(request)
    if form.is_bound and not form.is_valid():
        return _error(request, 400, "Invalid period", "The start of the period is after its end.")
    requester = _requester(request)
    page = client_page(grant, request.user, period, links=False)
    try:
        result = client_summary_pdf(page, requested_by=requester.label)
    except ExportTooLarge as exc:
        audit_refusal(requester, client_id, "", FORMAT, "too large")
        return _error(request, 400, "Choose a shorter period", str(exc))
    except ExportRenderFailed as exc:
        return _error(request, 503, "Export temporarily unavailable", str(exc))
    _audit(requester, page, result.sha256, result.record_sha256, len(result.content))
    return attachment(result)
