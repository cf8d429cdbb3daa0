"""Download views: access check → export service → an attachment with hardened headers.

Only therapists and clinicians assigned to the client (``check_client_access(purpose="export")``)
get a file; everyone else gets the same 404 as a record that does not exist.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from exports_app.errors import ExportRenderFailed, ExportTooLarge, InvalidRange
from exports_app.exporters import Export
from exports_app.pdf.slots import RenderBusy, render_slot
from exports_app.service import Requester, audit_refusal, export_session, export_sessions_zip
from ifemotion.accounts.models import User
from sessions_app.access import check_client_access
from sessions_app.errors import CorruptSession, InvalidInput, SessionNotFound, StateUnavailable
from sessions_app.state.keys import check_id

ERROR_TEMPLATE = "exports_app/export_error.html"
ZIP_FORMATS = {"md": ("md",), "json": ("json",), "pdf": ("pdf",), "all": ("md", "json", "pdf")}
DAMAGED = (
    "Part of this session's live record is damaged (a stored value has the wrong type), so it cannot "
    "be exported as a whole. Nothing was changed, and the problem has been logged for the operators. "
    "Once the archiver has moved the session, download it from the archive."
)


def attachment(result: Export) -> HttpResponse:
    """The file as a download: server-made ASCII filename, never cached, never sniffed."""
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response["Content-Length"] = str(len(result.content))
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    response = render(request, ERROR_TEMPLATE, {"title": title, "message": message}, status=status)
    response["Cache-Control"] = "no-store, private"
    return response


def _requester(request: HttpRequest) -> Requester:
    user = request.user
    if not isinstance(user, User):  # login_required and the access check already ensured it
        raise Http404("No such record.")
    return Requester(label=user.username, role=user.role, request=request)


def _seq(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise InvalidRange(f"'{name}' must be a message number (1 or more)")
    return int(raw)


def _checked_ids(client_id: str, session_ids: list[str]) -> None:
    try:
        check_id(client_id, "client_id")
        for session_id in session_ids:
            check_id(session_id, "session_id")
    except InvalidInput as exc:
        raise Http404("No such record.") from exc


def _download(request: HttpRequest, client_id: str, session_id: str, fmt: str) -> HttpResponse:
    check_client_access(request.user, client_id, purpose="export", request=request)
    _checked_ids(client_id, [session_id])
    requester = _requester(request)
    try:
        with _pdf_slot(request, fmt == "pdf"):
            result = export_session(
                requester=requester,
                client_id=client_id,
                session_id=session_id,
                fmt=fmt,
                archival=fmt == "pdf" and request.GET.get("archival") == "1",
                seq_from=_seq(request, "from"),
                seq_to=_seq(request, "to"),
            )
    except RenderBusy as exc:
        audit_refusal(requester, client_id, session_id, fmt, "busy")
        return _busy(request, exc)
    except SessionNotFound as exc:
        raise Http404("No such record.") from exc
    except InvalidRange as exc:
        return _error(request, 400, "Invalid message range", str(exc))
    except ExportTooLarge as exc:
        audit_refusal(requester, client_id, session_id, fmt, "too large")
        return _error(request, 503, "Export too large", str(exc))
    except CorruptSession:
        audit_refusal(requester, client_id, session_id, fmt, "damaged live record")
        return _error(request, 503, "Record damaged", DAMAGED)
    except (StateUnavailable, ExportRenderFailed) as exc:
        return _error(request, 503, "Export temporarily unavailable", _unavailable(exc))
    return attachment(result)


def _pdf_slot(request: HttpRequest, needed: bool) -> AbstractContextManager[None]:
    """A render slot for a PDF (per user and per host, see pdf/slots.py); nothing for other formats."""
    return render_slot(str(request.user.pk)) if needed else nullcontext()


def _busy(request: HttpRequest, exc: RenderBusy) -> HttpResponse:
    response = _error(request, 429, "Too many PDF exports at once", str(exc))
    response["Retry-After"] = str(exc.retry_after)
    return response


def _unavailable(exc: Exception) -> str:
    if isinstance(exc, StateUnavailable):
        return "Live records are temporarily unavailable. Please try again in a minute."
    return str(exc)


@login_required
@require_GET
def markdown(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    return _download(request, client_id, session_id, "md")


@login_required
@require_GET
def pdf(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    return _download(request, client_id, session_id, "pdf")


@login_required
@require_GET
def json(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    return _download(request, client_id, session_id, "json")


@login_required
@require_GET
def zip_bundle(request: HttpRequest, client_id: str) -> HttpResponse:
    """``?session=A&session=B[&format=md|json|pdf|all]``: several sessions of one client."""
    check_client_access(request.user, client_id, purpose="export", request=request)
    session_ids = list(dict.fromkeys(request.GET.getlist("session")))
    _checked_ids(client_id, session_ids)
    formats = ZIP_FORMATS.get(request.GET.get("format", "md"))
    if formats is None or not session_ids:
        return _error(request, 400, "Nothing to download", "Choose at least one session and a format.")
    if len(session_ids) > settings.EXPORT_ZIP_MAX_SESSIONS:
        return _error(
            request,
            400,
            "Too many sessions",
            f"At most {settings.EXPORT_ZIP_MAX_SESSIONS} sessions can be downloaded at once.",
        )
    requester = _requester(request)
    try:
        with _pdf_slot(request, "pdf" in formats):
            bundle = export_sessions_zip(
                requester=requester, client_id=client_id, session_ids=session_ids, formats=formats
            )
    except RenderBusy as exc:
        audit_refusal(requester, client_id, "", "zip", "busy")
        return _busy(request, exc)
    except SessionNotFound as exc:
        raise Http404("No such record.") from exc
    except ExportTooLarge as exc:
        audit_refusal(requester, client_id, "", "zip", "too large")
        return _error(request, 503, "Export too large", str(exc))
    except CorruptSession:
        audit_refusal(requester, client_id, "", "zip", "damaged live record")
        return _error(request, 503, "Record damaged", DAMAGED)
    except (StateUnavailable, ExportRenderFailed) as exc:
        return _error(request, 503, "Export temporarily unavailable", _unavailable(exc))
    return attachment(bundle)
