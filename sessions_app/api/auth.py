"""The HTTP API's gate: bearer tokens, scopes, the per-token rate limit, the body guard and the audit.

Order of checks for every operation: body size (from Content-Length, before anything is read) → token →
rate limit → scope → (ninja) JSON content type and parsing → validation → handler. Each request writes
one audit row (``token:NAME``, endpoint, status, client and session id), never a body.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django_redis.exceptions import ConnectionInterrupted
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.types import DictStrAny

from ifemotion.accounts import audit_buffer
from ifemotion.accounts.models import ApiToken, AuditAction, TokenScope
from ifemotion.accounts.tokens import (
    REVOCATION_MARKER,
    UNKNOWN_MARKER,
    VERIFIED,
    lookup_token,
    token_digest,
    touch,
)
from sessions_app.api.reach import check_reach
from sessions_app.errors import StateReadOnly, StateStorageFull, StateUnavailable
from sessions_app.state.connection import translate_errors
from sessions_app.state.keys import ID_PATTERN
from sessions_app.state.lane import pipeline_on

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RATE_WINDOW_SECONDS = 60
AUDIT_ATTEMPTS = 8  # SQLite lock retries, 20 ms apart and growing: at most about 0.6 s in all
JSON_CONTENT_TYPE = "application/json"

_TOKEN_ATTR = "ifemotion_api_token"  # noqa: S105 - an attribute name
_SUBJECT_ATTR = "ifemotion_api_subject"


class ApiError(Exception):
    """An answer in the API's error shape: ``{"error": {"code", "message", "field"?}}``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = dict(headers or {})


class UnsupportedMediaType(ValueError):
    """A request body that is not JSON."""


