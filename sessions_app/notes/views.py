"""Thin views of the notes app: decorators → access check → form → service → page or redirect.

A save that cannot be made never loses what was typed: every refusal answers a page with the text
in a form (400 invalid, 403 not yours to sign, 409 conflict or signed, 503 live records unavailable).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from sessions_app.access import NOT_FOUND, check_client_access
from sessions_app.dashboard.views import record_errors
from sessions_app.errors import SessionNotFound, StateUnavailable
from sessions_app.notes import services
from sessions_app.notes.actor import Actor, record_page_view
from sessions_app.notes.errors import ClinicalTextInvalid, NotesError, NotYourDraft, SignedNoteImmutable
from sessions_app.notes.forms import AddendumForm, NoteForm, SignForm, bound_form
from sessions_app.notes.history import history_view
from sessions_app.notes.live import NOT_LIVE, UNAVAILABLE, WRITTEN

PROBLEM = "notes/note_problem.html"


def _annotator(request: HttpRequest, client_id: str) -> Actor:
    grant = check_client_access(request.user, client_id, purpose="annotate", request=request)
    return Actor.of(grant, origin=request)


def _live_message(request: HttpRequest, copied: str, what: str) -> None:
    if copied == UNAVAILABLE:
        messages.warning(
            request,
            f"{what} saved in the record, but the live session's copy (what the chatbot reads) could not "
            "be updated: live records are unavailable. Use \u201cSend to the live session\u201d once "
            "they are back.",
        )
    elif copied not in (WRITTEN, NOT_LIVE, ""):
        messages.warning(
            request, f"{what} saved in the record; the live session's copy could not be updated."
        )


def _detail(client_id: str, session_id: str, anchor: str = "notes") -> HttpResponse:
    response = redirect("sessions:detail", client_id=client_id, session_id=session_id)
    response["Location"] += f"#{anchor}"
    return response


def _problem(request: HttpRequest, status: int, **context: Any) -> HttpResponse:
    context.setdefault("version", request.POST.get("version", ""))
    return render(request, PROBLEM, context, status=status)


def problem_pages(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """POST views: the session is gone → 404; Redis needed and down → 503 page with the text kept."""

    @wraps(view)
    def wrapper(request: HttpRequest, client_id: str, session_id: str, *args: Any) -> HttpResponse:
        try:
            return view(request, client_id, session_id, *args)
        except SessionNotFound:
            raise Http404(NOT_FOUND) from None
        except StateUnavailable:
            return _problem(
                request, 503, client_id=client_id, session_id=session_id, kind="unavailable",
                text=request.POST.get("text", ""),
            )  # fmt: skip

    return wrapper


# --- notes ---------------------------------------------------------------------------------------


@never_cache
@login_required
@require_POST
@sensitive_post_parameters("text")
@problem_pages
def save_note(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    actor = _annotator(request, client_id)
    form = bound_form(NoteForm, request)
    context = {"client_id": client_id, "session_id": session_id, "form": form}
    if not form.is_valid():
        return _problem(request, 400, kind="invalid", text=form.data.get("text", ""), **context)
    try:
        result = services.save_note(
            actor=actor, session_id=session_id, expected_version=form.cleaned_data["version"],
            text=form.cleaned_data["text"],
        )  # fmt: skip
    except ClinicalTextInvalid as exc:
        return _problem(
            request, 400, kind="invalid", error=str(exc), text=form.cleaned_data["text"], **context
        )
    except SignedNoteImmutable as exc:
        addendum = AddendumForm(initial={"text": form.cleaned_data["text"]})
        return _problem(request, 409, kind="signed", error=str(exc), addendum_form=addendum, **context)
    if result.outcome == "conflict":
        merge = NoteForm(
            initial={
                "version": result.note.version,
                "text": result.conflict.proposal if result.conflict else "",
            }
        )
        return _problem(request, 409, kind="conflict", result=result, merge_form=merge, **context)
    if result.outcome == "unchanged":
        messages.info(request, "Nothing to save: the note already has this text.")
    else:
        messages.success(request, f"Notes saved. This is version {result.note.version}.")
        _live_message(request, result.live, "Notes")
    return _detail(client_id, session_id)


@never_cache
@login_required
@require_POST
@problem_pages
def sign_note(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    actor = _annotator(request, client_id)
    form = SignForm(request.POST)
    context = {"client_id": client_id, "session_id": session_id}
    if not form.is_valid():
        return _problem(
            request, 400, kind="sign", error="The form was not valid: reload the page.", **context
        )
    try:
        note = services.sign_note(
            actor=actor, session_id=session_id, expected_version=form.cleaned_data["version"]
        )
    except NotYourDraft as exc:
        return _problem(request, 403, kind="sign", error=str(exc), **context)
    except (NotesError, SignedNoteImmutable) as exc:
        return _problem(request, 409, kind="sign", error=str(exc), **context)
    messages.success(
        request, f"Note signed (version {note.version}). It can no longer be changed; add addenda below it."
    )
    return _detail(client_id, session_id)


@never_cache
@login_required
@require_POST
@sensitive_post_parameters("text", "reason")
@problem_pages
def add_addendum(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    actor = _annotator(request, client_id)
    form = bound_form(AddendumForm, request)
    context = {"client_id": client_id, "session_id": session_id, "addendum_form": form}
    if not form.is_valid():
        return _problem(request, 400, kind="addendum", **context)
    try:
        _, copied = services.add_addendum(actor=actor, session_id=session_id, **form.cleaned_data)
    except ClinicalTextInvalid as exc:
        return _problem(request, 400, kind="addendum", error=str(exc), **context)
    except NotesError as exc:
        return _problem(request, 409, kind="addendum", error=str(exc), **context)
    messages.success(request, "Addendum added.")
    _live_message(request, copied, "The addendum was")
    return _detail(client_id, session_id)


@never_cache
@login_required
@require_POST
@problem_pages
def resend_note(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    actor = _annotator(request, client_id)
    try:
        copied = services.resend_live_copy(actor=actor, session_id=session_id)
    except NotesError as exc:
        return _problem(request, 409, kind="sign", error=str(exc), client_id=client_id, session_id=session_id)
    if copied == WRITTEN:
        messages.success(request, "The live session now has these notes.")
    elif copied == NOT_LIVE:
        messages.info(request, "This session is no longer live: there is no copy to update.")
    else:
        messages.warning(request, "Live records are still unavailable; the copy was not updated.")
    return _detail(client_id, session_id)


@never_cache
@login_required
@require_GET
@record_errors
def note_history(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    grant = check_client_access(request.user, client_id, purpose="view", request=request)
    context = history_view(
        grant, session_id, older=request.GET.get("from", ""), newer=request.GET.get("to", "")
    )
    record_page_view(grant, page="note_history", request=request, session_id=session_id)
    return render(request, "notes/note_history.html", context)
