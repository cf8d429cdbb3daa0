"""Reviewing the chatbot's inferences of a session, and the agreement between clinicians and it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from ifemotion.accounts.models import User
from sessions_app.access import NOT_FOUND, AccessGrant, assigned_client_ids, check_client_access
from sessions_app.dashboard.views import record_errors
from sessions_app.notes import adjudication, reads
from sessions_app.notes.actor import Actor, record_page_view
from sessions_app.notes.agreement import agreement
from sessions_app.notes.errors import ClinicalTextInvalid, NotesError
from sessions_app.notes.forms import AdjudicationForm, AgreementFilterForm, bound_form
from sessions_app.notes.records import AdjudicationRecord

TEMPLATE = "notes/inference_review.html"


@dataclass(frozen=True)
class ReviewRow:
    item: adjudication.Inference
    decision: AdjudicationRecord | None
    history: int
    form: AdjudicationForm | None
    error: str = ""


def _rows(
    grant: AccessGrant, session_id: str, bound: tuple[str, str, AdjudicationForm, str] | None = None
) -> list[ReviewRow]:
    decided = reads.session_decisions(grant.client_id, session_id)
    rows = []
    for item in adjudication.inferences(grant.client_id, session_id):
        current = decided.get((item.kind, item.item_id))
        form: AdjudicationForm | None = None
        error = ""
        if not grant.read_only:
            if bound is not None and (bound[0], bound[1]) == (item.kind, item.item_id):
                form, error = bound[2], bound[3]
            else:
                form = AdjudicationForm(prefix=item.item_id)
        history = current.version if current else 0
        rows.append(ReviewRow(item=item, decision=current, history=history, form=form, error=error))
    return rows


def _render(
    request: HttpRequest, grant: AccessGrant, session_id: str, rows: list[ReviewRow], status: int = 200
) -> HttpResponse:
    context = {"grant": grant, "session_id": session_id, "rows": rows}
    return render(request, TEMPLATE, context, status=status)


@never_cache
@login_required
@require_GET
@record_errors
def inference_review(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    grant = check_client_access(request.user, client_id, purpose="view", request=request)
    rows = _rows(grant, session_id)
    record_page_view(grant, page="inferences", request=request, session_id=session_id)
    return _render(request, grant, session_id, rows)


@never_cache
@login_required
@require_POST
@sensitive_post_parameters()
@record_errors
def adjudicate(
    request: HttpRequest, client_id: str, session_id: str, kind: str, item_id: str
) -> HttpResponse:
    grant = check_client_access(request.user, client_id, purpose="annotate", request=request)
    if kind not in adjudication.KINDS:
        raise Http404(NOT_FOUND)
    form = bound_form(AdjudicationForm, request, prefix=item_id)
    if form.is_valid():
        try:
            adjudication.adjudicate(actor=Actor.of(grant, origin=request), session_id=session_id, kind=kind,
                                    item_id=item_id, **form.cleaned_data)  # fmt: skip
        except ClinicalTextInvalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        except NotesError:
            raise Http404(NOT_FOUND) from None
        else:
            messages.success(request, "Decision recorded.")
            response = redirect("notes:inferences", client_id=client_id, session_id=session_id)
            response["Location"] += f"#i-{item_id}"
            return response
    rows = _rows(grant, session_id, bound=(kind, item_id, form, "The decision was not recorded."))
    return _render(request, grant, session_id, rows, status=400)


def _period(form: AgreementFilterForm) -> tuple[datetime | None, datetime | None]:
    data = form.cleaned_data if form.is_valid() else {}
    since, until = data.get("since"), data.get("until")
    start = datetime.combine(since, time.min, tzinfo=UTC) if since else None
    end = datetime.combine(until, time.min, tzinfo=UTC) + timedelta(days=1) if until else None
    return start, end


@never_cache
@login_required
@require_GET
def agreement_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by login_required
    client_ids = assigned_client_ids(user)
    form = AgreementFilterForm(request.GET or None, client_ids=client_ids)
    chosen = form.cleaned_data.get("client") if form.is_valid() else ""
    since, until = _period(form)
    decisions = reads.decisions_in_period([chosen] if chosen else client_ids, since=since, until=until)
    context: dict[str, Any] = {"form": form, "result": agreement(decisions)}
    return render(request, "notes/agreement.html", context)
