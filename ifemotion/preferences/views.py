from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ifemotion.accounts.models import User
from ifemotion.preferences.forms import TimeZoneForm
from ifemotion.preferences.models import DisplayPreference
from ifemotion.preferences.zones import time_zone_name_of

TEMPLATE = "preferences/preferences_edit.html"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - guaranteed by login_required
    return request.user


def _context(form: TimeZoneForm) -> dict[str, object]:
    return {"form": form, "now_utc": timezone.now()}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest) -> HttpResponse:
    """The viewer's own display preferences (nobody else's: there is no user id in the URL)."""
    if request.method == "POST":
        form = TimeZoneForm(request.POST)
        if form.is_valid():
            DisplayPreference.objects.update_or_create(
                user=_user(request), defaults={"time_zone": form.cleaned_data["time_zone"]}
            )
            messages.success(request, "Preferences saved.")
            return redirect("preferences:edit")
        return render(request, TEMPLATE, _context(form), status=400)
    form = TimeZoneForm(initial={"time_zone": time_zone_name_of(request.user)})
    return render(request, TEMPLATE, _context(form))
