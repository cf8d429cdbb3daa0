"""The session page reads Redis once: one consistent snapshot of state, transcript page, citations, token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import LazySettings

from ifemotion.accounts.models import User
from sessions_app import repository
from sessions_app.access import AccessGrant
from sessions_app.dashboard import pages
from sessions_app.domain import Message
from sessions_app.models import ArchivedMessage
from sessions_app.state.manager import ConversationStateManager
from tests.sessions_app.archive_support import archiver, use_embedded_chroma
from tests.support import AVA, use_state_manager

pytestmark = [pytest.mark.real_redis, pytest.mark.django_db]


class CountingConnection(redis.Connection):
    """Counts client→server round trips (one packed send per command or pipeline)."""

    sends = 0

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        type(self).sends += 1
        super().send_packed_command(command, check_health)  # type: ignore[no-untyped-call]


@pytest.fixture
def counted(real_redis_url: str, real_redis: redis.Redis) -> Iterator[redis.Redis]:
    pool = redis.ConnectionPool.from_url(real_redis_url, connection_class=CountingConnection)
    client = redis.Redis(connection_pool=pool)
    yield client
    client.close()


def _grant(user: User) -> AccessGrant:
    return AccessGrant(user.pk, user.username, user.role, AVA, "view", "assignment")


def _seqs(items: tuple[Any, ...]) -> list[int]:
    return [item.seq for item in items if isinstance(item, Message)]


def test_every_transcript_page_is_one_read_and_matches_the_whole_history(
    counted: redis.Redis, settings: LazySettings, tmp_path: Path, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")
    manager = ConversationStateManager(counted, window=20)
    use_state_manager(monkeypatch, manager)
    sid = manager.initialize_session(AVA, model="m")
    for n in range(1, 131):
        manager.append_message(AVA, sid, role="user" if n % 2 else "assistant", content=f"line {n}")
    archiver(counted).run_pass()  # drains overflow into the database...
    for n in range(131, 161):  # ...and more leaves the window afterwards
        manager.append_message(AVA, sid, role="user", content=f"line {n}")
    assert ArchivedMessage.objects.filter(user_id=AVA, session_id=sid).count() == 110
    assert manager.read_session(AVA, sid).overflow_count == 30  # 1..110 archived, 111..140 overflow

    seen: list[int] = []
    for page in (1, 2, 3, 4):
        CountingConnection.sends = 0
        view = pages.session_view(_grant(alice), sid, page=page)
        assert CountingConnection.sends == 1  # state, page, citations and token: one script
        expected = repository.get_history(AVA, sid, offset=(page - 1) * 50, limit=50, manager=manager)
        assert view.transcript.items == expected.items
        assert (view.transcript.page, view.transcript.pages, view.transcript.total) == (page, 4, 160)
        assert view.token == pages.live_token(AVA, sid)
        seen += _seqs(view.transcript.items)
    assert seen == list(range(1, 161))  # archive, overflow and window, each message once, in order
    assert _seqs(pages.session_view(_grant(alice), sid, page=None).transcript.items) == list(range(151, 161))
    assert _seqs(pages.session_view(_grant(alice), sid, page=99).transcript.items) == list(range(151, 161))


def test_the_page_shows_pending_citations_and_its_token_changes_with_the_session(
    live_manager: ConversationStateManager, alice: User
) -> None:
    sid = live_manager.initialize_session(AVA, model="m")
    live_manager.append_message(AVA, sid, role="user", content="hello")
    before = pages.session_view(_grant(alice), sid, page=None)
    assert {c.citation_id for c in before.citations.items} >= {before.state.messages[0].citation_id}  # type: ignore[union-attr]
    assert before.token == pages.live_token(AVA, sid)

    live_manager.update_emotion(AVA, sid, emotion="anxious", intensity=0.5, confidence=0.5)

    assert pages.live_token(AVA, sid) != before.token
    after = pages.session_view(_grant(alice), sid, page=None)
    assert after.token == pages.live_token(AVA, sid)
    assert after.citations.total == before.citations.total + 1
