"""Bearer tokens of the chatbot backend: created, verified and revoked here, and nowhere else.

A token is ``ife_`` + ``secrets.token_urlsafe(32)`` (256 random bits). Only its SHA-256 is stored, so a
copy of the database does not hold usable tokens; the token itself is shown once, when it is created.
Lookups go by the hash (a unique index); the hash found is compared again in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from ifemotion.accounts import audit
from ifemotion.accounts.models import ApiToken, AuditAction, TokenScope, User

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "ife_"  # noqa: S105 - the public prefix of every token
SHOWN_PREFIX_CHARS = 12  # ApiToken.prefix: "ife_" and 8 random characters, to recognise a token
# token_urlsafe(32) is 43 characters; anything far off that is not one of ours and is not hashed.
MAX_TOKEN_CHARS = 100
LAST_USED_RESOLUTION = timedelta(minutes=1)

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


class TokenError(ValueError):
    """A token cannot be created or revoked as asked; the message says why."""


@dataclass(frozen=True)
class NewToken:
    """A freshly created token. ``secret`` exists only here: it is never stored or logged."""

    token: ApiToken
    secret: str


def generate_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_name(name: object) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise TokenError(
            "a token name is 1-100 characters from A-Z, a-z, 0-9, '_', '.' and '-', "
            "starting with a letter or digit"
        )
    return name


def check_scope(scope: object) -> TokenScope:
    if not isinstance(scope, str) or scope not in TokenScope.values:
        raise TokenError(f"scope must be one of: {', '.join(TokenScope.values)}")
    return TokenScope(scope)


CLIENT_PART = re.compile(r"[A-Za-z0-9_-]{1,64}")


def check_reach_limits(prefix: object, client_ids: object) -> tuple[str, list[str]]:
    """A client-id prefix and a list of client ids restricting a token (both empty: every client)."""
    prefix_text = "" if prefix is None else str(prefix).strip()
    if prefix_text and not CLIENT_PART.fullmatch(prefix_text):
        raise TokenError("a client-id prefix is 1-64 characters from A-Z, a-z, 0-9, '_' and '-'")
    ids = [str(item).strip() for item in (client_ids or []) if str(item).strip()]  # type: ignore[attr-defined]
    bad = [item for item in ids if not CLIENT_PART.fullmatch(item)]
    if bad:
        raise TokenError(f"not a client id: {bad[0][:70]!r}")
    return prefix_text, sorted(set(ids))


def reach_detail(token: ApiToken) -> dict[str, object]:
    """The token's client restriction for the audit log (nothing when it reaches every client)."""
    if not token.is_restricted:
        return {}
    return {"client_prefix": token.client_prefix, "client_ids": list(token.client_ids)}


def issue_secret(token: ApiToken) -> str:
    """Give an unsaved token a fresh secret (its prefix and hash) and return the secret."""
    secret = generate_secret()
    token.prefix = secret[:SHOWN_PREFIX_CHARS]
    token.token_hash = hash_token(secret)
    return secret


def create_token(
    *,
    name: str,
    scope: str,
    created_by: User | None = None,
    actor: str,
    request: HttpRequest | None = None,
    client_prefix: str = "",
    client_ids: Sequence[str] = (),
) -> NewToken:
    """Create a token, record it in the audit log, and return it with its secret (shown once).

    ``client_prefix`` / ``client_ids`` restrict which clients it reaches (default: every client)."""
    checked_name = check_name(name)
    checked_scope = check_scope(scope)
    prefix, ids = check_reach_limits(client_prefix, list(client_ids))
    token = ApiToken(
        name=checked_name, scope=checked_scope, created_by=created_by, client_prefix=prefix, client_ids=ids
    )
    secret = issue_secret(token)
    try:
        with transaction.atomic():
            token.save(force_insert=True)
            audit.record(
                AuditAction.TOKEN_CHANGED,
                actor=actor,
                request=request,
                detail={"event": "created", "token": checked_name, "scope": checked_scope.value}
                | reach_detail(token),
            )
    except IntegrityError:
        raise TokenError(f"a token named {checked_name!r} already exists") from None
    return NewToken(token=token, secret=secret)


