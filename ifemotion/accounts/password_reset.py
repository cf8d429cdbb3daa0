"""Passwords are never set by an admin: they send a one-time, expiring link to the user's email.

An admin's reset (a forgotten password, a suspected compromise) at once makes the old password
unusable, removes the user's two-factor devices (the next login enrols a new one) and signs every
session of the user out (Django's session hash follows the password). The link goes to the address on
the account; it works once (the token is bound to the password hash, which the reset changes) and
expires after ``PASSWORD_RESET_TIMEOUT`` seconds. A new account gets the same kind of link, so nobody
but its owner ever knows its password. Every step is audited; the owner is mailed (``notify``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import devices_for_user

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, User
from ifemotion.accounts.notify import PRODUCT, send_to


class ResetRefused(ValueError):
    """The link cannot be issued (e.g. the account has no email address); the message says why."""


def reset_url(user: User, request: HttpRequest | None) -> str:
    path = reverse(
        "accounts:password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    raise ResetRefused("set SITE_URL so that links in emails point at this site")


def _hours() -> str:
    return f"{settings.PASSWORD_RESET_TIMEOUT / 3600:g} hours"


def _actor(by: User | None) -> tuple[str, str]:
    return (by.get_username(), by.role) if by is not None else ("manage.py", "")


def issue_password_reset(*, user: User, by: User | None, request: HttpRequest | None = None) -> None:
    """Disable the password and second factor of ``user`` and mail them a link to set a new password."""
    if not user.email:
        raise ResetRefused(f"{user.get_username()} has no email address: add one, then send the link")
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        removed = 0
        for device in devices_for_user(user, confirmed=None):
            device.delete()
            removed += 1
        actor, role = _actor(by)
        audit.record(
            AuditAction.PASSWORD_RESET, actor=actor, role=role, request=request,
            detail={"user": user.get_username(), "devices_removed": removed, "sessions_ended": True},
        )  # fmt: skip
        url = reset_url(user, request)  # made after the save: the link is bound to the new hash
    body = (
        f"Hello {user.get_username()},\n\nan administrator reset the password of your {PRODUCT} account. "
        f"Your old password no longer works and you have been signed out everywhere.\n\n"
        f"Choose a new password here (the link works once, for {_hours()}):\n\n{url}\n\n"
        "After that, log in and set up your authenticator app again (scan the new QR code).\n\n"
        "If you did not ask for this, tell your clinic administrator.\n"
    )
    send_to(user.email, "Set a new password", body)


def invite(*, user: User, by: User | None, request: HttpRequest | None = None) -> None:
    """Mail a new account's owner the link to choose their password (the account has none yet)."""
    if not user.email:
        raise ResetRefused(f"{user.get_username()} has no email address")
    url = reset_url(user, request)
    actor, role = _actor(by)
    audit.record(
        AuditAction.PASSWORD_RESET, actor=actor, role=role, request=request,
        detail={"user": user.get_username(), "invitation": True},
    )  # fmt: skip
    body = (
        f"Hello {user.get_username()},\n\nan account on {PRODUCT} was created for you "
        f"(role: {user.get_role_display()}).\n\nChoose your password here (the link works once, for "
        f"{_hours()}):\n\n{url}\n"
    )
    send_to(user.email, "Your new account", body)
