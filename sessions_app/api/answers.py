"""Which answers each operation of the HTTP API can give, for its OpenAPI entry.

Each operation lists only the status codes it can return, each described by the error codes behind it,
so a client generated from the document handles every answer and expects none that cannot come
(``tests/sessions_app/test_api_openapi.py`` checks the document against this table and the code).
Never listed: 500 (a bug, answered as ``internal_error``) and 405 (a method the path does not have).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from sessions_app.api.schemas import ErrorOut


class Kind(Enum):
    """What an operation touches, which decides the errors it can meet."""

    READ = "read"  # GET: read tokens welcome
    WRITE = "write"  # POST/PUT/PATCH without a body
    BODY = "body"  # POST/PUT/PATCH with a JSON body


# Every operation: bad path/query values or Content-Length, the token, the rate limit, a store down.
COMMON = (400, 401, 429, 503)
BY_KIND = {
    Kind.READ: (),
    Kind.WRITE: (403, 413, 507),
    Kind.BODY: (403, 413, 415, 507),
}

DESCRIPTIONS = {
    400: "`invalid_input` (with `field`): a value breaks a rule of this document or of the state layer; "
    "`malformed_json`: the body is not UTF-8 JSON; `invalid_content_length`",
    401: "`unauthorized`: no, unknown or revoked token (`WWW-Authenticate: Bearer`)",
    403: "`insufficient_scope`: a read token cannot do this",
    404: "`session_not_found`: the session is neither live nor archived",
    413: "`body_too_large`: the body is over `API_MAX_BODY_BYTES`; `content_too_large` (with `field`): a "
    "text is over the state layer's limit (a server setting)",
    415: "`unsupported_media_type`: the body is not `application/json` (or `application/*+json`) in UTF-8",
    422: "`corrupt_record`: a key of this session in Redis holds data of the wrong type; nothing was written",
    429: "`rate_limited`: too many requests with this token; wait as `Retry-After` says",
    503: "`state_unavailable`, `read_only`, `state_refused`, `database_unavailable` or `audit_unavailable` "
    "(with `Retry-After`); after a write the outcome is unknown: retry with the same `message_id`, or "
    "read back first",
    507: "`storage_full`: Redis reached maxmemory; nothing was written, reads still work",
}


def answers(
    success: dict[int, Any],
    kind: Kind,
    *,
    missing: bool = True,
    corrupt: bool = True,
    conflict: str | None = None,
    scope: str | None = None,
) -> dict[str, Any]:
    """``response=`` and ``openapi_extra=`` of an operation: its success bodies and the errors it can meet.

    ``missing``: the session may not exist (404); ``corrupt``: its keys in Redis may hold the wrong type
    (422). ``conflict`` describes the operation's 409, if it has one; ``scope`` the 403 of a read (a
    read that a read token may not make in some form).
    """
    statuses = {*COMMON, *BY_KIND[kind], *((404,) if missing else ()), *((422,) if corrupt else ())}
    descriptions = {status: DESCRIPTIONS[status] for status in statuses}
    if conflict is not None:
        statuses.add(409)
        descriptions[409] = conflict
    if scope is not None:
        statuses.add(403)
        descriptions[403] = scope
    response: dict[int, Any] = {**success, **{status: ErrorOut for status in sorted(statuses)}}
    extra = {"responses": {status: {"description": text} for status, text in descriptions.items()}}
    return {"response": response, "openapi_extra": extra}
