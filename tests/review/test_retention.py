"""The retention clock: read from the TTL, shown on the list, the page and the inbox, never extended."""

from __future__ import annotations

import pytest
import redis
from django.urls import reverse

from ifemotion.accounts.models import User
from ifemotion.accounts.tokens import create_token
from sessions_app.archive.archiver import Archiver
from sessions_app.review.cursors import mark_reviewed
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.review.conftest import add_messages, grant_for, seed_session
from tests.support import AVA, login, use_state_manager


@pytest.mark.django_db
def test_a_hundred_page_views_never_extend_the_ttl(
    real_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch, alice: User
) -> None:
    manager = ConversationStateManager(real_redis, window=100, ttl_seconds=7 * 24 * 3600)
    use_state_manager(monkeypatch, manager)
    sid = seed_session(manager, AVA)
    add_messages(manager, AVA, sid, 120)  # some in overflow: the transcript reads both lists
    keys = SessionKeys.for_session(AVA, sid)
    client = login(alice)
    token = create_token(name="ops", scope="read", actor="test").secret
    urls = [
        reverse("review:inbox"),
        reverse("review:inbox_live") + "?token=stale",
        reverse("sessions:list"),
        reverse("sessions:detail", args=[AVA, sid]),
        reverse("sessions:detail", args=[AVA, sid]) + "?tp=1",
        reverse("sessions:live", args=[AVA, sid]) + "?token=stale",
        reverse("review:digest"),
    ]
    previous = {key: real_redis.pttl(key) for key in keys.session_keys()}
    assert all(ttl > 0 for ttl in previous.values())
    for view in range(100):
        if view % 10 == 9:
            response = client.get(f"/api/v1/users/{AVA}/review", headers={"Authorization": f"Bearer {token}"})
        elif view % 10 == 8:
            mark_reviewed(grant=grant_for(alice, AVA), session_id=sid, seq=view)
            response = client.get(urls[0])
        else:
            response = client.get(urls[view % len(urls)])
        assert response.status_code == 200, (view, response.status_code)
        now = {key: real_redis.pttl(key) for key in keys.session_keys()}
        assert all(0 < now[key] <= previous[key] for key in now), view
        previous = now


def test_the_clock_is_shown_where_the_session_is(fake_manager: ConversationStateManager, alice: User) -> None:
    short = ConversationStateManager(fake_manager.redis, ttl_seconds=5 * 3600)
    sid = short.initialize_session(AVA, model="m")
    add_messages(short, AVA, sid, 2)
    client = login(alice)
    detail = client.get(reverse("sessions:detail", args=[AVA, sid])).content.decode()
    left = "4\u00a0h 59\u00a0min"  # a number and its unit never wrap apart
    assert f"Leaves live storage in <strong>{left}</strong>" in detail
    assert 'class="retention leaving-soon"' in detail
    listing = client.get(reverse("sessions:list")).content.decode()
    assert 'class="leaving-soon"' in listing
    assert f"in {left}" in listing
    inbox = client.get(reverse("review:inbox")).content.decode()
    assert f"in {left}" in inbox


def test_an_archived_session_shows_no_clock(fake_manager: ConversationStateManager, alice: User) -> None:
    sid = fake_manager.initialize_session(AVA, model="m")
    add_messages(fake_manager, AVA, sid, 2)
    Archiver(fake_manager.redis, margin_seconds=10**9, index=False).archive_session(
        user_id=AVA, session_id=sid
    )
    fake_manager.redis.delete(*SessionKeys.for_session(AVA, sid).session_keys())
    client = login(alice)
    detail = client.get(reverse("sessions:detail", args=[AVA, sid])).content.decode()
    assert "left live storage and is served from the archive" in detail
    assert "Leaves live storage in" not in detail
    assert ">archived</span></td>" in client.get(reverse("sessions:list")).content.decode()
