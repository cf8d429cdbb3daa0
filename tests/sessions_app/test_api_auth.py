"""Who may call the HTTP API: tokens, scopes, the rate limit and the audit of every request."""

from __future__ import annotations

import hashlib
import io
import re
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
import redis
from django.contrib.admin.sites import AdminSite
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import DatabaseError, OperationalError, connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings

from ifemotion.accounts import audit
from ifemotion.accounts.models import ApiToken, AuditAction, AuditEvent, User
from ifemotion.accounts.token_admin import ApiTokenAdmin
from ifemotion.accounts.tokens import (
    REVOCATION_MARKER,
    TOKEN_PREFIX,
    VERIFIED,
    TokenError,
    create_token,
    hash_token,
    revoke_token,
    token_digest,
    verify_token,
)
from sessions_app.api import auth as api_auth
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import RedisServer
from tests.sessions_app.api_support import AMIRA, ApiClient, error_of

pytestmark = pytest.mark.django_db

SESSION = "/sessions/amira/s1"
WRITES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/sessions", {"user_id": AMIRA, "model": "claude", "session_id": "s2"}),
    ("POST", f"{SESSION}/messages", {"role": "user", "content": "hello"}),
    ("PUT", f"{SESSION}/emotion", {"emotion": "happy", "intensity": 0.5, "confidence": 0.5}),
    ("POST", f"{SESSION}/milestones", {"description": "first step"}),
    (
        "POST",
        f"{SESSION}/breakthroughs",
        {"description": "insight", "category": "self_compassion", "confidence": 1},
    ),
    ("PATCH", f"{SESSION}/context", {"expected_version": 0, "current_theme": "x"}),
    ("POST", f"{SESSION}/close", None),
]
READS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", SESSION, None),
    ("GET", "/users/amira/sessions", None),
    ("GET", "/citations?user_id=amira", None),
]
EVERY_ENDPOINT = WRITES + READS


def call(client: ApiClient, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if method == "GET":
        return client.get(path)
    return client.send(method, path, body)


@pytest.fixture
def session(api_manager: ConversationStateManager) -> ConversationStateManager:
    api_manager.initialize_session(AMIRA, model="claude", session_id="s1")
    return api_manager


# ---------------------------------------------------------------------------- authentication


@pytest.mark.parametrize(("method", "path", "body"), EVERY_ENDPOINT)
def test_every_endpoint_needs_a_token(
    session: ConversationStateManager, client: Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = call(ApiClient(client, None), method, path, body)

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ife_not-a-real-token",
        "Bearer ",
        "Bearer",
        "Basic YWxpY2U6c2VjcmV0",
        "ife_missing-the-scheme",
        "Bearer " + "x" * 5000,
    ],
)
def test_a_bad_token_is_401(session: ConversationStateManager, client: Client, header: str) -> None:
    response = client.get("/api/v1/sessions/amira/s1", headers={"Authorization": header}, secure=True)

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_a_revoked_token_is_401(
    session: ConversationStateManager, client: Client, retired_token: str
) -> None:
    response = ApiClient(client, retired_token).get(SESSION)

    assert response.status_code == 401


