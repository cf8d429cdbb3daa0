from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ifemotion.accounts.middleware import passive
from ifemotion.accounts.models import User
from sessions_app.access import NOT_FOUND, check_client_access, export_roles, readable_client_ids
from sessions_app.dashboard import journey, pages
from sessions_app.dashboard.forms import SessionFilterForm
from sessions_app.dashboard.journey import checked_citation
from sessions_app.dashboard.listing import list_sessions
from sessions_app.errors import CorruptSession, SessionNotFound, StateUnavailable
from sessions_app.notes.pages import session_cards
from sessions_app.review.pages import list_marks


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("review:inbox")  # home is the review inbox (sessions_app/review)


# --- The therapist dashboard ---------------------------------------------------------------------
# Every record view: decorators -> check_client_access (404 without a grant) -> dashboard service.
# Record pages send Cache-Control: no-store (never_cache); Redis trouble is a 503 page, not a 500.


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - guaranteed by login_required
    return request.user


def _number(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 9 else None


def _transcript_page(request: HttpRequest, focus: int | None) -> int | None:
    """The transcript page asked for (``tp``), else the one holding the message deep-linked by ``m``."""
    page = _number(request, "tp")
    if page is None and focus:
        return pages.transcript_page_of(focus)
    return page


def _citations(request: HttpRequest) -> dict[str, Any]:
    """The citations page asked for (``cp``) and the citation a provenance link highlights (``c``)."""
    return {
        "citations_page": _number(request, "cp"),
        "citation_focus": checked_citation(request.GET.get("c", "")),
    }


def record_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Map the state layer's errors to pages: not found -> 404, Redis down or corrupt -> 503."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except SessionNotFound:
            raise Http404(NOT_FOUND) from None
        except CorruptSession:
            context = {"problem": "corrupt"}
            return render(request, "sessions_app/session_unavailable.html", context, status=503)
        except StateUnavailable:
            context = {"problem": "unavailable"}
            return render(request, "sessions_app/session_unavailable.html", context, status=503)

    return wrapper


@never_cache
@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    client_ids = readable_client_ids(_user(request))
    form = SessionFilterForm(request.GET or None, client_ids=client_ids)
    result = list_sessions(client_ids, form.filters(), page=_number(request, "page") or 1)
    pages.record_list_view(request, _user(request), result.page, len(result.rows))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form, "result": result, "query": query.urlencode(), "client_count": len(client_ids),
        "client_ids": client_ids, "selected_client": form.filters().client,
        "may_export": _user(request).role in export_roles(),
    }  # fmt: skip
    context["review_marks"] = list_marks(_user(request), result.rows, now=timezone.now())
    status = 503 if result.live_unavailable else 200
    return render(request, "sessions_app/session_list.html", context, status=status)


@never_cache
@login_required
@require_GET
@record_errors
def session_detail(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    grant = check_client_access(request.user, client_id, purpose="view", request=request)
    focus = _number(request, "m")
    view = pages.session_view(grant, session_id, page=_transcript_page(request, focus), **_citations(request))
    pages.record_view(request, grant, session_id)
    context = {"grant": grant, "view": view, "tp": view.transcript.page, "focus": focus}
    context["missing_focus"] = bool(focus) and not any(
        getattr(m, "seq", None) == focus for m in view.transcript.items
    )
    context |= session_cards(grant, view.state, is_live=view.is_live)  # notes, guidance, inferences
    return render(request, "sessions_app/session_detail.html", context)


@never_cache
@login_required
@require_GET
@record_errors
def session_provenance(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    """A journey link the page could not resolve without reading unarchived live messages: resolved
    now, then a redirect to the message (highlighted) and its citation."""
    check_client_access(request.user, client_id, purpose="view", request=request)
    url = journey.resolve(client_id, session_id, checked_citation(request.GET.get("c", "")))
    if url is None:
        messages.warning(request, "The message of that emotion update could not be found.")
        return redirect("sessions:detail", client_id=client_id, session_id=session_id)
    return redirect(url)


@never_cache
@login_required
@require_GET
def session_jump(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    """The "go to message" form: a redirect to the message's deep link (page, highlight, scroll)."""
    check_client_access(request.user, client_id, purpose="view", request=request)
    seq = _number(request, "m")
    if not seq:
        messages.warning(request, "Enter a message number (1 or more).")
        return redirect("sessions:detail", client_id=client_id, session_id=session_id)
    return redirect(pages.message_url(client_id, session_id, seq))


@passive
@never_cache
@login_required
@require_GET
@record_errors
def session_live(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    """htmx polling: 204 when nothing changed (one cheap round trip), else the fresh live sections."""
    grant = check_client_access(request.user, client_id, purpose="view", request=request)
    if pages.live_token(client_id, session_id) == request.GET.get("token"):
        return HttpResponse(status=204)
    focus = _number(request, "m")
    view = pages.session_view(grant, session_id, page=_transcript_page(request, focus), **_citations(request))
    context = {"grant": grant, "view": view, "tp": view.transcript.page, "focus": focus}
    return render(request, "sessions_app/session_live.html", context)
