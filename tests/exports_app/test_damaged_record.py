"""A session with a damaged Redis key: every download answers a clear error page, never a 500."""

from __future__ import annotations

import pytest
import redis
from django.urls import reverse

from ifemotion.accounts.models import AuditAction, AuditEvent, User
from sessions_app.state import keys
from sessions_app.state.manager import ConversationStateManager
from tests.exports_app.conftest import CLIENT, seed
from tests.support import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["exports:markdown", "exports:pdf", "exports:json", "zip"])
@pytest.mark.parametrize("damaged", ["metadata", "emotion", "milestones", "context_snapshot"])
def test_a_damaged_key_gives_a_clear_error_not_a_500(
    live_manager: ConversationStateManager, redis_backend: redis.Redis, carmen: User, name: str, damaged: str
) -> None:
    session_id = seed(live_manager, CLIENT, ["one message", "a reply"])
    key = keys.SessionKeys.for_session(CLIENT, session_id)
    target = getattr(key, damaged)
    redis_backend.delete(target)
    redis_backend.rpush(target, b"not what this key should hold")  # wrong type
    client = login(carmen)
    if name == "zip":
        url = reverse("exports:zip", args=[CLIENT]) + f"?session={session_id}&format=all"
    else:
        url = reverse(name, args=[CLIENT, session_id])

    response = client.get(url)

    # Either the export is refused with a clear page, or it is made with the damaged part marked
    # unreadable (the reader degrades a damaged section of a session that is otherwise readable).
    assert response.status_code in (200, 503)
    if response.status_code == 503:
        body = response.content.decode()
        assert "Record damaged" in body
        assert "Traceback" not in body
        assert AuditEvent.objects.filter(action=AuditAction.EXPORT, outcome="refused").exists()
    else:
        assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("name", ["exports:markdown", "exports:pdf", "exports:json", "zip"])
def test_damaged_metadata_refuses_the_export_with_a_clear_page(
    live_manager: ConversationStateManager, redis_backend: redis.Redis, carmen: User, name: str
) -> None:
    session_id = seed(live_manager, CLIENT, ["one message", "a reply"])
    target = keys.SessionKeys.for_session(CLIENT, session_id).metadata
    redis_backend.delete(target)
    redis_backend.rpush(target, b"not a hash")
    if name == "zip":
        url = reverse("exports:zip", args=[CLIENT]) + f"?session={session_id}&format=all"
    else:
        url = reverse(name, args=[CLIENT, session_id])

    response = login(carmen).get(url)

    assert response.status_code == 503
    assert "Record damaged" in response.content.decode()
