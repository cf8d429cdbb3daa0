"""The client page: decorators → access check → ``client_page`` → render (then one audit row)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ifemotion.accounts.models import User
from ifemotion.preferences.zones import user_time_zone
from sessions_app.access import check_client_access
from sessions_app.dashboard.client_page import Period, client_page, record_client_view
from sessions_app.dashboard.forms import ClientPeriodForm


def period_of(request: HttpRequest) -> tuple[ClientPeriodForm, Period]:
    """The period asked for in the query string, in the viewer's time zone (the PDF reads it alike)."""
    form = ClientPeriodForm(request.GET or None)
    since, until = form.dates()
    return form, Period(since, until, user_time_zone(request))


@never_cache
@login_required
@require_GET
def client_page_view(request: HttpRequest, client_id: str) -> HttpResponse:
    grant = check_client_access(request.user, client_id, purpose="view", request=request)
    assert isinstance(request.user, User)  # noqa: S101 - guaranteed by login_required and the check
    form, period = period_of(request)
    page = client_page(grant, request.user, period)
    record_client_view(request, grant, page)
    context = {"grant": grant, "page": page, "form": form}
    # Like the session list: with Redis down the archived part is shown, and the status says so.
    status = 503 if page.live_unavailable else 200
    return render(request, "sessions_app/client_page.html", context, status=status)
