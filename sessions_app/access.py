"""The one access function every record view, export and download goes through.

A care assignment (therapist ↔ client id) is the only standing path to a client's records. The only
other path is an active break-glass grant, which is read-only ("view") and time-boxed. Every refusal
raises ``Http404`` — the same answer as a record that does not exist — so ids cannot be probed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from django.utils import timezone

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction, BreakGlassGrant, CareAssignment, User

Purpose = Literal["view", "annotate", "export"]
PURPOSES: frozenset[str] = frozenset({"view", "annotate", "export"})
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
NOT_FOUND = "No such record."


@dataclass(frozen=True)
class AccessGrant:
    """Proof that ``username`` may use ``client_id``'s records for ``purpose``."""

    user_id: int
    username: str
    role: str
    client_id: str
    purpose: str
    via: Literal["assignment", "break_glass"]
    expires_at: datetime | None = None

    @property
    def read_only(self) -> bool:
        return self.via == "break_glass"

    @property
    def may_export(self) -> bool:
        """Whether download links are worth showing; the export views check access again."""
        return not self.read_only and self.role in export_roles()


def export_roles() -> frozenset[str]:
    return frozenset(getattr(settings, "EXPORT_ROLES", ("therapist", "clinician")))


def _deny(user: User, client_id: str, purpose: str, request: HttpRequest | None, why: str) -> Http404:
    audit.record(
        AuditAction.ACCESS_DENIED,
        actor=user.username,
        role=user.role,
        request=request,
        outcome="denied",
        client_id=client_id if CLIENT_ID.fullmatch(client_id) else "",
        detail={"purpose": purpose, "reason": why},
    )
    return Http404(NOT_FOUND)


def active_break_glass(user: User, client_id: str) -> BreakGlassGrant | None:
    now = timezone.now()
    return (
        BreakGlassGrant.objects.filter(
            user=user, client_id=client_id, ended_at__isnull=True, expires_at__gt=now
        )
        .order_by("-expires_at")
        .first()
    )


def check_client_access(
    user: User | AnonymousUser, client_id: str, *, purpose: str, request: HttpRequest | None = None
) -> AccessGrant:
    """Return the grant for ``purpose`` on ``client_id``'s records, or raise ``Http404``.

    purpose: "view" (read pages), "annotate" (write notes), "export" (download a record; only for
    roles in ``settings.EXPORT_ROLES``). Break-glass grants allow "view" only. Refusals are audited.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown access purpose {purpose!r}")
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        raise Http404(NOT_FOUND)
    if not CLIENT_ID.fullmatch(client_id):
        raise _deny(user, client_id, purpose, request, "malformed client id")
    if user.role == "admin" or user.is_staff or user.is_superuser:
        # Separation of duties: administrators hold no assignments (an old row grants nothing).
        assigned = False
    else:
        assigned = CareAssignment.objects.filter(therapist=user, client_id=client_id).exists()
    if assigned:
        if purpose == "export" and user.role not in export_roles():
            raise _deny(user, client_id, purpose, request, "role may not export")
        return AccessGrant(user.pk, user.username, user.role, client_id, purpose, "assignment")
    grant = active_break_glass(user, client_id)
    if grant is not None and purpose == "view":
        return AccessGrant(
            user.pk, user.username, user.role, client_id, purpose, "break_glass", expires_at=grant.expires_at
        )
    raise _deny(
        user, client_id, purpose, request, "no assignment" if grant is None else "break-glass is read-only"
    )


def assigned_client_ids(user: User) -> list[str]:
    """Client ids of the user's care assignments (never the global index)."""
    if user.role == "admin" or user.is_staff or user.is_superuser:
        return []  # separation of duties: see check_client_access
    return list(CareAssignment.objects.filter(therapist=user).values_list("client_id", flat=True))


def readable_client_ids(user: User) -> list[str]:
    """Assigned clients plus clients of active break-glass grants."""
    now = timezone.now()
    emergency = BreakGlassGrant.objects.filter(user=user, ended_at__isnull=True, expires_at__gt=now)
    return sorted(set(assigned_client_ids(user)) | set(emergency.values_list("client_id", flat=True)))
