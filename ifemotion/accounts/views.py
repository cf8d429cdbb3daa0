"""Login, logout, two-factor and break-glass pages. Thin: the work is in identity.py and mfa.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from ifemotion.accounts import mfa
from ifemotion.accounts.forms import BreakGlassForm, TokenForm
from ifemotion.accounts.identity import AccessChangeError, end_break_glass, start_break_glass
from ifemotion.accounts.middleware import mfa_exempt
from ifemotion.accounts.models import BreakGlassGrant, User

LOGOUT_REASONS = {
    "idle": "You were logged out after 15 minutes without activity.",
    "expired": "Your session reached its maximum length. Please log in again.",
}


class ClinicLoginView(LoginView):
    template_name = "accounts/login_form.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["logout_notice"] = LOGOUT_REASONS.get(self.request.GET.get("reason", ""))
        return context


login_view = mfa_exempt(never_cache(sensitive_post_parameters("password")(ClinicLoginView.as_view())))


@mfa_exempt
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - guaranteed by login_required
    return request.user


@mfa_exempt
@never_cache
@sensitive_post_parameters("otp_token")
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    device = mfa.confirmed_device(user)
    if device is None:
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if form.is_valid() and mfa.verify(request, user, device, form.cleaned_data["otp_token"]):
        return redirect(settings.LOGIN_REDIRECT_URL)
    if form.is_bound:
        form.add_error(None, "That code is not valid. Wait for the next code and try again.")
    return render(request, "accounts/otp_verify.html", {"form": form})


@mfa_exempt
@never_cache
@sensitive_post_parameters("otp_token")
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if mfa.confirmed_device(user) is not None:
        # Enrolling another device needs the existing one (or an admin resetting it).
        return redirect("accounts:otp_verify")
    device = mfa.pending_device(user)
    form = TokenForm(request.POST or None)
    if form.is_valid() and mfa.verify(request, user, device, form.cleaned_data["otp_token"]):
        return redirect(settings.LOGIN_REDIRECT_URL)
    if form.is_bound:
        form.add_error(None, "That code is not valid. Check the time on your phone and try again.")
    context = {"form": form, "qr": mfa.qr_data_uri(device), "secret": mfa.secret_base32(device)}
    return render(request, "accounts/otp_setup.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    form = BreakGlassForm(request.POST or None)
    if form.is_valid():
        try:
            grant = start_break_glass(user=_user(request), request=request, **form.cleaned_data)
        except AccessChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.warning(
                request, f"Emergency read-only access until {grant.expires_at:%H:%M} UTC. Audited."
            )
            return redirect(f"{reverse('sessions:list')}?client={grant.client_id}")
    grants = BreakGlassGrant.objects.filter(
        user=_user(request), ended_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("expires_at")
    return render(request, "accounts/breakglass_form.html", {"form": form, "grants": grants})


@never_cache
@login_required
@require_POST
def break_glass_end(request: HttpRequest, grant_id: int) -> HttpResponse:
    """End one's own emergency access before it expires."""
    grant = get_object_or_404(BreakGlassGrant, pk=grant_id, user=_user(request))
    end_break_glass(grant=grant, request=request)
    messages.success(request, f"Emergency access to {grant.client_id} ended.")
    return redirect("accounts:break_glass")