def test_a_token_with_different_case_or_extra_characters_is_401(
    session: ConversationStateManager, client: Client, chatbot_token: str
) -> None:
    for variant in (chatbot_token.upper(), chatbot_token + "x", chatbot_token[:-1]):
        assert ApiClient(client, variant).get(SESSION).status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_read_token_cannot_write(
    session: ConversationStateManager,
    reporting: ApiClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    before = session.read_session(AMIRA, "s1")

    response = call(reporting, method, path, body)

    assert response.status_code == 403
    assert error_of(response)["code"] == "insufficient_scope"
    assert session.read_session(AMIRA, "s1") == before


@pytest.mark.parametrize(("method", "path", "body"), READS)
def test_a_read_token_can_read(
    session: ConversationStateManager,
    reporting: ApiClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    assert call(reporting, method, path, body).status_code == 200


def test_an_unknown_route_without_a_token_is_401_not_404(
    session: ConversationStateManager, client: Client
) -> None:
    assert client.get("/api/v1/secret-things", secure=True).status_code == 401


def revoke_elsewhere(name: str, *, announce: bool) -> None:
    """What another process's ``revoke_token`` leaves behind: the database row, and maybe the marker."""
    ApiToken.objects.filter(name=name).update(revoked_at=timezone.now())
    if announce:
        caches["default"].set(REVOCATION_MARKER, uuid.uuid4().hex, timeout=None)


@pytest.mark.parametrize("cache", ["locmem", "redis"])
def test_a_token_revoked_in_another_process_stops_at_its_next_request(
    session: ConversationStateManager, chatbot: ApiClient, request: pytest.FixtureRequest, cache: str
) -> None:
    if cache == "redis":
        request.getfixturevalue("redis_cache")
    assert chatbot.get(SESSION).status_code == 200
    assert chatbot.get(SESSION).status_code == 200  # now remembered by this process

    revoke_elsewhere("chatbot", announce=True)

    assert chatbot.get(SESSION).status_code == 401


def test_a_remembered_token_costs_no_database_query(
    session: ConversationStateManager, chatbot: ApiClient
) -> None:
    chatbot.get(SESSION)

    with CaptureQueriesContext(connection) as queries:
        assert chatbot.get(SESSION).status_code == 200

    assert not [q for q in queries.captured_queries if "accounts_apitoken" in q["sql"]]


def test_without_the_marker_a_revocation_is_noticed_when_the_memory_expires(
    session: ConversationStateManager, chatbot: ApiClient, chatbot_token: str
) -> None:
    chatbot.get(SESSION)
    digest = token_digest(chatbot_token)
    assert digest is not None
    revoke_elsewhere("chatbot", announce=False)  # say Redis was down while revoking

    assert chatbot.get(SESSION).status_code == 200
    assert VERIFIED.get(digest, now=time.monotonic() + 31) is None


def test_with_no_token_memory_every_request_asks_the_database(
    session: ConversationStateManager, chatbot: ApiClient, settings: Settings
) -> None:
    settings.API_TOKEN_CACHE_SECONDS = 0
    chatbot.get(SESSION)
    revoke_elsewhere("chatbot", announce=False)

    assert chatbot.get(SESSION).status_code == 401


# ---------------------------------------------------------------------------- audit


def test_every_request_writes_one_audit_row_without_content(
    session: ConversationStateManager, chatbot: ApiClient
) -> None:
    canary = "CANARY-I told nobody about this"
    before = AuditEvent.objects.count()

    chatbot.post(f"{SESSION}/messages", {"role": "user", "content": canary, "message_id": "m-1"})
    chatbot.get(SESSION)
    chatbot.post("/sessions", {"user_id": "bruno", "model": "claude", "session_id": "b1"})
    chatbot.get("/citations", {"user_id": AMIRA, "session_id": "s1"})

    rows = list(AuditEvent.objects.filter(action=AuditAction.API_REQUEST).order_by("id"))
    assert AuditEvent.objects.count() - before == 4
    assert [(r.actor, r.outcome, r.client_id, r.session_id) for r in rows] == [
        ("token:chatbot", "ok", AMIRA, "s1"),
        ("token:chatbot", "ok", AMIRA, "s1"),
        ("token:chatbot", "ok", "bruno", "b1"),
        ("token:chatbot", "ok", AMIRA, "s1"),
    ]
    assert rows[0].detail == {"method": "POST", "endpoint": "append_message", "status": 201}
    assert rows[1].detail == {"method": "GET", "endpoint": "get_session", "status": 200}
    assert all(canary not in repr(row.__dict__) for row in AuditEvent.objects.all())
    assert audit.verify_chain() == []


def test_refused_requests_are_audited_too(
    session: ConversationStateManager, client: Client, reporting: ApiClient
) -> None:
    ApiClient(client, "ife_wrong").get(SESSION)
    reporting.post(f"{SESSION}/close")
    reporting.get("/sessions/amira/missing")

    rows = list(AuditEvent.objects.filter(action=AuditAction.API_REQUEST).order_by("id"))
    assert [(r.actor, r.outcome, r.detail["status"]) for r in rows] == [
        ("anonymous", "denied", 401),
        ("token:reporting", "denied", 403),
        ("token:reporting", "refused", 404),
    ]


def test_a_read_is_withheld_when_the_audit_cannot_be_written(
    session: ConversationStateManager, chatbot: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(audit, "record", broken)

    read = chatbot.get(SESSION)
    write = chatbot.post(f"{SESSION}/messages", {"role": "user", "content": "hi"})

    assert read.status_code == 503
    assert error_of(read)["code"] == "audit_unavailable"
    assert "session" not in read.json()
    # The write happened: its answer must reach the client, or it would retry blindly.
    assert write.status_code == 201


def test_an_audit_row_is_retried_while_sqlite_is_locked(
    session: ConversationStateManager, chatbot: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_record = audit.record
    failures = [OperationalError("database is locked"), OperationalError("database is locked")]

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return real_record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", flaky)

    response = chatbot.get(SESSION)

    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.API_REQUEST).count() == 1


def test_last_used_is_recorded_at_most_once_a_minute(chatbot_token: str) -> None:
    token = ApiToken.objects.get(name="chatbot")
    assert token.last_used_at is None
    start = timezone.now()

    verify_token(chatbot_token, now=start)
    verify_token(chatbot_token, now=start + timedelta(seconds=30))
    after_half_a_minute = ApiToken.objects.get(pk=token.pk).last_used_at
    verify_token(chatbot_token, now=start + timedelta(seconds=61))

    assert after_half_a_minute == start
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start + timedelta(seconds=61)


# ---------------------------------------------------------------------------- rate limit


def test_the_rate_limit_answers_429_with_retry_after(
    session: ConversationStateManager, chatbot: ApiClient, reporting: ApiClient, settings: Settings
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 3

    answers = [chatbot.get(SESSION).status_code for _ in range(4)]
    limited = chatbot.get(SESSION)

    assert answers == [200, 200, 200, 429]
    assert error_of(limited)["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert reporting.get(SESSION).status_code == 200  # per token


@pytest.fixture
def redis_cache(settings: Settings, real_redis_url: str, real_redis: redis.Redis) -> str:
    """The Django cache on the real test Redis, under a prefix of its own (the database is wiped after)."""
    prefix = f"api-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": real_redis_url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    return prefix


def test_the_rate_limit_counts_in_redis_with_an_expiring_window(
    session: ConversationStateManager,
    chatbot: ApiClient,
    settings: Settings,
    redis_cache: str,
    real_redis: redis.Redis,
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 2

    answers = [chatbot.get(SESSION).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    keys = real_redis.keys(f"{redis_cache}:*api-rate:*")
    assert len(keys) == 1
    assert int(real_redis.get(keys[0]) or 0) == 3
    assert 0 < real_redis.ttl(keys[0]) <= 65


def test_the_rate_limit_window_resets_each_minute(
    chatbot_token: str, settings: Settings, locmem_cache: None
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    token = ApiToken.objects.get(name="chatbot")
    minute = 60 * 28_000_000

    api_auth.check_rate_limit(token, now=minute + 1)
    with pytest.raises(api_auth.ApiError) as refused:
        api_auth.check_rate_limit(token, now=minute + 50)
    api_auth.check_rate_limit(token, now=minute + 61)

    assert refused.value.headers == {"Retry-After": "10"}


@pytest.mark.fault
def test_an_unreachable_rate_limiter_answers_503_quickly(
    session: ConversationStateManager, chatbot: ApiClient, settings: Settings, redis_server: RedisServer
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    assert chatbot.get(SESSION).status_code == 200
    redis_server.stop()

    started = time.monotonic()
    response = chatbot.get(SESSION)
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert error_of(response)["code"] == "state_unavailable"
    assert response["Retry-After"] == "5"
    assert elapsed < 3


# ---------------------------------------------------------------- tokens: helpers, commands, admin


def test_only_the_hash_of_a_token_is_stored(db: None) -> None:
    new = create_token(name="chatbot", scope="write", actor="test")

    stored = ApiToken.objects.get(name="chatbot")
    assert new.secret.startswith(TOKEN_PREFIX)
    assert len(new.secret) >= 40
    assert stored.token_hash == hashlib.sha256(new.secret.encode()).hexdigest() == hash_token(new.secret)
    assert stored.prefix == new.secret[:12]
    assert new.secret not in repr(ApiToken.objects.values())
    assert verify_token(new.secret) == stored


def test_token_names_and_scopes_are_checked(db: None) -> None:
    create_token(name="chatbot", scope="write", actor="test")

    for name, scope in (("chatbot", "write"), ("bad name", "write"), ("", "read"), ("other", "admin")):
        with pytest.raises(TokenError):
            create_token(name=name, scope=scope, actor="test")


def test_the_command_prints_the_token_once_and_it_works(db: None) -> None:
    out, err = io.StringIO(), io.StringIO()

    call_command("create_api_token", "chatbot", "--scope", "read", stdout=out, stderr=err)

    secret = out.getvalue().strip()
    assert secret.startswith(TOKEN_PREFIX)
    assert secret not in err.getvalue()
    token = verify_token(secret)
    assert token is not None
    assert token.scope == "read"
    changes = AuditEvent.objects.filter(action=AuditAction.TOKEN_CHANGED)
    assert [e.detail for e in changes] == [{"event": "created", "token": "chatbot", "scope": "read"}]


def test_the_commands_refuse_duplicates_and_unknown_names(db: None) -> None:
    call_command("create_api_token", "chatbot", stdout=io.StringIO(), stderr=io.StringIO())

    with pytest.raises(CommandError, match="already exists"):
        call_command("create_api_token", "chatbot", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="no token"):
        call_command("revoke_api_token", "nobody", stdout=io.StringIO())


def test_the_revoke_command_stops_the_token(session: ConversationStateManager, chatbot: ApiClient) -> None:
    assert chatbot.get(SESSION).status_code == 200
    out = io.StringIO()

    call_command("revoke_api_token", "chatbot", stdout=out)
    call_command("revoke_api_token", "chatbot", stdout=out)

    assert chatbot.get(SESSION).status_code == 401
    assert "Revoked" in out.getvalue()
    assert "already revoked" in out.getvalue()
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_CHANGED, detail__event="revoked").count() == 1


@pytest.fixture
def admin_user(db: None) -> User:
    return User.objects.create_superuser(
        "ada", "ada@example.org", "a long admin passphrase", role="therapist"
    )


def test_the_admin_shows_a_new_token_once_and_stores_its_hash(admin_user: User) -> None:
    model_admin = ApiTokenAdmin(ApiToken, AdminSite())
    request = RequestFactory().post("/admin/accounts/apitoken/add/", {"name": "chatbot", "scope": "write"})
    request.user = admin_user
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]

    response = model_admin.add_view(request)
    response.render()  # type: ignore[attr-defined]

    token = ApiToken.objects.get(name="chatbot")
    page = response.content.decode()
    found = re.search(r'value="(ife_[^"]+)"', page)
    assert found is not None
    secret = found.group(1)
    assert secret.startswith(TOKEN_PREFIX)
    assert verify_token(secret) == token
    assert token.created_by == admin_user
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_CHANGED, actor="ada").count() == 1


def test_the_admin_revokes_and_never_deletes_or_edits_tokens(admin_user: User) -> None:
    create_token(name="chatbot", scope="write", actor="test")
    model_admin = ApiTokenAdmin(ApiToken, AdminSite())
    request = RequestFactory().post("/admin/accounts/apitoken/")
    request.user = admin_user
    model_admin.message_user = lambda *args, **kwargs: None  # type: ignore[method-assign]

    model_admin.revoke_selected(request, ApiToken.objects.all())

    token = ApiToken.objects.get(name="chatbot")
    assert token.revoked_at is not None
    assert model_admin.has_delete_permission(request, token) is False
    assert "token_hash" not in model_admin.get_fields(request, token)
    assert set(model_admin.get_fields(request, token)) <= set(model_admin.get_readonly_fields(request, token))


def test_revoking_twice_reports_it(db: None) -> None:
    create_token(name="chatbot", scope="write", actor="test")

    assert revoke_token(name="chatbot", actor="test") is True
    assert revoke_token(name="chatbot", actor="test") is False
