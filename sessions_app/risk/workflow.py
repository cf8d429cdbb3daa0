"""The flag workflow: open -> acknowledged -> resolved | false_positive.

Each transition is made by a named clinician with a required note, written with its history row
(``FlagEvent``) and one audit row (no note text in the audit, never in a log). A closed flag stays,
with its whole history.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ifemotion.accounts import audit
from ifemotion.accounts.models import AuditAction
from sessions_app.access import AccessGrant
from sessions_app.risk.models import FlagEvent, FlagState, RiskFlag

NOTE_MAX_CHARS = 4000
ALLOWED: dict[str, tuple[str, ...]] = {
    FlagState.OPEN: (FlagState.ACKNOWLEDGED,),
    FlagState.ACKNOWLEDGED: (FlagState.RESOLVED, FlagState.FALSE_POSITIVE),
    FlagState.RESOLVED: (),
    FlagState.FALSE_POSITIVE: (),
}
VERBS: dict[str, str] = {
    FlagState.ACKNOWLEDGED: "acknowledge",
    FlagState.RESOLVED: "resolve",
    FlagState.FALSE_POSITIVE: "mark as false positive",
}


class TransitionRefused(Exception):
    """A transition that may not happen: no note, a closed flag, a step out of order."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def check_note(note: str) -> str:
    text = note.strip()
    if not text:
        raise TransitionRefused("A note is required: say what you did or decided.", field="note")
    if len(text) > NOTE_MAX_CHARS:
        raise TransitionRefused(f"The note is longer than {NOTE_MAX_CHARS} characters.", field="note")
    if "\x00" in text:
        raise TransitionRefused("The note contains a NUL character.", field="note")
    return text


def change_flag(
    *, grant: AccessGrant, flag_id: int, to_state: str, note: str, request: HttpRequest | None = None
) -> RiskFlag:
    """Move the flag to ``to_state``; ``grant`` must be an "annotate" grant on the flag's client."""
    if grant.read_only or grant.purpose != "annotate":
        raise TransitionRefused("Emergency access is read-only: flags cannot be changed.")
    text = check_note(note)
    with transaction.atomic():
        flag = RiskFlag.objects.select_for_update().get(pk=flag_id, client_id=grant.client_id)
        if to_state not in ALLOWED.get(flag.state, ()):
            allowed = ", ".join(VERBS[s] for s in ALLOWED.get(flag.state, ())) or "nothing (it is closed)"
            raise TransitionRefused(f"This flag is {flag.get_state_display().lower()}; you can {allowed}.")
        now = timezone.now()
        previous = flag.state
        flag.state = to_state
        if to_state == FlagState.ACKNOWLEDGED:
            flag.acknowledged_at, flag.acknowledged_by = now, grant.username
        else:
            flag.closed_at, flag.closed_by = now, grant.username
        flag.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "closed_at", "closed_by"])
        FlagEvent.objects.create(
            flag=flag, at=now, actor=grant.username, role=grant.role, from_state=previous, to_state=to_state,
            note=text,
        )  # fmt: skip
        audit.record(
            AuditAction.RISK_FLAG_CHANGED,
            actor=grant.username,
            role=grant.role,
            request=request,
            client_id=flag.client_id,
            session_id=flag.session_id,
            detail={"flag": flag.pk, "from": previous, "to": to_state, "seq": flag.seq},
        )
    return flag
