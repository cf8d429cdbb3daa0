"""HTTP API: list and read a client's risk flags (read scope), for the chatbot's operators.

Registered on the product's NinjaAPI (``sessions_app.api.app.api``) when ``sessions_app.api.urls``
imports this module; guarded and audited like every other operation.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Query

from sessions_app.api.answers import Kind, answers
from sessions_app.api.app import api
from sessions_app.api.auth import ApiError, note_subject
from sessions_app.api.fields import ID_DESCRIPTION, ID_REGEX
from sessions_app.risk.models import RiskFlag
from sessions_app.risk.queries import flags_of_client
from sessions_app.risk.schemas import RiskFlagListOut, RiskFlagOut, StateName

UserId = Annotated[str, Path(pattern=ID_REGEX, min_length=1, max_length=64, description=ID_DESCRIPTION)]


@api.get(
    "/users/{user_id}/risk-flags",
    **answers({200: RiskFlagListOut}, Kind.READ, corrupt=False),
    tags=["risk"],
    operation_id="listRiskFlags",
)
def list_risk_flags(
    request: HttpRequest,
    user_id: UserId,
    state: Annotated[list[StateName] | None, Query(description="only flags in these states")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="1-500, default 100")] = 100,
) -> RiskFlagListOut:
    """A client's risk flags, newest first (inferred by rules; not a clinical assessment)."""
    found = flags_of_client(user_id, states=state, limit=limit + 1)
    shown = found[:limit]
    return RiskFlagListOut(
        user_id=user_id,
        flags=[RiskFlagOut.of(f) for f in shown],
        count=len(shown),
        truncated=len(found) > limit,
    )


@api.get(
    "/risk-flags/{flag_id}",
    **answers({200: RiskFlagOut}, Kind.READ, corrupt=False),
    tags=["risk"],
    operation_id="getRiskFlag",
)
def get_risk_flag(request: HttpRequest, flag_id: Annotated[int, Path(ge=1, le=2**62)]) -> RiskFlagOut:
    """One flag with its history (who acknowledged, resolved or marked it false positive, and why)."""
    flag = RiskFlag.objects.filter(pk=flag_id).prefetch_related("events").first()
    if flag is None:
        raise ApiError(404, "not_found", "no such risk flag")
    note_subject(
        request, user_id=flag.client_id, session_id=flag.session_id
    )  # the audit row names the client
    return RiskFlagOut.of(flag, with_events=True)
