"""Who is acting: the input of every service of the notes app (never an HttpRequest)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction
from sessions_app.access import AccessGrant


@dataclass(frozen=True)
class Actor:
    """A clinician allowed to annotate one client's records (from ``check_client_access`` with
    purpose "annotate"). ``origin`` is only passed on to the audit row (IP address, request id)."""

    username: str
    role: str
    client_id: str
    origin: Any = None

    @classmethod
    def of(cls, grant: AccessGrant, origin: Any = None) -> Actor:
        if grant.purpose != "annotate" or grant.read_only:
            raise ValueError("services of the notes app need an 'annotate' grant")
        return cls(username=grant.username, role=grant.role, client_id=grant.client_id, origin=origin)

    def audit(self, event: str, *, session_id: str = "", outcome: str = "ok", **detail: Any) -> None:
        """One audit row (action ``notes_edited``, or ``notes_conflict`` for a refused save); the
        detail names the event and versions, never any text."""
        action = AuditAction.NOTES_CONFLICT if outcome == "conflict" else AuditAction.NOTES_EDITED
        audit.record(
            action,
            actor=self.username,
            role=self.role,
            request=self.origin,
            outcome=outcome,
            client_id=self.client_id,
            session_id=session_id,
            detail={"event": event, **detail},
        )


def record_page_view(grant: AccessGrant, *, page: str, request: Any, session_id: str = "") -> None:
    """One audit row per record page shown (note history, guidance, inferences), like the session page."""
    audit.record(
        AuditAction.SESSION_VIEWED,
        actor=grant.username,
        role=grant.role,
        request=request,
        client_id=grant.client_id,
        session_id=session_id,
        detail={"via": grant.via, "page": page},
    )
