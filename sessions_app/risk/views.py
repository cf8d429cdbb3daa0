"""The risk pages: the alert inbox, one flag with ±3 turns, and its transitions.

Every view: decorators -> access (a flag of a client the user may not read is a 404, like a flag
that does not exist) -> service -> render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from ifemotion.accounts.middleware import passive
from ifemotion.accounts.models import User
from sessions_app.access import NOT_FOUND, check_client_access, readable_client_ids
from sessions_app.dashboard.pages import message_url
from sessions_app.risk import pages
from sessions_app.risk.forms import InboxFilterForm, TransitionForm, actions_for
from sessions_app.risk.models import RiskFlag
from sessions_app.risk.queries import inbox as inbox_flags
from sessions_app.risk.workflow import TransitionRefused, change_flag

DONE = {
    "acknowledge": "Flag acknowledged.",
    "resolve": "Flag resolved.",
    "false_positive": "Flag marked as a false positive.",
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - guaranteed by login_required
    return request.user


@passive
@never_cache
@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    client_ids = readable_client_ids(user)
    form = InboxFilterForm(request.GET or None)
    selected = request.GET.get("client") or None
    if selected not in client_ids:
        selected = None
    flags = inbox_flags(client_ids, states=form.states(), severity=form.chosen_severity(), client_id=selected)
    now = timezone.now()
    rows = [(flag, pages.deadline_text(flag, now)) for flag in flags]
    if not request.headers.get("HX-Request"):  # the 30 s refresh is not a new look at the records
        pages.record_inbox_view(request, user, len(rows))
    context = {"form": form, "rows": rows, "client_ids": client_ids, "selected": selected,
               "query": request.GET.urlencode(), "now": now}  # fmt: skip
    return render(request, "risk/inbox.html", context)


def _flag_for(request: HttpRequest, flag_id: int, purpose: str) -> tuple[RiskFlag, object]:
    flag = RiskFlag.objects.filter(pk=flag_id).first()
    if flag is None:
        raise Http404(NOT_FOUND)
    grant = check_client_access(request.user, flag.client_id, purpose=purpose, request=request)
    return flag, grant


@never_cache
@login_required
@require_GET
def flag_detail(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag, grant = _flag_for(request, flag_id, "view")
    pages.record_flag_view(request, grant, flag)  # type: ignore[arg-type]
    return _render_flag(request, flag, grant, TransitionForm(), status=200)


def _render_flag(
    request: HttpRequest, flag: RiskFlag, grant: object, form: TransitionForm, *, status: int
) -> HttpResponse:
    context = {
        "flag": flag, "grant": grant, "form": form, "actions": actions_for(flag),
        "around": pages.message_context(flag), "events": list(flag.events.all()),
        "deadline": pages.deadline_text(flag, timezone.now()),
        "session_link": message_url(flag.client_id, flag.session_id, flag.seq),
    }  # fmt: skip
    return render(request, "risk/flag_detail.html", context, status=status)


@never_cache
@login_required
@require_POST
@sensitive_post_parameters("note")
def flag_change(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag, grant = _flag_for(request, flag_id, "annotate")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _render_flag(request, flag, grant, form, status=400)
    try:
        change_flag(grant=grant, flag_id=flag.pk, to_state=form.target_state(),  # type: ignore[arg-type]
                    note=form.cleaned_data["note"], request=request)  # fmt: skip
    except TransitionRefused as exc:
        form.add_error("note" if exc.field == "note" else None, exc.message)
        flag.refresh_from_db()
        return _render_flag(request, flag, grant, form, status=400 if exc.field else 409)
    messages.success(request, DONE[form.cleaned_data["action"]])
    return redirect("risk:flag", flag_id=flag.pk)
