"""Review pages: the inbox (home), its live refresh, marking reviewed / unread, hold for review, the
digest. Decorators -> access check (404 without an assignment) -> review service -> render/redirect.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ifemotion.accounts.middleware import passive
from ifemotion.accounts.models import User
from sessions_app.access import NOT_FOUND, check_client_access
from sessions_app.errors import SessionNotFound, StateUnavailable
from sessions_app.review import audit, cursors
from sessions_app.review.digest import build_digest, send_digest
from sessions_app.review.flags import flags_available
from sessions_app.review.forms import InboxFilterForm, MarkForm, UnreadForm
from sessions_app.review.hold import HoldResult, hold_session
from sessions_app.review.pages import inbox_for, show_choices
from sessions_app.review.tallies import tally_of

UNAVAILABLE = "Live records are temporarily unavailable: nothing was changed. Try again in a moment."


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - guaranteed by login_required
    return request.user


def _back(request: HttpRequest, next_url: str, default: str) -> HttpResponse:
    """Redirect to ``next`` when it is a path on this site, else to ``default``."""
    safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False)
    return redirect(next_url if next_url and safe and next_url.startswith("/") else default)


def _inbox_context(request: HttpRequest) -> dict[str, object]:
    choices = show_choices()
    form = InboxFilterForm(request.GET or None, show_choices=choices)
    filters = form.filters()
    inbox = inbox_for(_user(request), filters, now=timezone.now())
    query = request.GET.copy()
    query.pop("token", None)
    full_query = query.urlencode()  # the filters and page: what the live refresh asks for again
    here = reverse("review:inbox") + (f"?{full_query}" if full_query else "")
    query.pop("page", None)
    tabs = [(value, label, inbox.counts.get(value, 0)) for value, label in choices.items()]
    return {
        "form": form,
        "filters": filters,
        "inbox": inbox,
        "tabs": tabs,
        "query": full_query,
        "page_query": query.urlencode(),
        "here": here,
        "flags_available": flags_available(),
        "refresh_seconds": settings.REVIEW_INBOX_REFRESH_SECONDS,
    }


@never_cache
@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    context = _inbox_context(request)
    user = _user(request)
    audit.record(
        audit.INBOX_VIEWED, actor=user.username, role=user.role, request=request,
        detail={"rows": len(context["inbox"].rows)},  # type: ignore[attr-defined]
    )  # fmt: skip
    status = 503 if context["inbox"].live_unavailable else 200  # type: ignore[attr-defined]
    return render(request, "review/inbox.html", context, status=status)


@passive
@never_cache
@login_required
@require_GET
def inbox_live(request: HttpRequest) -> HttpResponse:
    """htmx polling: 204 when nothing the inbox shows changed, else the fresh rows."""
    context = _inbox_context(request)
    if context["inbox"].token == request.GET.get("token"):  # type: ignore[attr-defined]
        return HttpResponse(status=204)
    return render(request, "review/_inbox_rows.html", context)


@never_cache
@login_required
@require_POST
def mark_reviewed(request: HttpRequest, client_id: str) -> HttpResponse:
    grant = check_client_access(request.user, client_id, purpose="annotate", request=request)
    form = MarkForm(request.POST)
    inbox_url = reverse("review:inbox")
    if not form.is_valid():
        messages.error(
            request,
            "Nothing was marked: "
            + " ".join(str(e) for e in form.non_field_errors() or ["the form was not understood."]),
        )
        return _back(request, request.POST.get("next", ""), inbox_url)
    data = form.cleaned_data
    try:
        if data["scope"] == "client":
            marked = cursors.mark_client_reviewed(grant=grant, request=request)
            messages.success(
                request, f"Marked {marked} session{'s' if marked != 1 else ''} of {client_id} reviewed."
            )
        else:
            saved = cursors.mark_reviewed(
                grant=grant,
                session_id=data["session_id"],
                seq=data["seq"],
                shown=form.shown(),
                request=request,
            )
            messages.success(request, f"Marked reviewed up to message {saved.messages}.")
    except SessionNotFound:
        raise Http404(NOT_FOUND) from None
    except StateUnavailable:
        messages.error(request, UNAVAILABLE)
    return _back(request, data.get("next") or "", inbox_url)


@never_cache
@login_required
@require_POST
def mark_unread(request: HttpRequest, client_id: str) -> HttpResponse:
    grant = check_client_access(request.user, client_id, purpose="annotate", request=request)
    form = UnreadForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was changed: the form was not understood.")
        return _back(request, request.POST.get("next", ""), reverse("review:inbox"))
    session_id = form.cleaned_data["session_id"] if form.cleaned_data["scope"] == "session" else ""
    cursors.mark_unread(grant=grant, session_id=session_id, request=request)
    what = "This session" if session_id else f"Every session of {client_id}"
    messages.success(request, f"{what} is unread again.")
    return _back(request, form.cleaned_data.get("next") or "", reverse("review:inbox"))


HOLD_MESSAGES = {
    "not_live": "This session is no longer in live storage: its record is served from the archive.",
    "busy": "The archiver is working on this session right now. Try again in a minute.",
}


def _hold_message(result: HoldResult) -> str:
    if result.outcome == "held":
        parts = ", ".join(
            "the current notes" if c.kind == "notes" else f"{c.archived} {c.kind}"
            for c in result.checks
            if c.live
        )
        return f"Held for review: archived now and verified in the database ({parts or 'empty session'})."
    if result.outcome == "unverified":
        missing = ", ".join(f"{c.kind} ({c.archived} of {c.live})" for c in result.missing)
        return (
            f"Not held: the database does not yet hold everything: {missing}. "
            "The session stays in live storage; try again, or ask an operator."
        )
    return HOLD_MESSAGES[result.outcome]


@never_cache
@login_required
@require_POST
def hold(request: HttpRequest, client_id: str, session_id: str) -> HttpResponse:
    grant = check_client_access(request.user, client_id, purpose="annotate", request=request)
    detail = reverse("sessions:detail", args=[client_id, session_id])
    try:
        result = hold_session(grant=grant, session_id=session_id, request=request)
    except StateUnavailable:
        messages.error(request, UNAVAILABLE)
        return redirect(detail)
    if result.outcome == "not_live" and tally_of(client_id, session_id) is None:
        raise Http404(NOT_FOUND)  # neither live nor archived: the same answer as no access
    if result.outcome == "held":
        messages.success(request, _hold_message(result))
    else:
        messages.error(request, _hold_message(result))
    return redirect(detail)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def digest(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    now = timezone.now()
    built = build_digest(user, now=now)
    if request.method == "POST":
        outcome = send_digest(built, day=now.date(), force=True)
        text = {
            "sent": f"The digest was emailed to {user.email}.",
            "nothing": "Nothing to send: no session of yours leaves live storage soon unreviewed.",
            "no_email": "Your account has no email address; ask an administrator to add one.",
            "failed": "The email could not be sent; the digest is shown below.",
            "live_unavailable": "Live records are temporarily unavailable, so the digest would be "
            "incomplete: not sent.",
        }.get(outcome.outcome, "Not sent.")
        (messages.success if outcome.outcome == "sent" else messages.warning)(request, text)
        return redirect("review:digest")
    audit.record(
        audit.DIGEST_VIEWED, actor=user.username, role=user.role, request=request,
        detail={"sessions": len(built.items)},
    )  # fmt: skip
    status = 503 if built.live_unavailable else 200
    return render(request, "review/digest.html", {"digest": built}, status=status)
