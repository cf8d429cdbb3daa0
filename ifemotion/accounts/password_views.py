"""Choosing a password from an emailed link, and changing one's own password (current one required)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from ifemotion.accounts import audit
from ifemotion.accounts.middleware import mfa_exempt
from ifemotion.accounts.models import AuditAction, User


def _audit_change(user: Any, request: Any, how: str) -> None:
    role = user.role if isinstance(user, User) else ""
    audit.record(
        AuditAction.PASSWORD_CHANGED,
        actor=user.get_username(),
        role=role,
        request=request,
        detail={"how": how},
    )


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The page an emailed link opens. The link works once and expires (``PASSWORD_RESET_TIMEOUT``)."""

    template_name = "accounts/password_set_form.html"
    success_url = reverse_lazy("accounts:password_set_done")
    post_reset_login = False  # the next login goes through two-factor enrolment as usual

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        response = super().form_valid(form)
        _audit_change(form.user, self.request, "emailed link")
        return response


class PasswordSetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_set_done.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    """A signed-in user changes their password; other sessions end, this one stays signed in."""

    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        _audit_change(form.user, self.request, "changed by the user")
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_set_done.html"


password_set = mfa_exempt(never_cache(PasswordSetView.as_view()))
password_set_done = mfa_exempt(never_cache(PasswordSetDoneView.as_view()))
password_change = never_cache(
    sensitive_post_parameters("old_password", "new_password1", "new_password2")(
        login_required(PasswordChangeView.as_view())
    )
)
password_change_done = never_cache(login_required(PasswordChangeDoneView.as_view()))
