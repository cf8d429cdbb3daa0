"""The client's guidance page: the current guidance for the chatbot, its versions, and the form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from sessions_app.access import AccessGrant, check_client_access
from sessions_app.notes import guidance, reads
from sessions_app.notes.actor import Actor, record_page_view
from sessions_app.notes.errors import ClinicalTextInvalid
from sessions_app.notes.forms import GuidanceForm, bound_form
from sessions_app.notes.live import Propagation

TEMPLATE = "notes/client_guidance.html"


def _context(grant: AccessGrant, form: GuidanceForm | None, **extra: Any) -> dict[str, Any]:
    return {
        "grant": grant,
        "client_id": grant.client_id,
        "current": reads.current_guidance(grant.client_id),
        "history": reads.guidance_history(grant.client_id),
        "form": form,
        **extra,
    }


def _report(request: HttpRequest, propagation: Propagation | None, version: int) -> None:
    if propagation is None:
        return
    if propagation.unavailable:
        messages.warning(
            request,
            f"Guidance v{version} is saved and new sessions start with it, but live sessions could not be "
            "updated: live records are unavailable. Use \u201cWrite into live sessions\u201d once they "
            "are back.",
        )
    elif propagation.failed:
        messages.warning(
            request,
            f"Guidance v{version} could not be written into {len(propagation.failed)} live session(s).",
        )
    else:
        count = len(propagation.written)
        messages.success(
            request,
            f"Guidance v{version} saved: written into {count} live session{'s' if count != 1 else ''}; "
            "every new session starts with it.",
        )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("current_theme", "therapeutic_focus", "topics_to_avoid")
def client_guidance(request: HttpRequest, client_id: str) -> HttpResponse:
    if request.method == "GET":
        grant = check_client_access(request.user, client_id, purpose="view", request=request)
        record_page_view(grant, page="guidance", request=request)
        current = reads.current_guidance(client_id)
        initial = {"version": current.version if current else 0}
        if current is not None:
            initial |= {name: getattr(current, name) for name in guidance.FIELDS}
        form = None if grant.read_only else GuidanceForm(initial=initial)
        return render(request, TEMPLATE, _context(grant, form))
    grant = check_client_access(request.user, client_id, purpose="annotate", request=request)
    form = bound_form(GuidanceForm, request)
    if not form.is_valid():
        return render(request, TEMPLATE, _context(grant, form), status=400)
    data = dict(form.cleaned_data)
    try:
        result = guidance.set_guidance(
            actor=Actor.of(grant, origin=request), expected_version=data.pop("version"), **data
        )
    except ClinicalTextInvalid as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        return render(request, TEMPLATE, _context(grant, form), status=400)
    if result.outcome == "conflict":
        # Keep what was typed, now on top of the colleague's version: saving again is a decision.
        retry = GuidanceForm(initial={**data, "version": result.guidance.version if result.guidance else 0})
        return render(
            request, TEMPLATE, _context(grant, retry, conflict=result.guidance, mine=data), status=409
        )
    if result.outcome == "unchanged":
        messages.info(request, "Nothing to save: the guidance already says this.")
    elif result.guidance is not None:
        _report(request, result.propagation, result.guidance.version)
    return redirect("notes:guidance", client_id=client_id)


@never_cache
@login_required
@require_POST
def resend_guidance(request: HttpRequest, client_id: str) -> HttpResponse:
    grant = check_client_access(request.user, client_id, purpose="annotate", request=request)
    propagation = guidance.resend_guidance(actor=Actor.of(grant, origin=request))
    current = reads.current_guidance(client_id)
    if propagation is None or current is None:
        messages.info(request, "No guidance is set for this client yet.")
    else:
        _report(request, propagation, current.version)
    return redirect("notes:guidance", client_id=client_id)
