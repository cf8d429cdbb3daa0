"""Identity and access workflows: users, care assignments, break-glass. Each change is audited."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, BreakGlassGrant, CareAssignment, Role, User
from sessions_app.access import CLIENT_ID, active_break_glass

security_log = logging.getLogger("ifemotion.security")
MIN_REASON_CHARS = 15
ADMIN_APP_LABELS = ("accounts", "otp_totp", "axes")


class AccessChangeError(ValueError):
    """The requested change cannot be made; the message says why (no record content)."""


def _actor(by: User | None) -> tuple[str, str]:
    return (by.username, by.role) if by is not None else ("manage.py", "")


def check_client_id(client_id: str) -> str:
    if not CLIENT_ID.fullmatch(client_id):
        raise AccessChangeError("a client id is 1-64 characters from A-Z, a-z, 0-9, '_' and '-'")
    return client_id


def create_user(*, username: str, role: str, password: str, by: User | None = None) -> User:
    if role not in Role.values:
        raise AccessChangeError(f"role must be one of {', '.join(Role.values)}")
    if User.objects.filter(username=username).exists():
        raise AccessChangeError(f"user {username!r} already exists")
    candidate = User(username=username, role=role)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise AccessChangeError(" ".join(exc.messages)) from None
    with transaction.atomic():
        candidate.set_password(password)
        candidate.is_staff = role == Role.ADMIN
        candidate.save()
        if role == Role.ADMIN:
            grant_admin_permissions(candidate)
        actor, actor_role = _actor(by)
        audit.record(
            AuditAction.USER_CHANGED, actor=actor, role=actor_role, detail={"created": username, "role": role}
        )
    return candidate


def grant_admin_permissions(user: User) -> None:
    """Least privilege: admins manage accounts, assignments, tokens, lockouts and 2FA devices in the
    Django admin; they are not superusers, so no record (archive) model is theirs by default."""
    permissions = Permission.objects.filter(content_type__app_label__in=ADMIN_APP_LABELS)
    user.user_permissions.add(*permissions)


def check_assignable(therapist: User, *, by: User | None = None) -> None:
    """Separation of duties: no assignment ever gives an administrator access to client records.

    Admins manage access; they do not hold it. An admin who needs a record uses emergency access,
    which is time-boxed, read-only and audited at high severity.
    """
    if therapist.role == Role.ADMIN or therapist.is_staff or therapist.is_superuser:
        raise AccessChangeError(
            f"{therapist.username} is an administrator: administrators cannot be assigned clients "
            "(use emergency access for a record you need)"
        )
    if by is not None and by.pk == therapist.pk:
        raise AccessChangeError("nobody can assign a client to themselves")


def assign_client(
    *, therapist: User, client_id: str, by: User | None = None, request: HttpRequest | None = None
) -> CareAssignment:
    check_client_id(client_id)
    check_assignable(therapist, by=by)
    with transaction.atomic():
        assignment, created = CareAssignment.objects.get_or_create(
            therapist=therapist, client_id=client_id, defaults={"created_by": by}
        )
        if created:
            actor, actor_role = _actor(by)
            audit.record(
                AuditAction.ACCESS_GRANTED,
                actor=actor,
                role=actor_role,
                request=request,
                client_id=client_id,
                detail={"therapist": therapist.username},
            )
    return assignment


def unassign_client(
    *, therapist: User, client_id: str, by: User | None = None, request: HttpRequest | None = None
) -> bool:
    with transaction.atomic():
        deleted, _ = CareAssignment.objects.filter(therapist=therapist, client_id=client_id).delete()
        if deleted:
            actor, actor_role = _actor(by)
            audit.record(
                AuditAction.ACCESS_REVOKED,
                actor=actor,
                role=actor_role,
                request=request,
                client_id=client_id,
                detail={"therapist": therapist.username},
            )
    return bool(deleted)


def start_break_glass(
    *, user: User, client_id: str, reason: str, request: HttpRequest | None = None
) -> BreakGlassGrant:
    """Open time-boxed, read-only emergency access. Refused while one is active (no silent renewal)."""
    check_client_id(client_id)
    if user.role not in settings.BREAK_GLASS_ROLES:
        raise AccessChangeError("your role may not use emergency access")
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise AccessChangeError(f"give a reason of at least {MIN_REASON_CHARS} characters")
    if active_break_glass(user, client_id) is not None:
        raise AccessChangeError("emergency access to this client is already active")
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=user,
            client_id=client_id,
            reason=reason.strip()[:2000],
            created_at=now,
            expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
        )
        audit.record(
            AuditAction.BREAK_GLASS,
            actor=user.username,
            role=user.role,
            request=request,
            client_id=client_id,
            detail={"grant": grant.pk, "severity": "high", "expires_at": grant.expires_at.isoformat()},
        )
    # The alert: operators route the "ifemotion.security" logger to their paging system.
    security_log.warning("BREAK-GLASS access opened: grant %s by %s", grant.pk, user.username)
    return grant


def end_break_glass(*, grant: BreakGlassGrant, request: HttpRequest | None = None) -> None:
    if grant.ended_at is not None:
        return
    grant.ended_at = timezone.now()
    grant.save(update_fields=["ended_at"])
    audit.record(
        AuditAction.BREAK_GLASS,
        actor=grant.user.username,
        role=grant.user.role,
        request=request,
        client_id=grant.client_id,
        detail={"grant": grant.pk, "ended": True},
    )
