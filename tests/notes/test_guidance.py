"""The therapist's guidance to the chatbot per client: versioned and audited in the database, written
into the client's active live sessions, seeded into every new session at ``initialize_session`` in
the same atomic step, and returned by resume, in Python and over HTTP."""

from __future__ import annotations

import fakeredis
import pytest
import redis
from django.test import Client

from ifemotion.accounts.models import AuditAction, AuditEvent, User
from ifemotion.accounts.tokens import create_token
from sessions_app.errors import InvalidInput
from sessions_app.notes import guidance, reads
from sessions_app.notes.errors import ClinicalTextInvalid
from sessions_app.notes.models import GuidanceRevision
from sessions_app.notes.reads import guidance_seed
from sessions_app.state import configured
from sessions_app.state.keys import SessionKeys
from sessions_app.state.manager import ConversationStateManager
from tests.notes.conftest import actor_for
from tests.sessions_app.api_support import ApiClient, error_of
from tests.support import AVA, use_state_manager

THEME, FOCUS, AVOID = "sleep and work stress", "behavioural activation", "her brother's accident"


@pytest.fixture
def seeding_manager(redis_backend: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> ConversationStateManager:
    """The process's state manager as settings build it (guidance seeding on), over fakeredis and then
    a real Redis."""
    manager = ConversationStateManager(redis_backend, window=100, context_seed=guidance_seed)
    use_state_manager(monkeypatch, manager)
    return manager


def set_guidance(user: User, version: int = 0, **texts: str) -> guidance.GuidanceResult:
    fields = {"current_theme": THEME, "therapeutic_focus": FOCUS, "topics_to_avoid": AVOID} | texts
    return guidance.set_guidance(actor=actor_for(user, AVA), expected_version=version, **fields)


def test_the_process_state_manager_seeds_new_sessions_with_guidance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the settings-built manager instead of the tests' one, over a fakeredis client
    monkeypatch.setattr(configured, "get_redis", fakeredis.FakeRedis)
    configured.get_state_manager.cache_clear()
    try:
        assert configured.get_state_manager().context_seed is guidance_seed
    finally:
        configured.get_state_manager.cache_clear()


def test_guidance_is_seeded_into_a_new_session_and_returned_by_resume(
    seeding_manager: ConversationStateManager, alice: User
) -> None:
    result = set_guidance(alice)
    assert result.outcome == "saved"

    sid = seeding_manager.initialize_session(AVA, model="claude")
    state = seeding_manager.resume_session(AVA, sid)

    context = state.context
    assert (context.current_theme, context.therapeutic_focus, context.topics_to_avoid) == (
        THEME,
        FOCUS,
        AVOID,
    )
    assert (context.guidance_version, context.guidance_updated_by) == (1, "alice")
    assert context.version == 0  # the chatbot's first write still expects version 0
    first = seeding_manager.get_pending_citations(AVA, sid)[0]
    assert "guidance v1 seeded" in getattr(first, "event", "")


def test_a_client_without_guidance_starts_empty(seeding_manager: ConversationStateManager, db: None) -> None:
    sid = seeding_manager.initialize_session(AVA, model="claude")
    context = seeding_manager.read_session(AVA, sid).context
    assert (context.topics_to_avoid, context.guidance_version, context.guidance_updated_by) == ("", 0, "")


def test_seeding_is_part_of_the_initialize_script(redis_backend: redis.Redis) -> None:
    manager = ConversationStateManager(redis_backend, window=100)
    sid = manager.initialize_session(
        AVA,
        model="m",
        context={"topics_to_avoid": AVOID, "guidance_version": "7", "guidance_updated_by": "alice"},
    )
    stored = redis_backend.hgetall(SessionKeys.for_session(AVA, sid).context_snapshot)
    assert stored[b"topics_to_avoid"] == AVOID.encode()
    assert stored[b"guidance_version"] == b"7"
    with pytest.raises(InvalidInput):
        manager.initialize_session(AVA, model="m", context={"session_notes": "not a seed field"})
    with pytest.raises(InvalidInput):
        manager.initialize_session(AVA, model="m", context={"current_theme": "nul\x00"})


def test_saving_guidance_writes_it_into_active_live_sessions_only(
    seeding_manager: ConversationStateManager, redis_backend: redis.Redis, alice: User
) -> None:
    active = seeding_manager.initialize_session(AVA, model="m")
    closed = seeding_manager.initialize_session(AVA, model="m")
    seeding_manager.close_session(AVA, closed)
    keys = SessionKeys.for_session(AVA, active)
    for key in keys.session_keys():
        if redis_backend.exists(key):
            redis_backend.expire(key, 500)

    result = set_guidance(alice)

    assert result.propagation is not None
    assert result.propagation.written == (active,)
    live = seeding_manager.read_session(AVA, active).context
    assert (live.topics_to_avoid, live.guidance_version, live.guidance_updated_by) == (AVOID, 1, "alice")
    assert live.notes_updated_by == "alice"
    assert seeding_manager.read_session(AVA, closed).context.topics_to_avoid == ""
    assert redis_backend.ttl(keys.metadata) <= 500  # writing guidance never extends retention


def test_guidance_is_versioned_audited_and_a_stale_version_never_overwrites(
    fake_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    assert set_guidance(alice).outcome == "saved"
    assert set_guidance(carmen, version=1, topics_to_avoid="none for now").outcome == "saved"

    stale = set_guidance(alice, version=1, current_theme="something else")

    assert stale.outcome == "conflict"
    assert stale.guidance is not None
    assert stale.guidance.author == "carmen"
    assert [g.version for g in reads.guidance_history(AVA)] == [2, 1]
    assert reads.current_guidance(AVA).topics_to_avoid == "none for now"  # type: ignore[union-attr]
    assert set_guidance(carmen, version=2, topics_to_avoid="none for now").outcome == "unchanged"
    events = AuditEvent.objects.filter(
        client_id=AVA, action__in=[AuditAction.NOTES_EDITED, AuditAction.NOTES_CONFLICT]
    ).values_list("outcome", "detail")
    assert [(o, d["event"]) for o, d in events.order_by("id")] == [
        ("ok", "guidance_changed"),
        ("ok", "guidance_changed"),
        ("conflict", "guidance_conflict"),
    ]
    assert all(AVOID not in str(d) for _, d in events)
    assert AuditEvent.objects.filter(action=AuditAction.NOTES_CONFLICT).count() == 1
    with pytest.raises(Exception):  # noqa: B017, PT011 - the database refuses to rewrite a version
        GuidanceRevision.objects.filter(version=1).update(topics_to_avoid="rewritten")


def test_bad_guidance_text_is_refused(fake_manager: ConversationStateManager, alice: User) -> None:
    with pytest.raises(ClinicalTextInvalid, match="limit"):
        set_guidance(alice, topics_to_avoid="x" * (guidance.GUIDANCE_MAX_CHARS + 1))
    with pytest.raises(ClinicalTextInvalid, match="NUL"):
        set_guidance(alice, current_theme="a\x00b")
    assert not GuidanceRevision.objects.exists()


def test_over_http_create_seeds_and_resume_returns_the_guidance(
    seeding_manager: ConversationStateManager, alice: User, locmem_cache: None
) -> None:
    set_guidance(alice)
    api = ApiClient(Client(), create_token(name="chatbot", scope="write", actor="test").secret)

    assert api.post("/sessions", {"user_id": AVA, "model": "claude", "session_id": "s1"}).status_code == 201
    resumed = api.get(f"/sessions/{AVA}/s1")

    assert resumed.status_code == 200
    context = resumed.json()["context"]
    assert (context["current_theme"], context["therapeutic_focus"], context["topics_to_avoid"]) == (
        THEME,
        FOCUS,
        AVOID,
    )
    assert (context["guidance_version"], context["guidance_updated_by"], context["version"]) == (
        1,
        "alice",
        0,
    )
    # The chatbot changes a guidance field itself: labelled as the chatbot's.
    patched = api.patch(f"/sessions/{AVA}/s1/context", {"expected_version": 0, "topics_to_avoid": "updated"})
    assert patched.status_code == 200
    assert patched.json()["guidance_updated_by"] == "chatbot:chatbot"
    assert patched.json()["guidance_version"] == 1  # still says which clinician version it started from
    assert error_of(api.patch(f"/sessions/{AVA}/s1/context", {"expected_version": 9, "x": 1}))["code"]