def revoke_token(*, name: str, actor: str, request: HttpRequest | None = None) -> bool:
    """Revoke the token called ``name``. Returns False if it was revoked already."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(name=name).first()
        if token is None:
            raise TokenError(f"no token named {name!r}")
        if token.revoked_at is not None:
            return False
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        VERIFIED.clear()
        transaction.on_commit(announce_revocation)
        audit.record(
            AuditAction.TOKEN_CHANGED,
            actor=actor,
            request=request,
            detail={"event": "revoked", "token": token.name, "scope": token.scope},
        )
    return True


def token_digest(secret: str) -> str | None:
    """The SHA-256 of a well-formed secret, or None for anything that cannot be one of ours."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_TOKEN_CHARS:
        return None
    return hash_token(secret)


def lookup_token(digest: str) -> ApiToken | None:
    """The active token with this hash, from the database."""
    token = ApiToken.objects.filter(token_hash=digest, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    return token


def verify_token(secret: str, *, now: datetime | None = None) -> ApiToken | None:
    """The active token whose secret this is, or None. Never says why a token was refused."""
    digest = token_digest(secret)
    token = None if digest is None else lookup_token(digest)
    if token is not None:
        touch(token, now or timezone.now())
    return token


def touch(token: ApiToken, now: datetime) -> None:
    """Record use at most once a minute: a write per request would cost more than the request."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# ---------------------------------------------------------------------------- verified tokens in memory

REVOCATION_MARKER = "api-token-revocation"
UNKNOWN_MARKER = object()  # the shared cache could not be read: trust nothing remembered


class VerifiedTokens:
    """Tokens this process verified in the database, remembered for ``API_TOKEN_CACHE_SECONDS``.

    Every revocation writes a new ``REVOCATION_MARKER`` into the shared cache (Redis). The API reads
    the marker with each request, in the same round trip as the rate-limit count, and this memory is
    dropped as soon as it changes: a revoked token stops working at its next request in every process.
    Should the marker not be written (Redis unreachable while revoking), the memory expires anyway.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[ApiToken, float]] = {}
        self._marker: object = None
        self._lock = threading.Lock()

    def get(self, digest: str, *, now: float | None = None) -> ApiToken | None:
        moment = time.monotonic() if now is None else now
        with self._lock:
            entry = self._entries.get(digest)
        if entry is None or entry[1] <= moment or not hmac.compare_digest(entry[0].token_hash, digest):
            return None
        return entry[0]

    def put(self, digest: str, token: ApiToken, *, now: float | None = None) -> None:
        seconds = settings.API_TOKEN_CACHE_SECONDS
        if seconds <= 0:
            return
        moment = time.monotonic() if now is None else now
        with self._lock:
            if len(self._entries) > 10_000:  # bounded: there are only ever a few tokens
                self._entries.clear()
            self._entries[digest] = (token, moment + seconds)

    def observe(self, marker: object) -> bool:
        """Compare the shared revocation marker with the last one seen; forget all if it changed."""
        with self._lock:
            changed = marker is UNKNOWN_MARKER or marker != self._marker
            if changed:
                self._entries.clear()
                self._marker = None if marker is UNKNOWN_MARKER else marker
        return changed

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


VERIFIED = VerifiedTokens()


def announce_revocation() -> None:
    """Tell every API process to forget the tokens it remembers (see ``VerifiedTokens``)."""
    VERIFIED.clear()
    try:
        caches[settings.API_CACHE].set(REVOCATION_MARKER, uuid.uuid4().hex, timeout=None)
    except Exception:  # any cache failure: the memory expires by itself
        logger.warning(
            "could not announce a token revocation; API processes notice it within %s s",
            settings.API_TOKEN_CACHE_SECONDS,
        )
