"""Automatic logoff, mandatory two-factor for some roles, and the Content Security Policy header."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse

AUTH_AT = "_auth_at"
SEEN_AT = "_seen_at"
# Activity is written to the session at most this often: a DB write per request is wasted work.
SEEN_RESOLUTION_SECONDS = 30

View = Callable[..., HttpResponseBase]


def passive(view: View) -> View:
    """Mark a view whose requests are not user activity (live polling must not defeat idle logoff)."""
    view.idle_passive = True  # type: ignore[attr-defined]
    return view


def mfa_exempt(view: View) -> View:
    """Mark a view reachable before the second factor (the OTP pages themselves, logout)."""
    view.mfa_exempt = True  # type: ignore[attr-defined]
    return view


def mark_authenticated(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[AUTH_AT] = now
    request.session[SEEN_AT] = now


def _to_login(request: HttpRequest, reason: str) -> HttpResponse:
    url = f"{reverse(settings.LOGIN_URL)}?{urlencode({'reason': reason})}"
    if request.headers.get("HX-Request"):
        # htmx would swap a redirected login page into the fragment; make it navigate instead.
        response = HttpResponse(status=401)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class SessionTimeoutMiddleware:
    """Log out after ``SESSION_IDLE_TIMEOUT_SECONDS`` idle or ``SESSION_ABSOLUTE_TIMEOUT_SECONDS`` total.

    ``logout`` flushes the session, which deletes its database row: the old cookie is useless.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: View, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        now = int(time.time())
        auth_at = request.session.get(AUTH_AT)
        seen_at = request.session.get(SEEN_AT)
        if not isinstance(auth_at, int) or not isinstance(seen_at, int):
            mark_authenticated(request)
            return None
        reason = None
        if now - auth_at > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
            reason = "expired"
        elif now - seen_at > settings.SESSION_IDLE_TIMEOUT_SECONDS:
            reason = "idle"
        if reason is not None:
            request.logout_reason = reason  # type: ignore[attr-defined]
            logout(request)
            return _to_login(request, reason)
        if not getattr(view, "idle_passive", False) and now - seen_at >= SEEN_RESOLUTION_SECONDS:
            request.session[SEEN_AT] = now
        return None


class MFARequiredMiddleware:
    """Users whose role is in ``MFA_REQUIRED_ROLES`` reach nothing but the OTP pages until verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: View, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or getattr(view, "mfa_exempt", False):
            return None
        if getattr(user, "role", "") not in settings.MFA_REQUIRED_ROLES:
            return None
        if user.is_verified():  # type: ignore[attr-defined]  # added by django-otp's OTPMiddleware
            return None
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = reverse("accounts:otp_verify")
            return response
        return HttpResponseRedirect(reverse("accounts:otp_verify"))


class ContentSecurityPolicyMiddleware:
    """Sends ``settings.CONTENT_SECURITY_POLICY`` on every response: no inline scripts or styles."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
