"""API audit rows wait in Redis and are chained into the audit log in batches, never lost, never twice."""

from __future__ import annotations

import io
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
import redis
import time_machine
from django.core.management import call_command
from django.utils import timezone
from pytest_django.fixtures import Settings

from ifemotion.accounts import audit, audit_buffer
from ifemotion.accounts.models import AuditAction, AuditEvent
from sessions_app.state.manager import ConversationStateManager
from tests.redis_server import RedisServer
from tests.sessions_app.api_support import AMIRA, ApiClient

pytestmark = [pytest.mark.real_redis, pytest.mark.django_db]

MESSAGES = f"/sessions/{AMIRA}/s1/messages"


@pytest.fixture
def redis_cache(
    settings: Settings, real_redis_url: str, real_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The Django cache (rate limits, the audit buffer) on the real test Redis, under its own prefix."""
    prefix = f"audit-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": real_redis_url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    settings.API_AUDIT_BATCH = 5
    settings.API_AUDIT_MAX_DELAY_SECONDS = 60
    monkeypatch.setattr(audit_buffer, "_last_flush", [time.time()])  # as if this process just flushed
    return prefix


def api_rows() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.API_REQUEST).order_by("id"))


def append(chatbot: ApiClient, text: str = "I slept badly again.") -> Any:
    response = chatbot.post(MESSAGES, {"role": "user", "content": text, "message_id": uuid.uuid4().hex})
    assert response.status_code == 201, response.content
    return response


def test_rows_wait_in_redis_and_reach_the_chained_log_in_batches(
    live_manager: ConversationStateManager, redis_cache: str, chatbot: ApiClient
) -> None:
    chatbot.create_session()
    for _ in range(3):
        append(chatbot, "SECRET-CANARY words")

    assert audit_buffer.pending() == 4  # durable in Redis before each answer went out
    assert api_rows() == []

    append(chatbot)  # the fifth row fills the batch: this request chains all five

    assert audit_buffer.pending() == 0
    rows = api_rows()
    assert len(rows) == 5
    assert [row.detail["endpoint"] for row in rows] == ["create_session"] + ["append_message"] * 4
    assert {row.actor for row in rows} == {"token:chatbot"}
    assert len({row.request_id for row in rows}) == 5
    assert all("SECRET-CANARY" not in repr(row.__dict__) for row in rows)
    assert audit.verify_chain() == []


def test_a_process_chains_the_buffer_at_least_once_per_delay(
    live_manager: ConversationStateManager, redis_cache: str, chatbot: ApiClient, settings: Settings
) -> None:
    settings.API_AUDIT_MAX_DELAY_SECONDS = 1
    chatbot.create_session()
    assert audit_buffer.pending() == 1

    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        append(chatbot)

    assert audit_buffer.pending() == 0
    assert len(api_rows()) == 2


def test_a_batch_committed_but_not_trimmed_is_not_recorded_twice(
    live_manager: ConversationStateManager,
    redis_cache: str,
    chatbot: ApiClient,
    real_redis: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chatbot.create_session()
    append(chatbot)
    client = real_redis.__class__  # any client: the buffer's own is patched through its class

    def crash(self: redis.Redis, *args: Any, **kwargs: Any) -> None:
        raise redis.ConnectionError("the flushing process died after its commit")

    with monkeypatch.context() as patched:
        patched.setattr(client, "eval", crash)
        with pytest.raises(redis.ConnectionError):
            audit_buffer.flush()
    assert len(api_rows()) == 2  # committed...
    assert audit_buffer.pending() == 2  # ...and still waiting in Redis

    assert audit_buffer.flush() == 0  # the retry recognises them by request id
    assert audit_buffer.pending() == 0
    assert len(api_rows()) == 2
    assert audit.verify_chain() == []


def test_without_redis_the_row_is_written_at_once(
    live_manager: ConversationStateManager,
    chatbot: ApiClient,
    settings: Settings,
    redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    settings.API_AUDIT_BATCH = 5
    monkeypatch.setattr(audit_buffer, "_last_flush", [time.time()])
    chatbot.create_session()
    assert audit_buffer.pending() == 1
    redis_server.client().config_set("maxmemory", "1")  # full: the buffer refuses the next row

    # The rate limiter lets requests pass while Redis refuses writes; the audit row goes to the database.
    response = chatbot.get(f"/sessions/{AMIRA}/s1")

    assert response.status_code == 200
    assert [row.detail["endpoint"] for row in api_rows()] == ["get_session"]
    redis_server.client().config_set("maxmemory", "0")
    assert audit_buffer.flush() == 1
    assert [row.detail["endpoint"] for row in api_rows()] == ["get_session", "create_session"]
    assert audit.verify_chain() == []


def test_the_periodic_job_and_the_command_chain_what_waits(
    live_manager: ConversationStateManager, redis_cache: str, chatbot: ApiClient, settings: Settings
) -> None:
    settings.ARCHIVE_MARGIN_SECONDS = 60
    chatbot.create_session()
    append(chatbot)
    assert audit_buffer.pending() == 2

    out = io.StringIO()
    call_command("flush_audit_log", stdout=out)

    assert out.getvalue().strip() == "2 audit rows chained into the log; 0 waiting"
    append(chatbot)
    call_command("archive_sessions", "--no-index", stdout=io.StringIO())
    assert audit_buffer.pending() == 0
    assert len(api_rows()) == 3