def error_body(
    code: str, message: str, *, field: str | None = None, current: dict[str, Any] | None = None
) -> dict[str, Any]:
    detail: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        detail["field"] = field
    if current is not None:
        detail["current"] = current
    return {"error": detail}


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    current: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    body = json.dumps(error_body(code, message, field=field, current=current), cls=DjangoJSONEncoder)
    response = HttpResponse(body, status=status, content_type=f"{JSON_CONTENT_TYPE}; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def retry_after() -> dict[str, str]:
    return {"Retry-After": str(settings.API_RETRY_AFTER_SECONDS)}


# ---------------------------------------------------------------------------- who is asking


def remember_token(request: HttpRequest, token: ApiToken) -> None:
    setattr(request, _TOKEN_ATTR, token)


def forget_token(request: HttpRequest) -> None:
    setattr(request, _TOKEN_ATTR, None)


def request_token(request: HttpRequest) -> ApiToken | None:
    token = getattr(request, _TOKEN_ATTR, None)
    return token if isinstance(token, ApiToken) else None


def note_subject(request: HttpRequest, *, user_id: object = None, session_id: object = None) -> None:
    """Tell the audit which client and session a request was about (ids from a body or query);
    a client out of the token's reach ends the request here with 404 (``reach.py``)."""
    setattr(request, _SUBJECT_ATTR, (_valid_id(user_id), _valid_id(session_id)))
    check_reach(request_token(request), _valid_id(user_id))  # body or query: client-level requests


def _valid_id(value: object) -> str:
    return value if isinstance(value, str) and ID_PATTERN.fullmatch(value) else ""


class BearerAuth(HttpBearer):
    """``Authorization: Bearer ife_...``: a token made with ``create_api_token`` or in the admin."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        digest = token_digest(token)
        if digest is None:
            return None
        api_token = VERIFIED.get(digest)
        remembered = api_token is not None
        if api_token is None:
            api_token = lookup_token(digest)
            if api_token is None:
                return None
        remember_token(request, api_token)
        marker = check_rate_limit(api_token)
        if VERIFIED.observe(marker) and remembered:
            # A token was revoked somewhere since this one was checked: check it again.
            api_token = lookup_token(digest)
            if api_token is None:
                forget_token(request)
                return None
            remember_token(request, api_token)
        VERIFIED.put(digest, api_token)
        touch(api_token, timezone.now())
        if request.method not in SAFE_METHODS and api_token.scope != TokenScope.WRITE:
            raise ApiError(403, "insufficient_scope", "this token may only read: writing needs a write token")
        path_ids = request.resolver_match.kwargs if request.resolver_match else {}
        check_reach(api_token, _valid_id(path_ids.get("user_id")), _valid_id(path_ids.get("session_id")))
        return api_token


# ---------------------------------------------------------------------------- rate limit


def check_rate_limit(token: ApiToken, *, now: float | None = None) -> object:
    """Count the request in a fixed one-minute window per token; returns the token-revocation marker.

    Both live in the Django cache (Redis: INCR + EXPIRE + GET, one round trip). Redis unreachable →
    ``StateUnavailable`` (503): a limiter that cannot count does not wave requests through. Redis
    refusing writes (full, read-only) lets the request pass with a warning, so reads keep working
    while the state layer refuses the writes themselves; the marker is then unknown.
    """
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    moment = time.time() if now is None else now
    window = int(moment // RATE_WINDOW_SECONDS)
    try:
        count, marker = _count(f"api-rate:{token.pk}:{window}", ttl=RATE_WINDOW_SECONDS + 5)
    except (StateStorageFull, StateReadOnly):
        logger.warning("rate limit of token %s not counted: Redis refuses writes", token.name)
        return UNKNOWN_MARKER
    if count > limit:
        wait = max(1, math.ceil((window + 1) * RATE_WINDOW_SECONDS - moment))
        raise ApiError(
            429,
            "rate_limited",
            f"more than {limit} requests a minute with this token; retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    return marker


def _count(key: str, *, ttl: int) -> tuple[int, object]:
    cache = caches[settings.API_CACHE]
    try:
        with translate_errors("rate limit"):
            raw = _redis_client(cache)
            if raw is not None:
                # One round trip; EXPIRE on every hit is harmless since the key names its window. No
                # MULTI/EXEC: the three need no isolation, and the transaction cost every API request.
                full_key = cache.make_key(key)
                marker_key = cache.make_key(REVOCATION_MARKER)
                commands = [("INCR", full_key), ("EXPIRE", full_key, ttl), ("GET", marker_key)]
                # On the state layer's kept connection: no pool checkout.
                count, _, marker = pipeline_on(raw, commands)
                return int(count), _marker_value(marker, cache)
            cache.add(key, 0, timeout=ttl)
            try:
                count = int(cache.incr(key))
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=ttl)
                count = 1
            return count, cache.get(REVOCATION_MARKER)
    except ConnectionInterrupted as exc:
        raise StateUnavailable("the rate limiter's cache is unreachable") from exc


def _marker_value(raw: Any, cache: Any) -> object:
    """The marker as ``cache.get`` would return it (django-redis stores values serialised)."""
    if raw is None:
        return None
    try:
        return cache.client.decode(raw)
    except Exception:  # an unreadable marker is as good as a changed one
        return UNKNOWN_MARKER


def _redis_client(cache: Any) -> Any:
    """The raw redis-py client behind a django-redis cache, or None for other cache backends."""
    from django_redis.cache import RedisCache

    if isinstance(cache, RedisCache):
        return cache.client.get_client(write=True)
    return None


# ---------------------------------------------------------------------------- JSON bodies


class JsonParser(Parser):
    """Bodies must be UTF-8 JSON (``application/json`` or ``application/*+json``); NaN/Infinity refused.

    ninja turns any error raised here into a 400 whose cause the API's handler inspects (415 for a
    wrong content type).
    """

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        check_json_content_type(request.content_type, request.content_params)
        text = request.body.decode("utf-8")
        data: DictStrAny = json.loads(text, parse_constant=_refuse_constant)
        return data


def check_json_content_type(content_type: str | None, params: Mapping[str, str] | None) -> None:
    media = (content_type or "").lower()
    is_json = media == JSON_CONTENT_TYPE or (media.startswith("application/") and media.endswith("+json"))
    if not is_json:
        raise UnsupportedMediaType(f"send the body as {JSON_CONTENT_TYPE}, not {media or 'no content type'}")
    charset = (params or {}).get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType("JSON bodies must be UTF-8")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# ---------------------------------------------------------------------------- guard + audit


ViewFunc = Callable[..., HttpResponseBase]


def guarded(view: ViewFunc) -> ViewFunc:
    """Wrap an API view: refuse oversized bodies unread, forbid caching, and audit the request."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = _check_body_size(request) or view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(JSON_CONTENT_TYPE):
            allowed = response.get("Allow", "")
            response = error_response(405, "method_not_allowed", f"allowed methods: {allowed}")
            response["Allow"] = allowed
        response["Cache-Control"] = "no-store"
        return _audit(request, response, kwargs)

    return wrapper


def _check_body_size(request: HttpRequest) -> HttpResponse | None:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw)
    except ValueError:
        return error_response(400, "invalid_content_length", "Content-Length must be a number")
    if length < 0:
        return error_response(400, "invalid_content_length", "Content-Length must not be negative")
    limit = settings.API_MAX_BODY_BYTES
    if length > limit:
        return error_response(
            413, "body_too_large", f"the request body is {length} bytes; the limit is {limit}"
        )
    return None


def _outcome(status: int) -> str:
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "denied"
    return "refused" if status < 500 else "failed"


def _record_with_retry(**fields: Any) -> None:
    """``audit_buffer.record`` (durable in Redis now, chained into the log in batches), tried again
    while SQLite reports "database is locked" when the row has to be written at once.

    Two processes writing in SQLite's default (deferred) transactions can deadlock; SQLite then fails
    one of them at once instead of waiting. Each try is a fresh transaction, so a retry is safe.
    """
    started = time.monotonic()
    for attempt in range(1, AUDIT_ATTEMPTS + 1):
        try:
            audit_buffer.record(AuditAction.API_REQUEST, **fields)
            return
        except OperationalError as exc:
            # A lock that was waited for (the busy timeout, DATABASE_WAIT_SECONDS) is a stalled
            # database, not a deadlock: retrying would hold the worker for several timeouts.
            waited = time.monotonic() - started >= settings.DATABASE_WAIT_SECONDS / 2
            if attempt == AUDIT_ATTEMPTS or "locked" not in str(exc) or waited:
                raise
            time.sleep(0.02 * attempt)


def _audit(
    request: HttpRequest, response: HttpResponseBase, path_kwargs: Mapping[str, Any]
) -> HttpResponseBase:
    token = request_token(request)
    subject = getattr(request, _SUBJECT_ATTR, None)
    if subject is None:
        subject = (_valid_id(path_kwargs.get("user_id")), _valid_id(path_kwargs.get("session_id")))
    match = request.resolver_match
    detail = {
        "method": request.method or "",
        "endpoint": (match.url_name if match else None) or "unknown",
        "status": response.status_code,
    }
    try:
        _record_with_retry(
            actor=f"token:{token.name}" if token else "anonymous",
            request=request,
            outcome=_outcome(response.status_code),
            client_id=subject[0],
            session_id=subject[1],
            detail=detail,
        )
    except DatabaseError:
        logger.exception("audit of API request %s %s failed", detail["method"], detail["endpoint"])
        if request.method in SAFE_METHODS and response.status_code < 400:
            # No record leaves without an audit row. A write has happened: its answer must still go out.
            refused = error_response(
                503, "audit_unavailable", "the audit log cannot be written; try again", headers=retry_after()
            )
            refused["Cache-Control"] = "no-store"
            return refused
    return response
