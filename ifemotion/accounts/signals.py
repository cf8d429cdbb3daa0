"""Audit of logins, logouts and failed logins, wherever they come from (our pages or the admin)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from ifemotion.accounts import audit
from ifemotion.accounts.middleware import mark_authenticated
from ifemotion.accounts.models import AuditAction

logger = logging.getLogger("ifemotion.security")


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        mark_authenticated(request)
    audit.record(AuditAction.LOGIN, actor=user.username, role=user.role, request=request)


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    reason = getattr(request, "logout_reason", "user")
    audit.record(
        AuditAction.LOGOUT, actor=user.username, role=user.role, request=request, detail={"reason": reason}
    )


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The username typed is recorded (truncated), never the password (credentials are cleansed).
    username = str(credentials.get("username", ""))[:150]
    logger.warning("failed login attempt")
    audit.record(AuditAction.LOGIN_FAILED, actor=username, request=request, outcome="failed")
